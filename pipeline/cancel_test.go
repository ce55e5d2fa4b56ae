package pipeline

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// cancelScale is the generated sales_order's row count in the cancellation
// tests: sales_order_item has 2400 rows, in batches of 256.
const cancelScale = 1200

// TestCancelSync cancels a sync while a table is about to load or in the
// middle of its COPY, on a first load and on a replace: Sync must return
// an error wrapping context.Canceled, and every target table must be as
// it was before (absent, or the previous load) or hold the new export
// whole — the interrupted table the former — with no staging table left,
// no temp file left, and nothing in the way of the next sync.
func TestCancelSync(t *testing.T) {
	t.Parallel()
	const victim = "sales_order_item"
	tests := []struct {
		name  string
		prior bool // a previous load exists
		// trigger cancels the run from the observer.
		trigger func(cancel func()) *recorder
	}{
		{name: "first load, entering the load stage", trigger: cancelAtLoad(victim)},
		{name: "first load, mid-COPY", trigger: cancelMidCopy(victim)},
		{name: "replace, entering the load stage", prior: true, trigger: cancelAtLoad(victim)},
		{name: "replace, mid-COPY", prior: true, trigger: cancelMidCopy(victim)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			old := simulator.Generated(cancelScale, 1)
			e := newEnv(t, simulator.Config{Tables: old})
			opts := e.opts()
			opts.Concurrency = 2
			opts.Decode.BatchRows = 256
			if tt.prior {
				if rep, err := e.runner.Sync(context.Background(), opts); err != nil || rep.Status != RunSucceeded {
					t.Fatalf("first Sync: %v %v", err, failures(rep))
				}
				e.complete(t, simulator.Generated(cancelScale, 2))
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.runner.Observer = tt.trigger(cancel)
			rep, err := e.runner.Sync(ctx, opts)
			e.runner.Observer = nil
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Sync: got error %v, want one wrapping context.Canceled", err)
			}
			if rep.Status != RunFailed || rep.Failed() == 0 {
				t.Errorf("report: got status %q with %d failed, want failed with the interrupted tables", rep.Status, rep.Failed())
			}
			if tr := bySource(rep)[victim]; tr.Status != StatusFailed {
				t.Errorf("%s: got status %q, want failed", victim, tr.Status)
			}

			names := targetNames(apiTables(e.tables), "")
			for i, st := range e.tables {
				allowed := []string{"absent"}
				if tt.prior {
					allowed = []string{"old"}
				}
				if st.Name != victim {
					allowed = append(allowed, "new")
				}
				got := e.tableState(t, names[st.ID], st, old[i], tt.prior)
				if !contains(allowed, got) {
					t.Errorf("%s: got %s, want one of %v", st.Name, got, allowed)
				}
			}

			relations := mustScalar[string](t, e.pool, `SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'u')`, e.ledger)
			if relations != "loads,rejects" {
				t.Errorf("ledger schema tables: got %s, want loads,rejects (no staging table)", relations)
			}
			tables := strings.Split(mustScalar[string](t, e.pool, `SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`, e.target), ",")
			for _, name := range tables {
				if name != "" && !knownTarget(names, name) {
					t.Errorf("target schema holds %q, not a target table", name)
				}
			}
			mustNoTempFiles(t, e.tmp)

			rep, err = e.runner.Sync(context.Background(), opts)
			if err != nil || rep.Status != RunSucceeded {
				t.Fatalf("Sync after the interrupted one: %v %v", err, failures(rep))
			}
			e.mustEqualSim(t, schema.Options{})
		})
	}
}

// tableState tells whether a target table is absent, holds the new
// version of a table, the old one (when there was one), or something else.
func (e *env) tableState(t *testing.T, name string, cur, old simulator.Table, prior bool) string {
	t.Helper()
	if !tableExists(t, e.pool, e.target, name) {
		return "absent"
	}
	target := "TABLE " + schema.Quote(e.target, name)
	versions := []struct {
		label string
		st    simulator.Table
	}{{"new", cur}}
	if prior {
		versions = append(versions, struct {
			label string
			st    simulator.Table
		}{"old", old})
	}
	for _, v := range versions {
		ref := e.mustRef(t, mustResolve(t, v.st, e.tables, schema.Options{}), refName(), mustCSV(t, v.st))
		if sameRows(t, e.pool, target, "TABLE "+ref) {
			return v.label
		}
	}
	return "something else"
}

func knownTarget(names map[schema.ID]string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// cancelAtLoad cancels the run when table enters the load stage.
func cancelAtLoad(table string) func(cancel func()) *recorder {
	return func(cancel func()) *recorder {
		rec := newRecorder()
		rec.onStage = func(tbl, stage string) {
			if tbl == table && stage == StageLoad {
				cancel()
			}
		}
		return rec
	}
}

// cancelMidCopy cancels the run once table has sent 1000 rows.
func cancelMidCopy(table string) func(cancel func()) *recorder {
	return func(cancel func()) *recorder {
		rec := newRecorder()
		var once sync.Once
		rec.onRows = func(tbl string, rows int64) {
			if tbl == table && rows >= 1000 {
				once.Do(cancel)
			}
		}
		return rec
	}
}
