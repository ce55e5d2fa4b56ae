package load

import (
	"context"
	"fmt"
)

// A mechanism is one way of writing the export into its target in the
// load's transaction (create, swap, in-place refill, copy, staged insert,
// merge, snapshot): a type holding what choose found for it, whose write
// returns what it did for the Result and the ledger row. A new way of
// loading arrives as one more type and one more case in choose.
type mechanism interface {
	write(ctx context.Context, r *loadRun) (written, error)
}

// written is what a mechanism did.
type written struct {
	// mechanism is one of the Mechanism* constants; reason says why, when
	// it is not the mode's usual one.
	mechanism, reason string
	rows              int64 // written into the target
	// changes are the differences from the existing table, in the order
	// met ([Result.SchemaChanges]).
	changes []string
	// notNull and types are the ledger's record of the NOT NULLs and
	// column types mbiload made (see madeNotNull, madeTypes).
	notNull []string
	types   map[string]string
}

// targetPlan is what a load knows of its target before it writes: read
// once under the load lock by readTarget, read-only from then on.
type targetPlan struct {
	// info is the target as it exists, nil when the load creates it.
	info *tableInfo
	// last is what the target's latest load recorded (its source names,
	// NOT NULLs and types); read for an existing target.
	last *lastNames
	// dist is how Citus spreads the target, or will once the load creates
	// it ([Config.Distribute]); nil for a table it does not spread.
	dist       *distribution
	citusLocal bool // see citusLocal
	// replaceExport makes a snapshot replace its export's rows in the
	// history table, as a forced one does (see checkPublished).
	replaceExport bool
}

// readTarget fills r.plan: the target's catalog entry, its distribution
// (checked against the export, see readTargetDistribution) or, for a
// table the load creates, the one [Config.Distribute] gives it, and its
// last load's record.
func (r *loadRun) readTarget(ctx context.Context) error {
	info, err := lookupTable(ctx, r.tx, r.l.cfg.Schema, r.target)
	if err != nil {
		return err
	}
	r.plan.info = info
	if info == nil {
		r.plan.dist, err = newDistribution(r.l.cfg.Distribute, r.job.Table, r.job.Mode)
		return err
	}
	if err := r.readTargetDistribution(ctx, info); err != nil {
		return err
	}
	if r.plan.last == nil {
		if r.plan.last, err = readLastNames(ctx, r.tx, r.l.ledger, r.l.cfg.Schema, r.target); err != nil {
			return err
		}
	}
	return nil
}

// choose picks the mechanism of the job's mode for the target as planned.
func (r *loadRun) choose(ctx context.Context) (mechanism, error) {
	switch r.job.Mode {
	case ModeReplace:
		return r.chooseReplace(ctx)
	case ModeMerge:
		return r.chooseMerge(ctx)
	case ModeSnapshot:
		return r.chooseSnapshot()
	case ModeAppend:
		return r.chooseAppend(nil)
	}
	return nil, fmt.Errorf("%w: mode %q", ErrInvalidJob, r.job.Mode)
}

// write chooses the mechanism, runs it and records what it did.
func (r *loadRun) write(ctx context.Context) error {
	if err := r.readTarget(ctx); err != nil {
		return err
	}
	m, err := r.choose(ctx)
	if err != nil {
		return err
	}
	w, err := m.write(ctx, r)
	r.res.SchemaChanges = append(r.res.SchemaChanges, w.changes...)
	r.res.Mechanism, r.res.MechanismReason, r.res.RowsLoaded = w.mechanism, w.reason, w.rows
	r.notNull, r.types = w.notNull, w.types
	return err
}
