package load

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// TablePlan is what a load of a table would meet in the database, for a dry
// run: whether the target exists and how the export differs from it.
type TablePlan struct {
	// Schema and Table name the target (for snapshot, <table>_history).
	Schema, Table string
	// Exists says the target table exists.
	Exists bool
	// Changes lists the differences between the export and the existing
	// table, as a replace reports them.
	Changes []string
	// Problems lists what would make the load fail, such as an
	// incompatible column type for append, merge or snapshot.
	Problems []string
	// Distribution says how Citus spreads the table (`distributed by
	// "entity_id"`, "reference"), or would spread it once created
	// ([Config.Distribute]); "" for a table it does not.
	Distribution string
	// DistributionDDL is the statement a first load runs to distribute
	// the table it creates, "" when none.
	DistributionDDL string
}

// Plan reads the catalog and describes what a load of t in mode would meet.
// It changes nothing.
func (l *Loader) Plan(ctx context.Context, t *schema.Table, mode Mode) (TablePlan, error) {
	name := TargetTable(t, mode)
	p := TablePlan{Schema: l.cfg.Schema, Table: name}
	info, err := lookupTable(ctx, l.pool, l.cfg.Schema, name)
	if err != nil {
		return p, fmt.Errorf("plan %s: %w", schema.Quote(l.cfg.Schema, name), err)
	}
	if info == nil {
		d, err := newDistribution(l.cfg.Distribute, t, mode)
		if err != nil {
			p.Problems = append(p.Problems, err.Error())
		} else if d != nil {
			p.Distribution = d.String()
			p.DistributionDDL = distributeStatement(d, schema.Quote(l.cfg.Schema, name)) + ";\n"
		}
		return p, nil
	}
	p.Exists = true
	d, err := readDistribution(ctx, l.pool, l.citus, info.OID)
	if err != nil {
		return p, fmt.Errorf("plan %s: %w", schema.Quote(l.cfg.Schema, name), err)
	}
	if d != nil {
		p.Distribution = d.String()
	}
	owner, err := readOwner(ctx, l.pool, l.ledger, l.cfg.Schema, name)
	if err != nil {
		return p, fmt.Errorf("plan %s: %w", schema.Quote(l.cfg.Schema, name), err)
	}
	if err := owner.refuse(t, mode, schema.Quote(l.cfg.Schema, name)); err != nil {
		p.Problems = append(p.Problems, err.Error())
	}
	var key []int // the key a load of mode builds or keys on
	if mode != ModeSnapshot {
		key = t.PrimaryKey() // a merge's, unless the job names another
	}
	last := &lastNames{}
	if hasOtherColumns(t, info) || mayRelax(t, key, info) || hasRetyped(t, info) {
		if last, err = readLastNames(ctx, l.pool, l.ledger, l.cfg.Schema, name); err != nil {
			return p, fmt.Errorf("plan %s: %w", schema.Quote(l.cfg.Schema, name), err)
		}
	}
	var dropped, retyped []*tableColumn
	p.Changes, dropped, retyped, _ = schemaChanges(t, info, last.cols)
	if mode == ModeReplace { // the owner's types stay (ownerTypes)
		p.Changes, retyped, _ = ownerTypes(t, info, last, p.Changes, retyped)
	}
	if mode == ModeReplace && len(dropped)+len(retyped) > 0 { // see checkViews
		problem, err := l.planViews(ctx, t, info, dropped, retyped)
		if err != nil {
			return p, fmt.Errorf("plan %s: %w", schema.Quote(l.cfg.Schema, name), err)
		}
		if problem != "" {
			p.Problems = append(p.Problems, problem)
		}
	}
	relax := relaxed(t, key, info, last)
	final := keptFinal(t, withoutNotNull(info, relax), nil)
	if mode == ModeReplace { // as a swap would
		final = swapFinal(t, key, withoutNotNull(keptNotNull(info, t, key), relax))
	}
	p.Changes = append(p.Changes, notNullChanges(t, info, final, relax)...)
	if mode != ModeReplace {
		for _, f := range t.Fields {
			if c := info.column(f.Name); c != nil {
				ok, why := compatible(f, c)
				switch {
				case ok:
				case !last.madeType(c) && c.Generated == "" && ownerWritable(f, c): // see ownedColumns
					p.Changes = append(p.Changes, fmt.Sprintf("column %q: the export's %s written into the owner's %s, each value checked to fit", f.Name, f.Type.PG(), c.TypeName))
				default:
					p.Problems = append(p.Problems, fmt.Sprintf("column %q: %s", f.Name, why))
				}
			}
		}
	}
	return p, nil
}

// planViews returns the error a replace would fail with because a view
// uses a column it drops or retypes ("" when none does), reading the
// dependents as the load does, in a read-only transaction.
func (l *Loader) planViews(ctx context.Context, t *schema.Table, info *tableInfo, dropped, retyped []*tableColumn) (string, error) {
	var deps *dependents
	err := pgx.BeginTxFunc(ctx, l.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL search_path = pg_catalog"); err != nil {
			return err
		}
		var err error
		deps, err = readDependents(ctx, tx, info)
		return err
	})
	if err != nil {
		return "", err
	}
	r := &loadRun{l: l, job: Job{Table: t}, target: TargetTable(t, ModeReplace), qtarget: schema.Quote(l.cfg.Schema, TargetTable(t, ModeReplace))}
	if err := r.checkViews(info, deps, dropped, retyped); err != nil {
		return err.Error(), nil
	}
	return "", nil
}
