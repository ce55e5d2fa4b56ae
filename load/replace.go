package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// copyOptions are what a load's COPY adds to FORMAT binary.
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

// chooseReplace picks how a replace makes the target hold exactly the
// export: create for a first load, else a swap, or inPlace when the table
// has dependents a swap cannot carry.
func (r *loadRun) chooseReplace(ctx context.Context) (mechanism, error) {
	t, info, last := r.job.Table, r.plan.info, r.plan.last
	if info == nil {
		return create{key: t.PrimaryKey(), analyze: true}, nil
	}
	deps, err := readDependents(ctx, r.tx, info)
	if err != nil {
		return nil, err
	}
	r.steps.done("read the catalog")
	changes, dropped, retyped, extra := schemaChanges(t, info, last.cols)
	changes, retyped, kept := ownerTypes(t, info, last, changes, retyped)
	relax := relaxed(t, t.PrimaryKey(), info, last)
	if err := r.checkViews(info, deps, dropped, retyped); err != nil {
		return nil, err
	}
	blockers, err := r.extraBlockers(extra)
	if err != nil {
		return nil, err
	}
	if r.plan.citusLocal {
		blockers = append(blockers, "it is a Citus local table")
	}
	c := columnChanges{changes: changes, dropped: dropped, relax: relax, owned: kept}
	if len(deps.Blockers) > 0 || len(blockers) > 0 {
		c.retyped = retyped
		return inPlace{deps: deps, columnChanges: c, extra: extra, reasons: append(blockers, deps.Blockers...)}, nil
	}
	return swap{deps: deps, columnChanges: c}, nil
}

// columnChanges are how the export's columns differ from the existing
// target's: the changes reported, the columns dropped, retyped, relaxed
// (see relaxed) and owned (keeping the owner's type, see ownerTypes).
type columnChanges struct {
	changes                        []string
	dropped, retyped, relax, owned []*tableColumn
}

// create is a first load: the target is created in the load's
// transaction (nobody sees it before the commit) and filled; a NULL or a
// duplicate in key fails the load with a [RowError] or a [KeyError].
type create struct {
	key     []int
	extras  []extraColumn
	analyze bool // a replace writes the statistics
}

func (m create) write(ctx context.Context, r *loadRun) (written, error) {
	t := r.job.Table
	w := written{notNull: createdNotNull(t, m.key), types: madeTypes(t, nil, nil, nil, exportTypes)}
	defs, cols := keyedColumnDefs(t, m.key), fieldColumns(t)
	for _, e := range m.extras {
		defs = append(defs, schema.Quote(e.name)+" "+e.def)
		cols = append(cols, e.col)
	}
	if err := r.createTarget(ctx, defs); err != nil {
		return w, err
	}
	refuseNulls(cols, t, m.key, nil)
	if err := r.copyInto(ctx, r.qtarget, copyFreeze, cols); err != nil {
		return w, err
	}
	if len(m.key) > 0 {
		if err := r.addPrimaryKey(ctx, r.qtarget, "", m.key); err != nil {
			return w, err
		}
		r.steps.done("primary key")
	}
	if err := r.comments(ctx, r.qtarget, nil, ontoNewTable); err != nil {
		return w, err
	}
	r.steps.done("comments")
	if m.analyze {
		if err := r.analyze(ctx, r.qtarget, r.res.RowsRead); err != nil {
			return w, err
		}
		r.steps.done("analyze")
	}
	w.mechanism, w.rows = MechanismCreate, r.res.RowsRead
	return w, nil
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

// swap builds a complete staging table (rows, keys, indexes, statistics),
// taking over what the old table's owner added to it (see planStaging),
// then publishes it by renames under a short ACCESS EXCLUSIVE lock.
type swap struct {
	deps *dependents
	columnChanges
}

func (m swap) write(ctx context.Context, r *loadRun) (written, error) {
	t, info := r.job.Table, r.plan.info
	qstage, stage := r.stageName()
	pk := t.PrimaryKey()
	plan := planStaging(t, pk, info, m.deps, qstage, m.relax, m.owned)
	final := swapFinal(t, pk, plan.notNull)
	w := written{changes: append(m.changes, notNullChanges(t, info, final, m.relax)...),
		notNull: madeNotNull(t, final, plan.notNull, r.plan.last), types: madeTypes(t, info, m.owned, r.plan.last, exportTypes)}
	if err := r.citusSequential(ctx, m.deps); err != nil {
		return w, err
	}
	if err := r.createTable(ctx, qstage, plan.defs, tableOptions{unlogged: info.Persistence == "u", suffix: plan.suffix, more: plan.create}); err != nil {
		return w, err
	}
	if err := r.distributeLike(ctx, qstage); err != nil {
		return w, err
	}
	cols := ownerColumns(t, m.owned)
	refuseNulls(cols, t, pk, plan.notNull)
	if err := r.copyInto(ctx, qstage, copyFreeze, cols); err != nil {
		return w, r.constraintError(err, nil, m.deps.Constraints, info, t.ColumnNames())
	}
	renames, finish, err := r.buildKeys(ctx, info, qstage, stage, m.deps, m.dropped, plan.early)
	if err != nil {
		return w, err
	}
	if err := r.analyze(ctx, qstage, r.res.RowsRead); err != nil {
		return w, err
	}
	r.steps.done("analyze")
	if err := m.publish(ctx, r, qstage, stage); err != nil {
		return w, err
	}
	var stmts []string
	for _, rn := range renames {
		stmts = append(stmts, r.renameStatement(rn))
	}
	if err := r.execAll(ctx, append(stmts, finish...), "publish"); err != nil {
		return w, err
	}
	r.steps.done("drop the old table, final names")
	w.mechanism, w.rows = MechanismSwap, r.res.RowsRead
	return w, nil
}

// publish puts the staging table stage (qstage quoted) in the target's
// place under the ACCESS EXCLUSIVE lock, re-pointing the views and
// carrying over the grants, owner and comments.
func (m swap) publish(ctx context.Context, r *loadRun, qstage, stage string) error {
	// Views first: a reader of a view locks the view, then the table.
	var rels []string
	for _, v := range m.deps.Views {
		rels = append(rels, v.Name)
	}
	rels = append(rels, r.qtarget)
	if err := r.lockPublish(ctx, rels, "ACCESS EXCLUSIVE"); err != nil {
		return err
	}
	r.steps.done("publish lock")
	now, err := r.recheckTarget(ctx, r.plan.info, m.deps)
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
	for _, v := range m.deps.Views {
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
	t := r.job.Table
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
	return r.execAll(ctx, []string{"DROP TABLE " + schema.Quote(pgSchema, old)}, "publish")
}

func (r *loadRun) execAll(ctx context.Context, stmts []string, what string) error {
	for _, s := range stmts {
		if _, err := r.tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// addPrimaryKey adds the primary key on the fields pk, named name (""
// for PostgreSQL's own name), to table (quoted), which the load filled,
// under the key savepoint (see keyError).
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
