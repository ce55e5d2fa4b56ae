package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/mbiload/mbiload/load"
)

// updateCycle is the warehouse's latest completed update and the last
// successful load of each table (figure, chart) a waiting run writes, as
// read while waiting.
type updateCycle struct {
	end     time.Time                    // the instant the cycle ended
	last    map[string]*load.LedgerEntry // target table → its last load; nil when never loaded
	warning string                       // about the account's time zone (zoneWarning), or ""
	// dryWait, for a dry run that found everything up to date, is how
	// long the real run would wait for the next update (0 otherwise).
	dryWait time.Duration
}

// dryRunPlan is the plan of a table (figure, chart) already loaded from
// the latest update, for a dry run with --wait-for-update: the real run
// does not load it, or, when everything is up to date, waits.
func (c *updateCycle) dryRunPlan(last *load.LedgerEntry) string {
	plan := "up to date: " + alreadyLoaded(last) + ", after the warehouse's last update (finished " +
		c.end.UTC().Format("2006-01-02 15:04 MST") + ")\n"
	if c.dryWait > 0 {
		return plan + fmt.Sprintf("nothing is new: the run would wait up to %s for the warehouse's next update, "+
			"and load this table only if one finishes (else exit 0, nothing to do)\n", c.dryWait)
	}
	return plan + "the run would not load it (other tables have an update to load)\n"
}

// upToDate returns the last load of a target table when it was made from
// the latest cycle (from an export created after it ended), else nil (and
// always nil without a cycle: c nil).
func (c *updateCycle) upToDate(target string) *load.LedgerEntry {
	if c == nil {
		return nil
	}
	if last := c.last[target]; last != nil && !c.end.IsZero() && last.ExportedAt.After(c.end) {
		return last
	}
	return nil
}

// lastSuccess returns the last load of a target table as the wait read
// it; ok is false when the wait did not read it (no cycle, or a table
// not among its targets).
func (c *updateCycle) lastSuccess(target string) (last *load.LedgerEntry, ok bool) {
	if c == nil {
		return nil, false
	}
	last, ok = c.last[target]
	return last, ok
}

// readCycle reads the warehouse's latest completed update and the last
// load of each target, and counts the targets not loaded from it.
func (r *Runner) readCycle(ctx context.Context, loc *time.Location, targets []string) (*updateCycle, int, error) {
	st, err := r.Client.FullUpdateStatus(ctx)
	if err != nil {
		return nil, 0, err
	}
	cycle := &updateCycle{last: make(map[string]*load.LedgerEntry, len(targets))}
	if job := st.LastCompletedUpdateJob; job != nil {
		cycle.end = accountTime(job.End, loc)
		if err := zoneWarning(st.TimezoneAbbreviation, loc, job.End.Time); err != nil {
			cycle.warning = r.errorText(err)
		}
	}
	stale := 0
	for _, target := range targets {
		last, err := r.Loader.LastSuccess(ctx, target)
		if err != nil {
			return nil, 0, err
		}
		cycle.last[target] = last
		if cycle.upToDate(target) == nil {
			stale++
		}
	}
	return cycle, stale, nil
}

// waitForUpdate reads the warehouse's full-update status until it shows a
// completed update cycle that some of targets (the tables a sync writes,
// its figures' and charts' included) has not been loaded from yet,
// polling every Options.updatePoll for up to Options.WaitForUpdate. A
// table is loaded from a cycle when its last successful load used an
// export created after the cycle ended (both as instants: the API's
// wall-clock times are read in Options.Mapping.SourceTimezone, UTC when
// unset); a table never loaded is not. When the wait runs out, it returns
// the cycle with every table up to date and ErrNothingNew.
func (r *Runner) waitForUpdate(ctx context.Context, opts Options, targets []string) (*updateCycle, error) {
	deadline := time.Now().Add(opts.WaitForUpdate)
	loc := opts.Mapping.SourceTimezone
	warned := false
	for {
		cycle, stale, err := r.readCycle(ctx, loc, targets)
		if err != nil {
			return nil, err
		}
		if cycle.warning != "" && !warned {
			r.log().Warn(cycle.warning)
			warned = true
		}
		end := cycle.end.In(time.UTC).Format(time.RFC3339)
		if stale > 0 {
			r.log().Info("warehouse update to load", "update_finished", end,
				"to_load", stale, "up_to_date", len(targets)-stale)
			return cycle, nil
		}
		wait := min(opts.updatePoll, time.Until(deadline))
		if wait <= 0 {
			return cycle, fmt.Errorf("%w: the last update finished %s and everything selected was loaded after it",
				ErrNothingNew, end)
		}
		r.log().Info("waiting for the warehouse's next update", "last_update_finished", end,
			"next_check_in", wait.Round(time.Second))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}
