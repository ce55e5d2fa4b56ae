package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/mbiload/mbiload/extract"
)

// updateCycle is the warehouse's latest completed update and the tables
// already loaded from it.
type updateCycle struct {
	end     time.Time
	current map[string]bool // target table → loaded from an export made after end
}

func (c *updateCycle) upToDate(target string) bool { return c.current[target] }

// waitForUpdate reads the warehouse's full-update status until it shows a
// completed update cycle that some selected table has not been loaded from
// yet, polling every Options.UpdatePoll for up to Options.WaitForUpdate. A
// table is loaded from a cycle when its last successful load used an export
// created after the cycle ended (both on the account's clock). When the
// wait runs out, it returns ErrNothingNew.
func (r *Runner) waitForUpdate(ctx context.Context, opts Options, tables []extract.Table, names map[string]string) (*updateCycle, error) {
	deadline := time.Now().Add(opts.WaitForUpdate)
	for {
		st, err := r.Client.FullUpdateStatus(ctx)
		if err != nil {
			return nil, err
		}
		cycle := &updateCycle{current: map[string]bool{}}
		if job := st.LastCompletedUpdateJob; job != nil {
			cycle.end = job.End.Time
		}
		stale := 0
		for _, t := range tables {
			target := names[string(t.ID)]
			last, err := r.Loader.LastSuccess(ctx, target)
			if err != nil {
				return nil, err
			}
			if last != nil && !cycle.end.IsZero() && last.ExportedAt.After(cycle.end) {
				cycle.current[target] = true
			} else {
				stale++
			}
		}
		if stale > 0 {
			r.log().Info("warehouse update to load", "update_finished", cycle.end.Format(extract.TimestampLayout),
				"tables_to_load", stale, "tables_up_to_date", len(tables)-stale)
			return cycle, nil
		}
		wait := min(opts.UpdatePoll, time.Until(deadline))
		if wait <= 0 {
			return nil, fmt.Errorf("%w: the last update finished %s and every selected table was loaded after it",
				ErrNothingNew, cycle.end.Format(extract.TimestampLayout))
		}
		r.log().Info("waiting for the warehouse's next update", "last_update_finished", cycle.end.Format(extract.TimestampLayout),
			"next_check_in", wait.Round(time.Second))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}
