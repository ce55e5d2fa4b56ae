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
// then, under the publish lock, the old rows are deleted, the table's
// columns are brought in line with the export (new columns go last) and
// the staged rows are inserted. The table keeps its identity, so
// everything attached to it survives.
//
// The old rows are deleted, not truncated: TRUNCATE is not MVCC-safe (a
// REPEATABLE READ or SERIALIZABLE transaction whose snapshot predates the
// commit would find the table empty), DELETE is, so every snapshot sees
// either all the old rows or all the new ones. The publish lock is
// EXCLUSIVE (writers wait, readers go on reading the old rows) unless a
// column changes, which takes ACCESS EXCLUSIVE; a retyped column rewrites
// the table, which no snapshot taken before the commit can read.
//
// A table other tables reference is not emptied: rows whose key (see
// refillKey) left the export are deleted and the others upserted, so
// referencing rows keep their targets (or the load fails on the foreign
// key, naming it). A table with columns a user added keeps their values
// by key: the key and those columns of the old rows are set aside (a
// table of the load's transaction), the rows deleted, and each new row
// inserted with the values of the old row of its key (identity values
// too), or with the columns' defaults for a new key.
//
// Columns the export does not have and no earlier load wrote (a user
// added them) are kept: the new rows get their defaults, identities,
// generated values or NULL. A CHECK, foreign key or exclusion constraint
// the rows break fails the load with a [ConstraintError]. The NOT NULL of
// the columns in relax is dropped (see relaxed). The columns of owned
// keep the owner's type (see ownerTypes): the rows are staged in it.
func (r *loadRun) inPlace(ctx context.Context, info *tableInfo, deps *dependents, dropped, retyped, relax, extra, owned []*tableColumn, reasons []string) error {
	t := r.job.Table
	// A column the export adds is NOT NULL as the metadata says (fieldDef).
	kept := r.keepNotNull(info, relax, func(k int) bool { return t.Fields[k].Source.NotNull() })
	r.types = madeTypes(t, info, owned, r.last, true)
	r.res.MechanismReason = strings.Join(reasons, "; ")
	key, why, err := r.refillKey(ctx, info, deps, extra)
	if err != nil {
		return err
	}
	// upsert: rows other tables reference must stay (a foreign key);
	// carry: the user's columns' values go from each old row to the new
	// row of the same key.
	upsert := len(deps.FKRefs) > 0
	carry := key != nil && !upsert
	for _, c := range retyped {
		if key != nil && slices.Contains(key, c.Name) {
			return &ColumnError{Table: r.qtarget, Column: c.Name, Err: ErrIncompatibleType,
				Detail: fmt.Sprintf("cannot change type from %s in place: it is in the key the rows are matched on (%s)", c.TypeName, why)}
		}
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
	if err := r.createTable(ctx, qstage, ownerColumnDefs(t, owned), tableOptions{more: more}); err != nil {
		return err
	}
	if err := r.distributeLike(ctx, qstage); err != nil {
		return err
	}
	cols := ownerColumns(t, owned)
	refuseNulls(cols, t, t.PrimaryKey(), kept)
	if err := r.copyInto(ctx, qstage, copyFreeze, cols); err != nil {
		return r.constraintError(err, nil, deps.Constraints, info, t.ColumnNames())
	}

	// The column changes, run once the old rows are deleted (a retyped
	// column then converts no value).
	var alters, after []string
	for _, c := range dropped {
		alters = append(alters, "ALTER TABLE "+r.qtarget+" DROP COLUMN "+schema.Quote(c.Name))
	}
	for _, c := range retyped {
		f := t.Fields[fieldIndexByName(t, c.Name)]
		col := "ALTER TABLE " + r.qtarget + " ALTER COLUMN " + schema.Quote(c.Name)
		if upsert && c.NotNull {
			// The rows kept lose the old values here and get the export's
			// from the upsert; the NOT NULL (unless relaxed) comes back
			// after it.
			alters = append(alters, col+" DROP NOT NULL")
			if !slices.Contains(relax, c) {
				after = append(after, col+" SET NOT NULL")
			}
		}
		alters = append(alters, col+" TYPE "+f.Type.PG()+" USING NULL")
	}
	for _, f := range t.Fields {
		if info.column(f.Name) == nil {
			def := fieldDef(f)
			if upsert && f.Source.NotNull() {
				// The rows kept get the column's values from the upsert;
				// the NOT NULL comes after it.
				def = schema.Quote(f.Name) + " " + f.Type.PG()
				after = append(after, "ALTER TABLE "+r.qtarget+" ALTER COLUMN "+schema.Quote(f.Name)+" SET NOT NULL")
			}
			alters = append(alters, "ALTER TABLE "+r.qtarget+" ADD COLUMN "+def)
		}
	}
	alters = append(alters, dropNotNull(r.qtarget, relax)...)
	mode := "EXCLUSIVE"
	if len(alters) > 0 {
		mode = "ACCESS EXCLUSIVE"
	}
	if err := lockForPublish(ctx, r.tx, []string{r.qtarget}, info.OID, mode, r.l.cfg.PublishLockTry, r.l.cfg.LockTimeout, r.log); err != nil {
		return err
	}
	r.steps.done("publish lock")
	now, err := r.recheckTarget(ctx, info, deps)
	if err != nil {
		return err
	}
	if key == nil {
		// Values written to the user's columns since refillKey looked
		// (the lock keeps writers out from here on).
		if err := r.refuseValued(ctx, keptColumns(extra)); err != nil {
			return err
		}
	}
	only := "ONLY "
	if info.Kind == "p" {
		only = ""
	}
	names := quoteNames(t.ColumnNames())
	var sqls []string
	qkeep, _ := r.stageName()
	if upsert {
		r.res.Mechanism = MechanismInPlaceKeyed
		var set []string
		on := keyJoin(key)
		for _, f := range t.Fields {
			if !slices.Contains(key, f.Name) {
				set = append(set, schema.Quote(f.Name)+" = EXCLUDED."+schema.Quote(f.Name))
			}
		}
		del := "DELETE FROM " + only + r.qtarget + " t WHERE NOT EXISTS (SELECT 1 FROM " + qstage + " s WHERE " + strings.Join(on, " AND ") + ")"
		if _, err := r.tx.Exec(ctx, del); err != nil {
			if err := r.constraintError(err, nil, deps.Constraints, info, inPlaceColumns(t, info, dropped)); errors.As(err, new(*ConstraintError)) {
				return err
			}
			return fmt.Errorf("publish in place: delete rows that left the export: %w", err)
		}
		action := "DO NOTHING"
		if len(set) > 0 {
			action = "DO UPDATE SET " + strings.Join(set, ", ")
		}
		sqls = append(sqls, "INSERT INTO "+r.qtarget+" AS t ("+names+") SELECT "+names+" FROM "+qstage+
			" ON CONFLICT ("+quoteNames(key)+") "+action)
	} else {
		r.res.Mechanism = MechanismInPlace
		if carry {
			r.res.Mechanism = MechanismInPlaceKeyed
			carried, err := r.keepAside(ctx, qstage, qkeep, only, key, extra)
			if err != nil {
				return err
			}
			sqls = append(sqls, carried...)
		} else {
			sqls = append(sqls, "INSERT INTO "+r.qtarget+" ("+names+") SELECT "+names+" FROM "+qstage)
		}
		if _, err := r.tx.Exec(ctx, "DELETE FROM "+only+r.qtarget); err != nil {
			return fmt.Errorf("publish in place: delete the old rows: %w", err)
		}
	}
	if err := r.execAll(ctx, alters, "publish in place"); err != nil {
		return err
	}
	r.steps.done("delete the old rows, column changes")
	r.res.RowsLoaded = 0
	for _, sql := range sqls {
		tag, err := r.execKeyed(ctx, sql)
		if err != nil {
			if err := r.constraintError(err, nil, deps.Constraints, info, inPlaceColumns(t, info, dropped)); errors.As(err, new(*ConstraintError)) {
				return err
			}
			return r.inPlaceKeyError(ctx, err, now, deps, key, qstage, upsert)
		}
		r.res.RowsLoaded += tag.RowsAffected()
	}
	if r.res.RowsLoaded != r.res.RowsRead {
		return &RowCountError{What: "rows published versus rows COPYed", Got: r.res.RowsLoaded, Want: r.res.RowsRead}
	}
	if err := r.execAll(ctx, after, "publish in place"); err != nil {
		return err
	}
	r.steps.done("insert")
	if err := r.comments(ctx, r.qtarget, now, ontoSameTable); err != nil {
		return err
	}
	drop := "DROP TABLE " + qstage
	if carry {
		drop += ", " + qkeep
	}
	if err := r.execAll(ctx, []string{drop}, "publish in place"); err != nil {
		return err
	}
	if carry {
		r.warn(fmt.Sprintf("replaced %s %s; rows whose key left the export are gone, new rows get the columns' defaults", r.qtarget, why))
	}
	return r.analyze(ctx, r.qtarget, r.res.RowsLoaded)
}

// inPlaceKeyError is the error of the in-place insert: a duplicate key as
// a [KeyError], looked for in the staging table when the key's columns are
// known (the target's primary key, or the key an upsert met twice).
// Emptied first, the table cannot hold the value already unless keyed.
func (r *loadRun) inPlaceKeyError(ctx context.Context, err error, info *tableInfo, deps *dependents, upsertKey []string, qstage string, keyed bool) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("publish in place: %w", err)
	}
	key, repeat := r.targetKey(info, pe.ConstraintName), RepeatInExport
	if keyed {
		repeat = RepeatInTableOrExport
	}
	if pe.Code == codeCardinalityViolate && keyed {
		if key = r.targetKey(info, info.PrimaryKey); !slices.Equal(key.cols, upsertKey) {
			key = r.fieldKey("unique key", upsertKey)
		}
		repeat = RepeatInExport // the export repeats the key
	}
	if err := r.keyError(ctx, err, qstage, key, repeat); errors.As(err, new(*KeyError)) {
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
