package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// copyOptions are the options a load's COPY adds to FORMAT binary.
type copyOptions string

const (
	// copyPlain is a COPY into a table that existed before the load.
	copyPlain copyOptions = ""
	// copyFreeze is a COPY into a table created in the load's
	// transaction: rows are written frozen and all-visible, sparing
	// readers the hint-bit writes and autovacuum the freeze pass over the
	// new table.
	copyFreeze copyOptions = ", FREEZE"
)

// replace makes the target hold exactly the export. The first load creates
// the table in place (nobody sees it before the commit). Later loads build
// a complete staging table (rows, keys, indexes, statistics) and swap it in
// by renames under a short ACCESS EXCLUSIVE lock; when the table has
// dependents a swap cannot carry, they empty and refill it in place.
func (r *loadRun) replace(ctx context.Context) error {
	info, err := lookupTable(ctx, r.tx, r.l.cfg.Schema, r.target)
	if err != nil {
		return err
	}
	if info == nil {
		return r.createAndFill(ctx, nil)
	}
	if err := r.readTargetDistribution(ctx, info); err != nil {
		return err
	}
	deps, err := readDependents(ctx, r.tx, info)
	if err != nil {
		return err
	}
	// Both mechanisms read the last load for the comments anyway (the
	// published check usually has already).
	last, err := r.lastLoad(ctx)
	if err != nil {
		return err
	}
	r.steps.done("read the catalog")
	changes, dropped, retyped, extra := schemaChanges(r.job.Table, info, last.cols)
	changes, retyped, kept := ownerTypes(r.job.Table, info, last, changes, retyped)
	r.res.SchemaChanges = changes
	relax := relaxed(r.job.Table, r.job.Table.PrimaryKey(), info, last)
	if err := r.checkViews(info, deps, dropped, retyped); err != nil {
		return err
	}
	blockers, err := r.extraBlockers(extra)
	if err != nil {
		return err
	}
	if r.citusLocal {
		blockers = append(blockers, "it is a Citus local table")
	}
	if len(deps.Blockers) > 0 || len(blockers) > 0 {
		return r.inPlace(ctx, info, deps, dropped, retyped, relax, extra, kept, append(blockers, deps.Blockers...))
	}
	return r.swap(ctx, info, deps, dropped, relax, kept)
}

// createAndFill creates the target, COPYs into it and adds its primary key
// (named by PostgreSQL's own rule), comments and statistics. A NULL or a
// duplicate in the primary key fails the load with a [RowError] or a
// [KeyError].
func (r *loadRun) createAndFill(ctx context.Context, extra []string) error {
	t := r.job.Table
	pk := t.PrimaryKey()
	if err := r.createTable(ctx, r.qtarget, append(keyedColumnDefs(t, pk), extra...), tableOptions{}); err != nil {
		return err
	}
	if err := r.distributeCreated(ctx); err != nil {
		return err
	}
	r.notNull = createdNotNull(t, pk)
	r.types = madeTypes(t, nil, nil, nil, true)
	cols := fieldColumns(t)
	refuseNulls(cols, t, pk, nil)
	if err := r.copyInto(ctx, r.qtarget, copyFreeze, cols); err != nil {
		return err
	}
	if len(pk) > 0 {
		if err := r.addPrimaryKey(ctx, r.qtarget, "", pk); err != nil {
			return err
		}
		r.steps.done("primary key")
	}
	if err := r.comments(ctx, r.qtarget, nil, ontoNewTable); err != nil {
		return err
	}
	r.steps.done("comments")
	if err := r.analyze(ctx, r.qtarget, r.res.RowsRead); err != nil {
		return err
	}
	r.steps.done("analyze")
	r.res.Mechanism = MechanismCreate
	r.res.RowsLoaded = r.res.RowsRead
	return nil
}

func fieldNames(t *schema.Table, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = t.Fields[i].Name
	}
	return out
}

// checkViews fails when a view or materialized view uses a column the
// replace would drop or retype: it could not be re-pointed.
func (r *loadRun) checkViews(info *tableInfo, deps *dependents, dropped, retyped []*tableColumn) error {
	for _, v := range deps.Views {
		for _, c := range dropped {
			if slices.Contains(v.Columns, c.Num) {
				return &ColumnError{Table: r.qtarget, Column: c.Name, View: v.Name, Detail: "the export no longer has", Err: ErrDependentView}
			}
		}
		for _, c := range retyped {
			if slices.Contains(v.Columns, c.Num) {
				// An append would keep the table's type, and refuse an
				// export whose values need the new one: the view must go.
				return &ColumnError{Table: r.qtarget, Column: c.Name, View: v.Name,
					Detail: fmt.Sprintf("changes type from %s to %s", c.TypeName, r.job.Table.Fields[fieldIndexByName(r.job.Table, c.Name)].Type.PG()),
					Fix:    "drop the view, run the load, then create the view again", Err: ErrDependentView}
			}
		}
	}
	return nil
}

// swap builds the staging table completely, then publishes it by renames.
// The staging table takes over what the old table's owner added to it
// (see planStaging): the COPY meets its NOT NULL columns and CHECK
// constraints, the foreign keys are validated after it. It leaves out the
// NOT NULL of the columns in relax (see relaxed). The columns of kept
// keep the owner's type (see ownerTypes).
func (r *loadRun) swap(ctx context.Context, info *tableInfo, deps *dependents, dropped, relax, kept []*tableColumn) error {
	t := r.job.Table
	qstage, stage := r.stageName()
	pk := t.PrimaryKey()
	plan := planStaging(t, pk, info, deps, qstage, relax, kept)
	final := swapFinal(t, pk, plan.notNull)
	r.res.SchemaChanges = append(r.res.SchemaChanges, notNullChanges(t, info, final, relax)...)
	r.notNull = madeNotNull(t, final, plan.notNull, r.last)
	r.types = madeTypes(t, info, kept, r.last, true)
	if err := r.citusSequential(ctx, deps); err != nil {
		return err
	}
	if err := r.createTable(ctx, qstage, plan.defs, tableOptions{unlogged: info.Persistence == "u", suffix: plan.suffix, more: plan.create}); err != nil {
		return err
	}
	if err := r.distributeLike(ctx, qstage); err != nil {
		return err
	}
	cols := ownerColumns(t, kept)
	refuseNulls(cols, t, pk, plan.notNull)
	if err := r.copyInto(ctx, qstage, copyFreeze, cols); err != nil {
		return r.constraintError(err, nil, deps.Constraints, info, t.ColumnNames())
	}
	renames, finish, err := r.buildKeys(ctx, info, qstage, stage, deps, dropped, plan.early)
	if err != nil {
		return err
	}
	if err := r.analyze(ctx, qstage, r.res.RowsRead); err != nil {
		return err
	}
	r.steps.done("analyze")

	// The publish: everything below runs under the ACCESS EXCLUSIVE lock.
	// Views first: a reader of a view locks the view, then the table.
	var rels []string
	for _, v := range deps.Views {
		rels = append(rels, v.Name)
	}
	rels = append(rels, r.qtarget)
	if err := lockForPublish(ctx, r.tx, rels, info.OID, "ACCESS EXCLUSIVE", r.l.cfg.PublishLockTry, r.l.cfg.LockTimeout, r.log); err != nil {
		return err
	}
	r.steps.done("publish lock")
	now, err := r.recheckTarget(ctx, info, deps)
	if err != nil {
		return err
	}
	acl, err := readACL(ctx, r.tx, now.OID)
	if err != nil {
		return err
	}
	r.steps.done("re-read the catalog")
	old := "mbiload_old_" + randomHex(8)
	pgSchema := r.l.cfg.Schema
	stmts := []string{
		"ALTER TABLE " + r.qtarget + " RENAME TO " + schema.Quote(old),
		"ALTER TABLE " + qstage + " SET SCHEMA " + schema.Quote(pgSchema),
		"ALTER TABLE " + schema.Quote(pgSchema, stage) + " RENAME TO " + schema.Quote(r.target),
	}
	for _, v := range deps.Views {
		stmts = append(stmts, "CREATE OR REPLACE VIEW "+v.Name+withOptions(v.RelOptions)+" AS\n"+strings.TrimSuffix(strings.TrimSpace(v.Def), ";"))
	}
	if err := r.execAll(ctx, stmts, "publish"); err != nil {
		return err
	}
	r.steps.done("renames")
	var newOID uint32
	if err := r.tx.QueryRow(ctx, "SELECT $1::regclass::oid", r.qtarget).Scan(&newOID); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := copyACL(ctx, r.tx, r.qtarget, newOID, acl, func(c string) bool { return fieldIndexByName(t, c) >= 0 }); err != nil {
		return err
	}
	var owner bool
	if err := r.tx.QueryRow(ctx, "SELECT $1 = current_user", now.Owner).Scan(&owner); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if !owner {
		if _, err := r.tx.Exec(ctx, "ALTER TABLE "+r.qtarget+" OWNER TO "+schema.Quote(now.Owner)); err != nil {
			return fmt.Errorf("publish: keep the owner: %w", err)
		}
	}
	if err := r.comments(ctx, r.qtarget, now, ontoNewTable); err != nil {
		return err
	}
	r.steps.done("grants, owner and comments")
	stmts = []string{"DROP TABLE " + schema.Quote(pgSchema, old)}
	for _, rn := range renames {
		stmts = append(stmts, r.renameStatement(rn))
	}
	stmts = append(stmts, finish...)
	if err := r.execAll(ctx, stmts, "publish"); err != nil {
		return err
	}
	r.steps.done("drop the old table, final names")
	r.res.Mechanism = MechanismSwap
	r.res.RowsLoaded = r.res.RowsRead
	return nil
}

func (r *loadRun) execAll(ctx context.Context, stmts []string, what string) error {
	for _, s := range stmts {
		if _, err := r.tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// addPrimaryKey adds the primary key on the fields pk to table
// (quoted), which the load created and filled, named name ("" for
// PostgreSQL's own name). It runs under the key savepoint, so that a
// duplicate can be looked for in the table and named with its lines.
func (r *loadRun) addPrimaryKey(ctx context.Context, table, name string, pk []int) error {
	t := r.job.Table
	constraint := ""
	if name != "" {
		constraint = " CONSTRAINT " + schema.Quote(name)
	}
	_, err := r.execKeyed(ctx, "ALTER TABLE "+table+" ADD"+constraint+" PRIMARY KEY ("+quoteNames(fieldNames(t, pk))+")")
	if err != nil {
		if err := r.keyError(ctx, err, table, r.fieldKey("primary key", fieldNames(t, pk)), RepeatInExport); errors.As(err, new(*KeyError)) {
			return err
		}
		return fmt.Errorf("add the primary key: %w", err)
	}
	return nil
}

// columnNames returns the names of the columns numbered nums (attnums) of
// an existing table, or nil when one is not a plain column.
func columnNames(info *tableInfo, nums []int16) []string {
	out := make([]string, len(nums))
	for k, n := range nums {
		i := slices.IndexFunc(info.Columns, func(c tableColumn) bool { return c.Num == n })
		if i < 0 {
			return nil
		}
		out[k] = info.Columns[i].Name
	}
	return out
}
