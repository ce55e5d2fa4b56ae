package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// TestSecondSync runs a sync twice. Reusing exports, the second run finds
// every export already published and skips it: no new export, no
// download, no ledger row. Without reuse, it exports again and replaces
// every table atomically: two loaded ledger rows per table, data equal.
// Reusing exports with another zero-date rule, it loads every export again
// (the settings shape the rows): no new export, a download and a ledger
// row per table.
func TestSecondSync(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		reuse  time.Duration
		zero   string // the second run's zero-date rule
		status string
	}{
		{name: "reusing exports", reuse: time.Hour, status: StatusSkipped},
		{name: "new exports", status: StatusLoaded},
		{name: "reusing exports, another zero-date rule", reuse: time.Hour, zero: transform.ZeroDatesError, status: StatusLoaded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := faultyConfig(23)
			cfg.Tables = mustCombine(t, simulator.Generated(300, 3), mustSample(t))
			e := newEnv(t, cfg)
			ctx := context.Background()
			first, err := e.runner.Sync(ctx, e.opts())
			if err != nil || first.Status != RunSucceeded {
				t.Fatalf("first Sync: got %v, status %q %v", err, first.Status, failures(first))
			}
			loads, exports := e.ledgerCount(t, ""), e.exportCount(t)
			firstBy := bySource(first)

			rec := newRecorder()
			e.runner.Observer = rec
			opts := e.opts()
			opts.ReuseExports = tt.reuse
			opts.Decode.ZeroDates = tt.zero
			second, err := e.runner.Sync(ctx, opts)
			if err != nil || second.Status != RunSucceeded {
				t.Fatalf("second Sync: got %v, status %q %v", err, second.Status, failures(second))
			}
			for _, tr := range second.Tables {
				prev := firstBy[tr.Source]
				if tr.Status != tt.status {
					t.Errorf("%s: got status %q, want %q", tr.Source, tr.Status, tt.status)
				}
				if sameExport := tr.ExportID == prev.ExportID; sameExport != (tt.reuse > 0) {
					t.Errorf("%s: got export %s after %s, want the same one: %v", tr.Source, tr.ExportID, prev.ExportID, tt.reuse > 0)
				}
				if tr.ExportReused != (tt.reuse > 0) {
					t.Errorf("%s: export reused: got %v, want %v", tr.Source, tr.ExportReused, tt.reuse > 0)
				}
				if tr.Target != prev.Target {
					t.Errorf("%s: target: got %s, want %s as before", tr.Source, tr.Target, prev.Target)
				}
			}
			n := int64(len(cfg.Tables))
			if tt.zero != "" {
				if got := e.ledgerCount(t, "loaded"); got != loads+n {
					t.Errorf("loaded ledger rows: got %d, want %d", got, loads+n)
				}
				if got := e.exportCount(t); got != exports {
					t.Errorf("exports: got %d, want %d as before", got, exports)
				}
				if got := rec.count(StageDownload); got != int(n) {
					t.Errorf("downloads: got %d, want %d", got, n)
				}
				return
			}
			e.mustEqualSim(t, schema.Options{})
			if tt.reuse > 0 {
				if got := e.ledgerCount(t, ""); got != loads {
					t.Errorf("ledger rows: got %d, want %d as before", got, loads)
				}
				if got := e.exportCount(t); got != exports {
					t.Errorf("exports: got %d, want %d as before", got, exports)
				}
				if got := rec.count(StageDownload); got != 0 {
					t.Errorf("downloads: got %d, want none", got)
				}
				return
			}
			if got := e.ledgerCount(t, "loaded"); got != 2*n {
				t.Errorf("loaded ledger rows: got %d, want %d", got, 2*n)
			}
			twice := mustScalar[int64](t, e.pool, "SELECT count(*) FROM (SELECT target_table FROM "+schema.Quote(e.ledger, "loads")+
				" WHERE status = 'loaded' GROUP BY target_table HAVING count(*) = 2 AND count(DISTINCT export_id) = 2) x")
			if twice != n {
				t.Errorf("tables with two loads of two exports in the ledger: got %d, want %d", twice, n)
			}
			swaps := 0
			for _, tr := range second.Tables {
				if tr.Mechanism == "swap" {
					swaps++
				}
			}
			if swaps != len(cfg.Tables) {
				t.Errorf("tables replaced by a swap: got %d, want %d", swaps, len(cfg.Tables))
			}
		})
	}
}

// catalogState is what a dry run must not change: the relations of the
// target and ledger schemas (with their storage, so a TRUNCATE or rewrite
// shows), the schemas, and the ledger.
func (e *env) catalogState(t testing.TB) string {
	t.Helper()
	return mustScalar[string](t, e.pool, `
SELECT coalesce(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || c.relfilenode::text, ',' ORDER BY n.nspname, c.relname), '')
  || ' schemas=' || (SELECT count(*) FROM pg_namespace WHERE nspname IN ($1, $2))
  || ' ledger=' || (SELECT count(*) || '/' || coalesce(max(id), 0) FROM `+schema.Quote(e.ledger, "loads")+`)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ($1, $2)`, e.target, e.ledger)
}

// TestDryRun checks that a dry run plans every table, figure and chart and
// changes nothing: not the catalog, not the ledger, not the simulator's
// exports. Before the first load the plan shows the DDL; after it, that the
// columns are the same.
func TestDryRun(t *testing.T) {
	t.Parallel()
	cfg := simulator.Config{Tables: mustCombine(t, simulator.Generated(100, 1), mustSample(t)), ExportDelay: 10 * time.Millisecond}
	e := newEnv(t, cfg)
	ctx := context.Background()
	opts := e.opts()
	opts.DryRun = true
	opts.Figures = []string{"360531"}
	opts.Charts = []string{"2038112"}

	check := func(t *testing.T, wantPlan string) {
		before, exports, creates := e.catalogState(t), e.exportCount(t), e.requests.createCount()
		rep, err := e.runner.Sync(ctx, opts)
		if err != nil {
			t.Fatalf("dry run: %v", err)
		}
		if rep.Status != RunSucceeded {
			t.Errorf("dry run status: got %q, want %q %v", rep.Status, RunSucceeded, failures(rep))
		}
		if got := len(rep.Tables); got != len(cfg.Tables)+2 {
			t.Errorf("report entries: got %d, want %d", got, len(cfg.Tables)+2)
		}
		for _, tr := range rep.Tables {
			if tr.Status != StatusPlanned {
				t.Errorf("%s: got status %q, want %q", tr.Source, tr.Status, StatusPlanned)
			}
			if tr.Kind == "table" && (!strings.Contains(tr.Plan, wantPlan) || !strings.Contains(tr.Plan, "create a new export")) {
				t.Errorf("%s: plan %q does not hold %q and the export to create", tr.Source, tr.Plan, wantPlan)
			}
			if tr.ExportID != "" {
				t.Errorf("%s: got export id %q, want none", tr.Source, tr.ExportID)
			}
		}
		if after := e.catalogState(t); after != before {
			t.Errorf("catalog changed:\n got %s\nwant %s", after, before)
		}
		if got := e.exportCount(t); got != exports {
			t.Errorf("exports: got %d, want %d as before", got, exports)
		}
		if got := e.requests.createCount() - creates; got != 0 {
			t.Errorf("export-creating requests: got %d, want none", got)
		}
		mustNoTempFiles(t, e.tmp)
	}
	t.Run("before the first load", func(t *testing.T) { check(t, "CREATE TABLE") })
	rep, err := e.runner.Sync(ctx, e.opts())
	if err != nil || rep.Status != RunSucceeded {
		t.Fatalf("Sync: %v %v", err, failures(rep))
	}
	t.Run("after a load", func(t *testing.T) { check(t, "table exists with the same columns") })
}

// TestSyncSnapshotMode syncs in snapshot mode, where every load appends to
// <table>_history: the ledger checks (reuse, wait for update) must look at
// that table, so a re-run skips without downloading, a run with nothing
// new says so, and a run with new exports appends them.
func TestSyncSnapshotMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Tables: simulator.Generated(100, 1)})
	ctx := context.Background()
	opts := e.opts()
	opts.Mode = load.ModeSnapshot
	n := len(e.tables)
	check := func(t *testing.T, rep *Report, err error, wantErr error, status string) {
		t.Helper()
		if !errors.Is(err, wantErr) {
			t.Fatalf("Sync: got error %v, want %v", err, wantErr)
		}
		if len(rep.Tables) != n {
			t.Fatalf("report entries: got %d, want %d", len(rep.Tables), n)
		}
		for _, tr := range rep.Tables {
			if tr.Status != status || !strings.HasSuffix(tr.TargetTable, "_history") || tr.Mode != "snapshot" {
				t.Errorf("%s: got %s into %s (%s), want %s into its _history table", tr.Source, tr.Status, tr.TargetTable, tr.Mode, status)
			}
		}
	}

	plan := opts
	plan.DryRun = true
	rep, err := e.runner.Sync(ctx, plan)
	check(t, rep, err, nil, StatusPlanned)
	if p := bySource(rep)["sales_order"].Plan; !strings.Contains(p, `"sales_order_history"`) || !strings.Contains(p, "_export_id") {
		t.Errorf("plan: got %q, want the _history table and its extra columns", p)
	}

	rep, err = e.runner.Sync(ctx, opts)
	check(t, rep, err, nil, StatusLoaded)

	rec := newRecorder()
	e.runner.Observer = rec
	reuse := opts
	reuse.ReuseExports = time.Hour
	rep, err = e.runner.Sync(ctx, reuse)
	e.runner.Observer = nil
	check(t, rep, err, nil, StatusSkipped)
	if got := rec.count(StageDownload); got != 0 {
		t.Errorf("downloads: got %d, want none", got)
	}

	wait := opts
	wait.WaitForUpdate, wait.updatePoll = 50*time.Millisecond, 10*time.Millisecond
	rep, err = e.runner.Sync(ctx, wait)
	check(t, rep, err, ErrNothingNew, StatusUpToDate)

	rep, err = e.runner.Sync(ctx, opts)
	check(t, rep, err, nil, StatusLoaded)
	for _, st := range e.tables {
		tbl := mustResolve(t, st, e.tables, schema.Options{})
		hist := schema.Quote(e.target, load.HistoryTableName(tbl.Name))
		got := mustScalar[string](t, e.pool, "SELECT count(*) || '/' || count(DISTINCT _export_id) FROM "+hist)
		if want := fmt.Sprintf("%d/2", 2*st.Rows); got != want {
			t.Errorf("%s: got rows/exports %s, want %s", hist, got, want)
		}
	}
}
