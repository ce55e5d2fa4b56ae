package pipeline

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract/simulator"
	"github.com/mbiload/mbiload/extract/simulator/simtest"
	"github.com/mbiload/mbiload/schema"
)

// fakeClock is a simulator clock that moves only when told.
type fakeClock = simtest.Clock

func newFakeClock() *fakeClock { return simtest.NewClock(time.Now().Truncate(time.Second)) }

// mustLoad loads America/New_York, the zone of the contract's example.
func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load time zone %s: %v", name, err)
	}
	return loc
}

// TestWaitForUpdate follows the warehouse's update cycles: a run waiting
// for an update loads what was not loaded since the last cycle, finds
// nothing new (after waiting) once everything was, and loads the new data
// once the warehouse completes another cycle. The account's clock is UTC
// (the simulator's default) or New York's, told to mbiload with the
// source time zone; the ledger must hold each export's real instant either
// way.
func TestWaitForUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		loc  *time.Location // nil: the simulator's default, UTC
	}{
		{name: "account in UTC"},
		{name: "account in New York", loc: mustLoad(t, "America/New_York")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			e := newEnv(t, simulator.Config{Tables: simulator.Generated(100, 1), Now: clock.Now, Location: tt.loc})
			ctx := context.Background()
			opts := e.opts()
			opts.WaitForUpdate, opts.UpdatePoll = 300*time.Millisecond, 20*time.Millisecond
			opts.Mapping.SourceTimezone = tt.loc
			n := len(e.tables)

			sync := func(t *testing.T, tables []string, wantStatus string, loaded, upToDate int) *Report {
				t.Helper()
				o := opts
				o.Tables = tables
				start := time.Now()
				rep, err := e.runner.Sync(ctx, o)
				nothingNew := wantStatus == RunNothingNew
				if nothingNew != errors.Is(err, ErrNothingNew) || !nothingNew && err != nil {
					t.Fatalf("Sync: got error %v, want ErrNothingNew: %v", err, nothingNew)
				}
				if nothingNew && time.Since(start) < opts.WaitForUpdate {
					t.Errorf("Sync found nothing new after %s, want it to wait %s first", time.Since(start), opts.WaitForUpdate)
				}
				if rep.Status != wantStatus {
					t.Errorf("run status: got %q, want %q %v", rep.Status, wantStatus, failures(rep))
				}
				counts := map[string]int{}
				for _, tr := range rep.Tables {
					counts[tr.Status]++
				}
				if counts[StatusLoaded] != loaded || counts[StatusUpToDate] != upToDate || len(rep.Tables) != loaded+upToDate {
					t.Errorf("table statuses: got %v, want %d loaded and %d up to date", counts, loaded, upToDate)
				}
				return rep
			}
			mustInstants := func(t *testing.T, since time.Time) {
				t.Helper()
				// The exports were made at the simulator's "now": the ledger
				// must hold that instant, whatever the account's zone.
				off := mustScalar[float64](t, e.pool, "SELECT coalesce(max(abs(extract(epoch FROM exported_at) - $1)), -1) FROM "+
					schema.Quote(e.ledger, "loads")+" WHERE finished_at >= $2", float64(clock.Now().Unix()), since)
				if off < 0 || off > 1 {
					t.Errorf("ledger exported_at: got %v s away from the export's instant, want at most 1", off)
				}
			}

			start := time.Now()
			sync(t, nil, RunSucceeded, n, 0)
			mustInstants(t, start)
			e.mustEqualSim(t, opts.Mapping)

			clock.Advance(time.Minute)
			creates := e.requests.createCount()
			sync(t, nil, RunNothingNew, 0, n)
			if got := e.requests.createCount() - creates; got != 0 {
				t.Errorf("exports created by a run with nothing new: got %d, want 0", got)
			}

			e.complete(t, simulator.Generated(100, 2))
			clock.Advance(time.Second)
			start = time.Now()
			sync(t, []string{"sales_order"}, RunSucceeded, 1, 0)
			sync(t, nil, RunSucceeded, n-1, 1)
			mustInstants(t, start)
			e.mustEqualSim(t, opts.Mapping)

			clock.Advance(time.Minute)
			sync(t, nil, RunNothingNew, 0, n)
		})
	}
}
