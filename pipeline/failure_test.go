package pipeline

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// malformedTable is a simulator table of 9 rows whose CSV has a value that
// is not an integer in the integer column "Qty" on line 5 (the header is
// line 1).
func malformedTable(id schema.ID, name string) simulator.Table {
	cols := []schema.Column{
		{ID: "9001", Name: "id", Type: "Integer"},
		{ID: "9002", Name: "Qty", Type: "int(11)"},
		{ID: "9003", Name: "note", Type: "String"},
	}
	return simulator.Table{ID: id, Name: name, Columns: cols, Rows: 9,
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			var b strings.Builder
			b.WriteString("id,Qty,note\n")
			for i := 1; i <= 9; i++ {
				qty := fmt.Sprint(i * 10)
				if i == 4 {
					qty = "4O" // a letter O: line 5
				}
				fmt.Fprintf(&b, "%d,%s,\"row %d\"\n", i, qty, i)
			}
			_, err := io.WriteString(w, b.String())
			return err
		}}
}

// TestOneBadTable checks that a table whose CSV holds a malformed row fails
// alone, with an error naming the table, the line and the column, leaving
// no table behind and a failed ledger row, while the others load.
func TestOneBadTable(t *testing.T) {
	t.Parallel()
	good := simulator.Generated(200, 5)
	cfg := faultyConfig(31)
	cfg.Tables = append(good, malformedTable("90", "Bad Table"))
	e := newEnv(t, cfg)
	rep, err := e.runner.Sync(context.Background(), e.opts())
	if err != nil {
		t.Fatalf("Sync: got error %v, want table failures in the report only", err)
	}
	if rep.Status != RunPartial {
		t.Errorf("run status: got %q, want %q", rep.Status, RunPartial)
	}
	if got := rep.Failed(); got != 1 {
		t.Errorf("failed tables: got %d, want 1 (%v)", got, failures(rep))
	}
	bad := bySource(rep)["Bad Table"]
	t.Logf("the bad table's error: %s", bad.Error)
	for _, want := range []string{`"Bad Table"`, "line 5", `column "Qty"`, `"4O"`} {
		if !strings.Contains(bad.Error, want) {
			t.Errorf("error %q does not hold %s", bad.Error, want)
		}
	}
	if bad.Status != StatusFailed || bad.TargetTable != "bad_table" {
		t.Errorf("bad table: got status %q target %q, want failed, bad_table", bad.Status, bad.TargetTable)
	}
	if tableExists(t, e.pool, e.target, "bad_table") {
		t.Error("the bad table exists, want nothing published")
	}
	ledgerErr := mustScalar[string](t, e.pool, "SELECT coalesce(string_agg(error, ';'), '') FROM "+schema.Quote(e.ledger, "loads")+
		" WHERE target_table = 'bad_table' AND status = 'failed'")
	if !strings.Contains(ledgerErr, "line 5") {
		t.Errorf("ledger error of the bad table: got %q, want one naming line 5", ledgerErr)
	}
	e.tables = good
	e.mustEqualSim(t, schema.Options{})
	mustNoTempFiles(t, e.tmp)
}

// TestAllTablesFail checks that a run in which every table fails reports
// RunFailed, with each table's error, and loads nothing.
func TestAllTablesFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     simulator.Config
		wantErr string
	}{
		{
			name:    "malformed rows",
			cfg:     simulator.Config{Tables: []simulator.Table{malformedTable("1", "bad one"), malformedTable("2", "bad two")}},
			wantErr: "line 5",
		},
		{
			name:    "every export ends in Error",
			cfg:     simulator.Config{Tables: simulator.Generated(50, 1), ExportErrorRate: 1},
			wantErr: "export failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.ExportDelay = 5 * time.Millisecond
			e := newEnv(t, tt.cfg)
			rep, err := e.runner.Sync(context.Background(), e.opts())
			if err != nil {
				t.Fatalf("Sync: got error %v, want table failures in the report only", err)
			}
			if rep.Status != RunFailed {
				t.Errorf("run status: got %q, want %q", rep.Status, RunFailed)
			}
			if got := rep.Failed(); got != len(tt.cfg.Tables) || got != len(rep.Tables) {
				t.Errorf("failed tables: got %d of %d, want all %d", got, len(rep.Tables), len(tt.cfg.Tables))
			}
			for _, tr := range rep.Tables {
				if !strings.Contains(tr.Error, tt.wantErr) {
					t.Errorf("%s: got error %q, want one holding %q", tr.Source, tr.Error, tt.wantErr)
				}
			}
			if n := e.ledgerCount(t, "loaded"); n != 0 {
				t.Errorf("loaded ledger rows: got %d, want 0", n)
			}
			// Every failure is in the ledger, also those before the COPY
			// (an export ending in Error), so history shows them.
			if n := e.ledgerCount(t, "failed"); n != int64(len(tt.cfg.Tables)) {
				t.Errorf("failed ledger rows: got %d, want %d (one per table)", n, len(tt.cfg.Tables))
			}
			mustNoTempFiles(t, e.tmp)
		})
	}
}

// TestReportFailureRecorded checks that a figure or chart that fails
// before the loader runs (its export fails, or its CSV cannot be read) is
// in the ledger as a failed load of its table, as a table's failure is, so
// that history shows it and the metrics name its table; and that one the
// API does not know fails in the report alone, no table being nameable
// for it. The table loaded beside it is unaffected.
func TestReportFailureRecorded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		answer          func(w http.ResponseWriter) // the export's answer
		figures, charts []string
		source, target  string // the ledger's; target "" when no row is wanted
		wantErr         string
	}{
		{
			name: "figure export answers 500",
			answer: func(w http.ResponseWriter) {
				http.Error(w, `{"error":"report data is unavailable"}`, http.StatusInternalServerError)
			},
			figures: []string{"360531"},
			source:  "Revenue by Month", target: "figure_revenue_by_month",
			wantErr: "500",
		},
		{
			name:   "chart export without a header",
			answer: func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/csv"); w.WriteHeader(http.StatusOK) },
			charts: []string{"2038112"},
			source: "Customer cohorts", target: "chart_customer_cohorts",
			wantErr: "no header row",
		},
		{
			name:    "figure the API does not know",
			figures: []string{"999"},
			wantErr: "404",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			front := func(w http.ResponseWriter, r *http.Request) bool {
				if tt.answer == nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/export") ||
					!strings.Contains(r.URL.Path, "/figure/") && !strings.Contains(r.URL.Path, "/chart/") {
					return false
				}
				tt.answer(w)
				return true
			}
			e := newEnvFront(t, simulator.Config{Tables: simulator.Generated(50, 1)}, front)
			ctx := context.Background()
			opts := e.opts()
			opts.Tables, opts.Figures, opts.Charts = []string{"sales_order"}, tt.figures, tt.charts
			rep, err := e.runner.Sync(ctx, opts)
			if err != nil {
				t.Fatalf("Sync: %v", err)
			}
			if rep.Status != RunPartial || rep.Failed() != 1 {
				t.Errorf("run: got %q with %v failed, want partial with the report failed", rep.Status, failures(rep))
			}
			var tr TableReport
			for _, entry := range rep.Tables {
				if entry.Kind != "table" {
					tr = entry
				}
			}
			wantTarget := ""
			if tt.target != "" {
				wantTarget = e.target + "." + tt.target
			}
			if tr.Status != StatusFailed || !strings.Contains(tr.Error, tt.wantErr) || tr.Target != wantTarget {
				t.Errorf("report entry: got %q into %q (%s), want failed into %q with %q", tr.Status, tr.Target, tr.Error, wantTarget, tt.wantErr)
			}

			// What `mbiload history` shows.
			history, err := e.loader.History(ctx, 10)
			if err != nil {
				t.Fatalf("History: %v", err)
			}
			var failed []load.LedgerEntry
			for _, le := range history {
				if le.Status == load.StatusFailed {
					failed = append(failed, le)
				}
			}
			if tt.target == "" {
				if len(failed) != 0 {
					t.Errorf("failed ledger rows: got %+v, want none", failed)
				}
				return
			}
			if len(failed) != 1 {
				t.Fatalf("failed ledger rows: got %+v, want one", failed)
			}
			le := failed[0]
			if le.TargetTable != tt.target || le.TargetSchema != e.target || le.SourceTableID != tr.SourceID ||
				le.SourceTable != tt.source || le.RunID != rep.RunID || !strings.Contains(le.Error, tt.wantErr) {
				t.Errorf("ledger: got %s.%s from %s %q in run %s (%s), want %s.%s from %s %q in run %s with %q",
					le.TargetSchema, le.TargetTable, le.SourceTableID, le.SourceTable, le.RunID, le.Error,
					e.target, tt.target, tr.SourceID, tt.source, rep.RunID, tt.wantErr)
			}
			if tableExists(t, e.pool, e.target, tt.target) {
				t.Errorf("%s exists, want nothing published", tt.target)
			}
			labels := map[string]string{"kind": tr.Kind, "source": tt.source, "target": wantTarget}
			if v, ok := find(mustMetrics(t, rep, func(context.Context, string) (float64, error) { return 0, nil }),
				"mbiload_table_failed", labels); !ok || v != 1 {
				t.Errorf("failed series %v: got %v (found %v), want 1", labels, v, ok)
			}
			mustNoTempFiles(t, e.tmp)
		})
	}
}
