package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// inPlace replaces the rows of a table whose dependents a rename-swap
// cannot carry (materialized views, foreign keys referencing it, triggers,
// policies, publications, sequences, defaults, ...): the rows are staged,
// then, under the ACCESS EXCLUSIVE lock, the table is emptied, its columns
// are brought in line with the export (new columns go last) and the staged
// rows are inserted. The table keeps its identity, so everything attached
// to it survives; the lock is held longer than a swap's.
//
// A table other tables reference is not emptied: rows whose key (the one
// the first foreign key references) left the export are deleted and the
// others upserted, so referencing rows keep their targets (or the load
// fails on the foreign key, naming it).
//
// As with any TRUNCATE, a REPEATABLE READ transaction that started before
// the publish and reads the table only afterwards sees it empty.
//
// Columns the export does not have and no earlier load wrote (a user
// added them) are kept: the new rows get their defaults, identities,
// generated values or NULL. A CHECK, foreign key or exclusion constraint
// the rows break fails the load with a [ConstraintError]. The NOT NULL of
// the columns in relax is dropped (see relaxed).
func (r *loadRun) inPlace(ctx context.Context, info *tableInfo, deps *dependents, dropped, retyped, relax []*tableColumn, reasons []string) error {
	t := r.job.Table
	// A column the export adds is NOT NULL as the metadata says (fieldDef).
	kept := r.keepNotNull(info, relax, func(k int) bool { return t.Fields[k].Source.NotNull() })
	r.res.MechanismReason = strings.Join(reasons, "; ")
	keyed := len(deps.FKRefs) > 0
	if keyed && len(retyped) > 0 {
		return &ColumnError{Table: r.qtarget, Column: retyped[0].Name, Err: ErrIncompatibleType,
			Detail: fmt.Sprintf("cannot change type from %s in place while foreign key %q references the table", retyped[0].TypeName, deps.FKRefs[0].Name)}
	}
	qstage, _ := r.stageName()
	// The CHECK constraints are on the staging table too: the COPY names
	// the line of a row they refuse.
	var checks []string
	for _, c := range stagedChecks(t, info, deps) {
		checks = append(checks, "ADD CONSTRAINT "+schema.Quote(c.Name)+" "+c.Def)
	}
	var more []string
	if len(checks) > 0 {
		more = append(more, "ALTER TABLE "+qstage+" "+strings.Join(checks, ", "))
	}
	if err := r.createTable(ctx, qstage, "", columnDefs(t), "", more...); err != nil {
		return err
	}
	cols := fieldColumns(t)
	refuseNulls(cols, t, t.PrimaryKey(), kept)
	if err := r.copyInto(ctx, qstage, copyFreeze, cols); err != nil {
		return r.constraintError(err, nil, deps.Constraints, info, t.ColumnNames())
	}
	if err := lockForPublish(ctx, r.tx, []string{r.qtarget}, info.OID, r.l.cfg.PublishLockTry, r.l.cfg.LockTimeout); err != nil {
		return err
	}
	now, err := r.recheckTarget(ctx, info, deps)
	if err != nil {
		return err
	}

	var stmts []string
	if !keyed {
		only := "ONLY "
		if info.Kind == "p" {
			only = ""
		}
		stmts = append(stmts, "TRUNCATE "+only+r.qtarget)
	}
	for _, c := range dropped {
		stmts = append(stmts, "ALTER TABLE "+r.qtarget+" DROP COLUMN "+schema.Quote(c.Name))
	}
	for _, c := range retyped {
		f := t.Fields[fieldIndexByName(t, c.Name)]
		// The table is empty here, so no value is ever converted.
		stmts = append(stmts, "ALTER TABLE "+r.qtarget+" ALTER COLUMN "+schema.Quote(c.Name)+" TYPE "+f.Type.PG()+" USING NULL")
	}
	for _, f := range t.Fields {
		if info.column(f.Name) == nil {
			stmts = append(stmts, "ALTER TABLE "+r.qtarget+" ADD COLUMN "+fieldDef(f))
		}
	}
	stmts = append(stmts, dropNotNull(r.qtarget, relax)...)
	if err := r.execAll(ctx, stmts, "publish in place"); err != nil {
		return err
	}

	names := quoteNames(t.ColumnNames())
	var sql string
	if keyed {
		r.res.Mechanism = MechanismInPlaceKeyed
		key := deps.FKRefs[0].Columns
		var on, set []string
		for _, k := range key {
			on = append(on, "s."+schema.Quote(k)+" = t."+schema.Quote(k))
		}
		for _, f := range t.Fields {
			if !slices.Contains(key, f.Name) {
				set = append(set, schema.Quote(f.Name)+" = EXCLUDED."+schema.Quote(f.Name))
			}
		}
		del := "DELETE FROM " + r.qtarget + " t WHERE NOT EXISTS (SELECT 1 FROM " + qstage + " s WHERE " + strings.Join(on, " AND ") + ")"
		if _, err := r.tx.Exec(ctx, del); err != nil {
			return fmt.Errorf("publish in place: delete rows that left the export: %w", err)
		}
		action := "DO NOTHING"
		if len(set) > 0 {
			action = "DO UPDATE SET " + strings.Join(set, ", ")
		}
		sql = "INSERT INTO " + r.qtarget + " (" + names + ") SELECT " + names + " FROM " + qstage +
			" ON CONFLICT (" + quoteNames(key) + ") " + action
	} else {
		r.res.Mechanism = MechanismInPlace
		sql = "INSERT INTO " + r.qtarget + " (" + names + ") SELECT " + names + " FROM " + qstage
	}
	tag, err := r.execKeyed(ctx, sql)
	if err != nil {
		if err := r.constraintError(err, nil, deps.Constraints, info, inPlaceColumns(t, info, dropped)); errors.As(err, new(*ConstraintError)) {
			return err
		}
		return r.inPlaceKeyError(ctx, err, now, deps, qstage, keyed)
	}
	r.res.RowsLoaded = tag.RowsAffected()
	if r.res.RowsLoaded != r.res.RowsRead {
		return &RowCountError{What: "rows published versus rows COPYed", Got: r.res.RowsLoaded, Want: r.res.RowsRead}
	}
	if err := r.comments(ctx, r.qtarget, now, true); err != nil {
		return err
	}
	if err := r.execAll(ctx, []string{"DROP TABLE " + qstage}, "publish in place"); err != nil {
		return err
	}
	return r.analyze(ctx, r.qtarget, r.res.RowsLoaded)
}

// inPlaceKeyError is the error of the in-place insert: a duplicate key as
// a [KeyError], looked for in the staging table when the key's columns are
// known (the target's primary key, or the key an upsert met twice).
// Emptied first, the table cannot hold the value already unless keyed.
func (r *loadRun) inPlaceKeyError(ctx context.Context, err error, info *tableInfo, deps *dependents, qstage string, keyed bool) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("publish in place: %w", err)
	}
	key := r.targetKey(info, pe.ConstraintName)
	if pe.Code == codeCardinalityViolate && keyed {
		if key = r.targetKey(info, info.PrimaryKey); !slices.Equal(key.cols, deps.FKRefs[0].Columns) {
			key = r.fieldKey("unique key", deps.FKRefs[0].Columns)
		}
		keyed = false // the export repeats the key
	}
	if err := r.keyError(ctx, err, qstage, key, keyed); errors.As(err, new(*KeyError)) {
		return err
	}
	return fmt.Errorf("publish in place: %w", err)
}

// inPlaceColumns are the columns of the table refilled in place, in
// order: the old ones but the dropped, then the added.
func inPlaceColumns(t *schema.Table, info *tableInfo, dropped []*tableColumn) []string {
	var out []string
	for k := range info.Columns {
		if c := &info.Columns[k]; !slices.Contains(dropped, c) {
			out = append(out, c.Name)
		}
	}
	for _, f := range t.Fields {
		if info.column(f.Name) == nil {
			out = append(out, f.Name)
		}
	}
	return out
}
