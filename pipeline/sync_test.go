package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// syncScale is the generated sales_order's row count in the end-to-end
// tests (sales_order_item has twice as many).
const syncScale = 2000

// TestSyncWithFaults runs a sync against a simulator that fails requests
// (5xx, 429, resets), cuts downloads, expires exports before their
// download, keeps exports pending and serves the lenient shapes, over the
// generated warehouse (hostile names included) and the Magento sample:
// every table must load and equal PostgreSQL's own reading of the CSV,
// and the report and metrics must say so.
func TestSyncWithFaults(t *testing.T) {
	t.Parallel()
	cfg := faultyConfig(11)
	// A name with a quote, a backslash and a line feed, for the metrics'
	// label escaping.
	hostile := tinyTable("99", "weird \"quoted\" \\ name\nsecond line")
	cfg.Tables = mustCombine(t, simulator.Generated(syncScale, 7), mustSample(t), []simulator.Table{hostile})
	e := newEnv(t, cfg)
	rec := newRecorder()
	e.runner.Observer = rec
	ctx := context.Background()

	start := time.Now()
	rep, err := e.runner.Sync(ctx, e.opts())
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	t.Logf("sync of %d tables with faults: %s", len(cfg.Tables), time.Since(start).Round(time.Millisecond))
	if rep.Status != RunSucceeded {
		t.Errorf("run status: got %q, want %q (%+v)", rep.Status, RunSucceeded, failures(rep))
	}
	if len(rep.Tables) != len(cfg.Tables) {
		t.Fatalf("report tables: got %d, want %d", len(rep.Tables), len(cfg.Tables))
	}
	e.mustEqualSim(t, schema.Options{})
	mustNoTempFiles(t, e.tmp)
	faults := e.requests.faultCounts()
	for _, kind := range []string{"server error", "throttle", "reset", "drop"} {
		if faults[kind] == 0 {
			t.Errorf("faults injected: got %v, want some of kind %q", faults, kind)
		}
	}
	if got := len(rec.done); got != len(cfg.Tables) {
		t.Errorf("observer Done events: got %d, want %d", got, len(cfg.Tables))
	}

	path := filepath.Join(t.TempDir(), "report.json")
	if err := rep.WriteJSON(path); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	mustValidReport(t, e, path, cfg.Tables)

	last := func(ctx context.Context, table string) (float64, error) {
		le, err := e.loader.LastSuccess(ctx, table)
		if err != nil || le == nil {
			return 0, err
		}
		return float64(le.FinishedAt.Unix()), nil
	}
	metrics := mustMetrics(t, rep, last)
	names := targetNames(apiTables(cfg.Tables), "")
	for _, st := range cfg.Tables {
		labels := map[string]string{"kind": "table", "source": st.Name, "target": e.target + "." + names[st.ID]}
		rows, ok := find(metrics, "mbiload_table_rows_loaded", labels)
		if !ok || int64(rows) != st.Rows {
			t.Errorf("%s: rows_loaded metric: got %v (present %v), want %d", st.Name, rows, ok, st.Rows)
		}
		ts, _ := find(metrics, "mbiload_table_last_success_timestamp_seconds", labels)
		if age := time.Since(time.Unix(int64(ts), 0)); age < 0 || age > time.Minute {
			t.Errorf("%s: last success metric: got %v (%s ago), want within the last minute", st.Name, ts, age)
		}
		if v, _ := find(metrics, "mbiload_table_failed", labels); v != 0 {
			t.Errorf("%s: failed metric: got %v, want 0", st.Name, v)
		}
	}
	if v, _ := find(metrics, "mbiload_run_success", map[string]string{"command": "sync"}); v != 1 {
		t.Errorf("run success metric: got %v, want 1", v)
	}
}

// failures lists the failed tables of a report with their errors.
func failures(rep *Report) map[string]string {
	out := map[string]string{}
	for _, tr := range rep.Tables {
		if tr.Status == StatusFailed {
			out[tr.Source] = tr.Error
		}
	}
	return out
}

// jsonReport is the report as a monitoring job would decode it, with the
// field names spelled out, so a renamed JSON key fails the test.
type jsonReport struct {
	RunID      string    `json:"run_id"`
	Command    string    `json:"command"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Status     string    `json:"status"`
	Tables     []struct {
		Kind         string             `json:"kind"`
		SourceID     string             `json:"source_id"`
		Source       string             `json:"source"`
		Target       string             `json:"target"`
		TargetSchema string             `json:"target_schema"`
		TargetTable  string             `json:"target_table"`
		Mode         string             `json:"mode"`
		ExportID     string             `json:"export_id"`
		Status       string             `json:"status"`
		Mechanism    string             `json:"mechanism"`
		RowsRead     int64              `json:"rows_read"`
		RowsLoaded   int64              `json:"rows_loaded"`
		Bytes        int64              `json:"bytes"`
		Durations    map[string]float64 `json:"durations_seconds"`
		Error        string             `json:"error"`
		FinishedAt   time.Time          `json:"finished_at"`
	} `json:"tables"`
}

// mustValidReport decodes a report file of a successful sync of tables
// and checks every field a monitoring job would read against the ledger.
func mustValidReport(t *testing.T, e *env, path string, tables []simulator.Table) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep jsonReport
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("decode report: %v", err)
	}
	if rep.RunID == "" || rep.Command != "sync" || rep.Status != RunSucceeded {
		t.Errorf("report head: got run %q command %q status %q, want a run id, sync, succeeded", rep.RunID, rep.Command, rep.Status)
	}
	if rep.StartedAt.IsZero() || rep.FinishedAt.Before(rep.StartedAt) {
		t.Errorf("report times: got %v to %v", rep.StartedAt, rep.FinishedAt)
	}
	names := targetNames(apiTables(tables), "")
	byID := map[string]simulator.Table{}
	for _, st := range tables {
		byID[string(st.ID)] = st
	}
	ledger := map[string]string{} // target table → export id of its latest load
	rows, err := e.pool.Query(context.Background(), "SELECT target_table, export_id FROM "+schema.Quote(e.ledger, "loads")+
		" WHERE status = 'loaded' AND run_id = $1", rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, export string
		if err := rows.Scan(&table, &export); err != nil {
			t.Fatal(err)
		}
		ledger[table] = export
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rep.Tables) != len(tables) {
		t.Fatalf("report tables: got %d, want %d", len(rep.Tables), len(tables))
	}
	for _, tr := range rep.Tables {
		st, ok := byID[tr.SourceID]
		if !ok {
			t.Errorf("report table %q: unknown source id %q", tr.Source, tr.SourceID)
			continue
		}
		want := names[st.ID]
		switch {
		case tr.Kind != "table" || tr.Source != st.Name || tr.Mode != "replace" || tr.Status != StatusLoaded:
			t.Errorf("%s: got kind %q source %q mode %q status %q, want table, %q, replace, loaded", st.Name, tr.Kind, tr.Source, tr.Mode, tr.Status, st.Name)
		case tr.TargetSchema != e.target || tr.TargetTable != want || tr.Target != e.target+"."+want:
			t.Errorf("%s: got target %q (%q, %q), want %s.%s", st.Name, tr.Target, tr.TargetSchema, tr.TargetTable, e.target, want)
		case tr.ExportID == "" || ledger[want] != tr.ExportID:
			t.Errorf("%s: got export id %q, want the ledger's %q", st.Name, tr.ExportID, ledger[want])
		case tr.RowsLoaded != st.Rows || tr.RowsRead != st.Rows:
			t.Errorf("%s: got %d rows read and %d loaded, want %d", st.Name, tr.RowsRead, tr.RowsLoaded, st.Rows)
		case tr.Bytes <= 0 || tr.Mechanism != "create" || tr.Error != "":
			t.Errorf("%s: got %d bytes, mechanism %q, error %q", st.Name, tr.Bytes, tr.Mechanism, tr.Error)
		}
		var sum float64
		for _, stage := range []string{"metadata", "export", "wait", "download", "load", "total"} {
			d, ok := tr.Durations[stage]
			if !ok || d < 0 {
				t.Errorf("%s: duration %q: got %v (present %v), want ≥ 0", st.Name, stage, d, ok)
			}
			if stage != "total" {
				sum += d
			}
		}
		if total := tr.Durations["total"]; total <= 0 || sum > total+1e-3 {
			t.Errorf("%s: durations: stages sum to %v, total %v", st.Name, sum, total)
		}
		if tr.FinishedAt.Before(rep.StartedAt) || tr.FinishedAt.After(rep.FinishedAt) {
			t.Errorf("%s: finished at %v, outside the run (%v to %v)", st.Name, tr.FinishedAt, rep.StartedAt, rep.FinishedAt)
		}
	}
}
