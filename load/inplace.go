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
// cannot carry (see blockers): the rows are staged (in the owned columns'
// types), then, under the publish lock, the old rows are deleted, the
// columns brought in line with the export (new ones go last) and the
// staged rows inserted. The table keeps its identity and all it has.
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
// too), or with the columns' defaults for a new key (see keepAside).
//
// Columns the export does not have and no earlier load wrote (a user
// added them) are kept: the new rows get their defaults, identities,
// generated values or NULL. A CHECK, foreign key or exclusion constraint
// the rows break fails the load with a [ConstraintError].
type inPlace struct {
	deps *dependents
	columnChanges
	// extra are the target's columns the export lacks and no load wrote;
	// reasons say why a swap could not carry the table.
	extra   []*tableColumn
	reasons []string
}

// refill is how an in-place refill matches the new rows to the old: key
// (nil: it does not), why that key, and whether it upserts (rows other
// tables reference stay) or carries the user's columns' values by key.
type refill struct {
	key           []string
	why           string
	upsert, carry bool
}

func (m inPlace) write(ctx context.Context, r *loadRun) (written, error) {
	t, info := r.job.Table, r.plan.info
	// A column the export adds is NOT NULL as the metadata says (fieldDef).
	kept, w := r.keepNotNull(info, m.relax, func(k int) bool { return t.Fields[k].Source.NotNull() })
	w.changes = append(m.changes, w.changes...)
	w.types = madeTypes(t, info, m.owned, r.plan.last, exportTypes)
	w.reason = strings.Join(m.reasons, "; ")
	var f refill
	var err error
	if f.key, f.why, err = r.refillKey(ctx, info, m.deps, m.extra); err != nil {
		return w, err
	}
	f.upsert = len(m.deps.FKRefs) > 0
	f.carry = f.key != nil && !f.upsert
	for _, c := range m.retyped {
		if f.key != nil && slices.Contains(f.key, c.Name) {
			return w, &ColumnError{Table: r.qtarget, Column: c.Name, Err: ErrIncompatibleType,
				Detail: fmt.Sprintf("cannot change type from %s in place: it is in the key the rows are matched on (%s)", c.TypeName, f.why)}
		}
	}
	qstage, err := m.stage(ctx, r, kept)
	if err != nil {
		return w, err
	}
	alters, after := m.alterations(r, f.upsert)
	mode := "EXCLUSIVE"
	if len(alters) > 0 {
		mode = "ACCESS EXCLUSIVE"
	}
	if err := r.lockPublish(ctx, []string{r.qtarget}, mode); err != nil {
		return w, err
	}
	r.steps.done("publish lock")
	now, err := r.recheckTarget(ctx, info, m.deps)
	if err != nil {
		return w, err
	}
	if f.key == nil {
		// Values written to the user's columns since refillKey looked
		// (the lock keeps writers out from here on).
		if err := r.refuseValued(ctx, keptColumns(m.extra)); err != nil {
			return w, err
		}
	}
	w.mechanism = MechanismInPlace
	if f.key != nil {
		w.mechanism = MechanismInPlaceKeyed
	}
	if w.rows, err = m.refill(ctx, r, f, qstage, now, alters); err != nil {
		return w, err
	}
	if err := r.execAll(ctx, after, "publish in place"); err != nil {
		return w, err
	}
	r.steps.done("insert")
	if err := r.comments(ctx, r.qtarget, now, ontoSameTable); err != nil {
		return w, err
	}
	if f.carry {
		r.warn(fmt.Sprintf("replaced %s %s; rows whose key left the export are gone, new rows get the columns' defaults", r.qtarget, f.why))
	}
	return w, r.analyze(ctx, r.qtarget, w.rows)
}

// stage creates the staging table with the target's CHECK constraints, so
// that the COPY names the line of a row they refuse, and COPYs into it.
func (m inPlace) stage(ctx context.Context, r *loadRun, kept *tableInfo) (string, error) {
	t, info := r.job.Table, r.plan.info
	qstage, _ := r.stageName()
	var checks, more []string
	for _, c := range stagedChecks(t, info, m.deps) {
		checks = append(checks, "ADD CONSTRAINT "+schema.Quote(c.Name)+" "+c.Def)
	}
	if len(checks) > 0 {
		more = append(more, "ALTER TABLE "+qstage+" "+strings.Join(checks, ", "))
	}
	if err := r.createTable(ctx, qstage, ownerColumnDefs(t, m.owned), tableOptions{more: more}); err != nil {
		return "", err
	}
	if err := r.distributeLike(ctx, qstage); err != nil {
		return "", err
	}
	cols := ownerColumns(t, m.owned)
	refuseNulls(cols, t, t.PrimaryKey(), kept)
	if err := r.copyInto(ctx, qstage, copyFreeze, cols); err != nil {
		return "", r.constraintError(err, nil, m.deps.Constraints, info, t.ColumnNames())
	}
	return qstage, nil
}

// alterations are the column changes, run once the old rows are deleted
// (a retyped column then converts no value), and the NOT NULLs an upsert
// sets after the insert.
func (m inPlace) alterations(r *loadRun, upsert bool) (alters, after []string) {
	t, info := r.job.Table, r.plan.info
	for _, c := range m.dropped {
		alters = append(alters, "ALTER TABLE "+r.qtarget+" DROP COLUMN "+schema.Quote(c.Name))
	}
	for _, c := range m.retyped {
		f := t.Fields[fieldIndexByName(t, c.Name)]
		col := "ALTER TABLE " + r.qtarget + " ALTER COLUMN " + schema.Quote(c.Name)
		if upsert && c.NotNull {
			// The rows kept lose the old values here and get the export's
			// from the upsert; the NOT NULL (unless relaxed) comes back
			// after it.
			alters = append(alters, col+" DROP NOT NULL")
			if !slices.Contains(m.relax, c) {
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
	return append(alters, dropNotNull(r.qtarget, m.relax)...), after
}

// refill deletes the old rows (or, upserting, those whose key left the
// export), runs alters and inserts the staged rows from qstage; now is
// the target as re-read under the publish lock. It returns the rows
// written, which must be the rows COPYed.
func (m inPlace) refill(ctx context.Context, r *loadRun, f refill, qstage string, now *tableInfo, alters []string) (int64, error) {
	t, info := r.job.Table, r.plan.info
	only := "ONLY "
	if info.Kind == "p" {
		only = ""
	}
	names := quoteNames(t.ColumnNames())
	var sqls, drop []string
	drop = append(drop, qstage)
	switch {
	case f.upsert:
		var set []string
		for _, fl := range t.Fields {
			if !slices.Contains(f.key, fl.Name) {
				set = append(set, schema.Quote(fl.Name)+" = EXCLUDED."+schema.Quote(fl.Name))
			}
		}
		del := "DELETE FROM " + only + r.qtarget + " t WHERE NOT EXISTS (SELECT 1 FROM " + qstage + " s WHERE " + strings.Join(keyJoin(f.key), " AND ") + ")"
		if _, err := r.tx.Exec(ctx, del); err != nil {
			if err := r.constraintError(err, nil, m.deps.Constraints, info, inPlaceColumns(t, info, m.dropped)); errors.As(err, new(*ConstraintError)) {
				return 0, err
			}
			return 0, fmt.Errorf("publish in place: delete rows that left the export: %w", err)
		}
		action := "DO NOTHING"
		if len(set) > 0 {
			action = "DO UPDATE SET " + strings.Join(set, ", ")
		}
		sqls = append(sqls, "INSERT INTO "+r.qtarget+" AS t ("+names+") SELECT "+names+" FROM "+qstage+
			" ON CONFLICT ("+quoteNames(f.key)+") "+action)
	case f.carry:
		qkeep, _ := r.stageName()
		carried, err := r.keepAside(ctx, qstage, qkeep, only, f.key, m.extra)
		if err != nil {
			return 0, err
		}
		sqls, drop = append(sqls, carried...), append(drop, qkeep)
	default:
		sqls = append(sqls, "INSERT INTO "+r.qtarget+" ("+names+") SELECT "+names+" FROM "+qstage)
	}
	if !f.upsert {
		if _, err := r.tx.Exec(ctx, "DELETE FROM "+only+r.qtarget); err != nil {
			return 0, fmt.Errorf("publish in place: delete the old rows: %w", err)
		}
	}
	if err := r.execAll(ctx, alters, "publish in place"); err != nil {
		return 0, err
	}
	r.steps.done("delete the old rows, column changes")
	var rows int64
	for _, sql := range sqls {
		tag, err := r.execKeyed(ctx, sql)
		if err != nil {
			if err := r.constraintError(err, nil, m.deps.Constraints, info, inPlaceColumns(t, info, m.dropped)); errors.As(err, new(*ConstraintError)) {
				return 0, err
			}
			return 0, r.inPlaceKeyError(ctx, err, now, m.deps, f.key, qstage, f.upsert)
		}
		rows += tag.RowsAffected()
	}
	if rows != r.res.RowsRead {
		return rows, &RowCountError{What: "rows published versus rows COPYed", Got: rows, Want: r.res.RowsRead}
	}
	return rows, r.execAll(ctx, []string{"DROP TABLE " + strings.Join(drop, ", ")}, "publish in place")
}

// inPlaceKeyError is the error of the in-place insert: a duplicate key as
// a [KeyError], looked for in the staging table (unless keyed, the table
// was emptied first and cannot hold the value already).
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
