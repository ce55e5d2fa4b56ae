package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// e2eReport is the part of a --report file the tests read.
type e2eReport struct {
	RunID   string `json:"run_id"`
	Command string `json:"command"`
	Status  string `json:"status"`
	Tables  []struct {
		Source      string             `json:"source"`
		Target      string             `json:"target"`
		TargetTable string             `json:"target_table"`
		ExportID    string             `json:"export_id"`
		Status      string             `json:"status"`
		RowsLoaded  int64              `json:"rows_loaded"`
		Durations   map[string]float64 `json:"durations_seconds"`
		Error       string             `json:"error"`
	} `json:"tables"`
}

// TestSyncEndToEnd runs the nightly job's commands in process against a
// simulator and a real PostgreSQL, as a login with a password: a dry run
// on a fresh database (which must create nothing), a sync writing a report
// and metrics, a dry run after it, a second sync reusing the exports, the
// history, and load-file. No output, report or metrics file may hold the
// API key or the database password.
func TestSyncEndToEnd(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	db := mustE2EDB(t)
	db.env(t)
	dir := t.TempDir()
	reportPath, metricsPath := filepath.Join(dir, "run.json"), filepath.Join(dir, "mbiload.prom")
	gen := magentogen.Warehouse(cliScale, 1)
	var outputs []string // everything printed or written, for the leak check
	run := func(t *testing.T, wantCode int, args ...string) result {
		t.Helper()
		r := runCLI(t.Context(), sim.api(append(args, "--log-level", "debug")...)...)
		outputs = append(outputs, r.output())
		if r.code != wantCode {
			t.Fatalf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", args, r.code, wantCode, r.stdout, r.stderr)
		}
		return r
	}

	t.Run("dry run and history on a fresh database", func(t *testing.T) {
		r := run(t, 0, "sync", "--dry-run", "--progress", "none")
		if n := strings.Count(r.stdout, "CREATE TABLE"); n != len(gen) {
			t.Errorf("plans with DDL: got %d, want %d\n%s", n, len(gen), r.stdout)
		}
		if !strings.Contains(r.stdout, "not set up yet") || !strings.Contains(r.stdout, `"`+db.target+`"."sales_order"`) {
			t.Errorf("stdout: got %q, want plans into %s saying the warehouse is not set up", r.stdout, db.target)
		}
		if r := run(t, 0, "history"); !strings.Contains(r.stdout, "no loads yet") {
			t.Errorf("history before any load: got %q, want it to say there are no loads", r.stdout)
		}
		if r := run(t, 0, "history", "--json"); strings.TrimSpace(r.stdout) != "[]" {
			t.Errorf("history --json before any load: got %q, want []", r.stdout)
		}
		for _, s := range []string{db.target, db.ledger} {
			if db.schemaExists(t, s) {
				t.Errorf("schema %s exists after a dry run and history, want nothing created", s)
			}
		}
		if exps, err := sim.c.Exports(t.Context()); err != nil || len(exps) != 0 {
			t.Errorf("exports after a dry run: got %d (%v), want none", len(exps), err)
		}
	})

	sim.mustExportAll(t)
	t.Run("sync with a report and metrics", func(t *testing.T) {
		r := run(t, 0, "sync", "--reuse-exports", "1h", "--report", reportPath, "--metrics-file", metricsPath, "--progress", "none")
		if !strings.Contains(r.stdout, "SOURCE") || strings.Count(r.stdout, " loaded ") != len(gen) {
			t.Errorf("summary: got %q, want a table with %d loaded rows", r.stdout, len(gen))
		}
		data, err := os.ReadFile(reportPath)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(data))
		var rep e2eReport
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatalf("decode the report: %v", err)
		}
		if rep.Command != "sync" || rep.Status != "succeeded" || len(rep.Tables) != len(gen) {
			t.Fatalf("report: got %s %s with %d tables, want a succeeded sync of %d", rep.Command, rep.Status, len(rep.Tables), len(gen))
		}
		metrics := mustMetricsFile(t, metricsPath)
		mdata, _ := os.ReadFile(metricsPath)
		outputs = append(outputs, string(mdata))
		for _, tr := range rep.Tables {
			g := magentogen.Find(gen, tr.Source)
			if g == nil {
				t.Errorf("report: unknown table %q", tr.Source)
				continue
			}
			if tr.Status != "loaded" || tr.RowsLoaded != g.Rows || tr.ExportID == "" || tr.Durations["total"] <= 0 {
				t.Errorf("%s: got %s, %d rows, export %q, %v s; want loaded, %d rows", tr.Source, tr.Status, tr.RowsLoaded, tr.ExportID, tr.Durations["total"], g.Rows)
			}
			if n := db.count(t, tr.TargetTable); n != g.Rows {
				t.Errorf("%s: table holds %d rows, want %d", tr.Source, n, g.Rows)
			}
			labels := `{kind="table",source="` + tr.Source + `",target="` + tr.Target + `"}`
			if v := metrics["mbiload_table_rows_loaded"+labels]; v != float64(g.Rows) {
				t.Errorf("metric rows_loaded%s: got %v, want %d", labels, v, g.Rows)
			}
			if v := metrics["mbiload_table_last_success_timestamp_seconds"+labels]; time.Since(time.Unix(int64(v), 0)) > time.Minute {
				t.Errorf("metric last_success%s: got %v, want about now", labels, v)
			}
		}
		if v, ok := metrics[`mbiload_run_success{command="sync"}`]; !ok || v != 1 {
			t.Errorf("metric run_success: got %v (present %v), want 1", v, ok)
		}
	})

	t.Run("dry run after the load", func(t *testing.T) {
		ledger := db.scalar(t, "SELECT count(*) FROM "+schema.Quote(db.ledger, "loads"))
		r := run(t, 0, "sync", "--dry-run", "--progress", "none")
		if n := strings.Count(r.stdout, "same columns"); n != len(gen) {
			t.Errorf("plans of unchanged tables: got %d, want %d\n%s", n, len(gen), r.stdout)
		}
		if got := db.scalar(t, "SELECT count(*) FROM "+schema.Quote(db.ledger, "loads")); got != ledger {
			t.Errorf("ledger rows: got %s, want %s", got, ledger)
		}
	})

	t.Run("second sync reusing the exports", func(t *testing.T) {
		r := run(t, 0, "sync", "--reuse-exports", "1h", "--progress", "none")
		if n := strings.Count(r.stdout, " skipped "); n != len(gen) {
			t.Errorf("skipped tables: got %d, want %d\n%s", n, len(gen), r.stdout)
		}
	})

	t.Run("history", func(t *testing.T) {
		r := run(t, 0, "history")
		for _, want := range []string{"TARGET", db.target + ".sales_order", "loaded", "replace"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("history: got %q, want it to hold %q", r.stdout, want)
			}
		}
		r = run(t, 0, "history", "--json", "--table", "sales_order", "--limit", "5")
		var entries []struct {
			TargetTable string `json:"target_table"`
			Status      string `json:"status"`
			RowsLoaded  int64  `json:"rows_loaded"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
			t.Fatalf("decode history: %v\n%s", err, r.stdout)
		}
		if len(entries) != 1 || entries[0].TargetTable != "sales_order" || entries[0].RowsLoaded != cliScale {
			t.Errorf("history of sales_order: got %+v, want its one load of %d rows", entries, cliScale)
		}
	})

	t.Run("load-file", func(t *testing.T) {
		so := magentogen.Find(gen, "sales_order")
		var zipData bytes.Buffer
		if err := so.WriteZip(context.Background(), &zipData, "sales_order.csv"); err != nil {
			t.Fatal(err)
		}
		cols, err := schema.MarshalColumns(so.Columns)
		if err != nil {
			t.Fatal(err)
		}
		colsPath, zipPath := filepath.Join(dir, "so.columns.json"), filepath.Join(dir, "so.zip")
		for path, data := range map[string][]byte{colsPath: cols, zipPath: zipData.Bytes()} {
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		args := []string{"load-file", zipPath, "--table", "orders from a file", "--columns", colsPath, "--progress", "none"}
		r := run(t, 0, args...)
		if !strings.Contains(r.stdout, "orders_from_a_file") || db.count(t, "orders_from_a_file") != cliScale {
			t.Errorf("load-file: got %q and %d rows, want %d rows in orders_from_a_file", r.stdout, db.count(t, "orders_from_a_file"), cliScale)
		}
		r = run(t, 0, args...)
		if !strings.Contains(r.stdout, "skipped") {
			t.Errorf("load-file again: got %q, want it skipped", r.stdout)
		}
		if err := os.WriteFile(zipPath, zipData.Bytes()[:zipData.Len()/2], 0o600); err != nil {
			t.Fatal(err)
		}
		before := db.digest(t, "orders_from_a_file")
		r = run(t, 1, args...)
		if !strings.Contains(r.stderr, "zip") {
			t.Errorf("load-file of a corrupt zip: got %q, want an error about the zip", r.stderr)
		}
		if after := db.digest(t, "orders_from_a_file"); after != before {
			t.Errorf("table after a failed load-file: got %s, want %s as before", after, before)
		}
	})

	for i, out := range outputs {
		checkNoSecret(t, "output "+string(rune('A'+i%26)), out, cliKey, db.password)
	}
	if len(outputs) < 10 {
		t.Errorf("outputs checked for secrets: got %d, want every run's", len(outputs))
	}
}

// TestSyncExitCodes checks the exit codes of sync: 0 when every table
// loads (or there is nothing new), 3 when some fail, 1 when all fail or the
// run cannot start, 2 for a usage mistake; and that the database password
// never shows, even in a connection error.
func TestSyncExitCodes(t *testing.T) {
	db := mustE2EDB(t)
	db.env(t)
	good := mustCLISim(t, simulator.Config{})
	good.mustExportAll(t)
	withBad := mustCLISim(t, simulator.Config{Tables: append(simulator.Generated(cliScale, 1), badTable("9", "bad table"))})
	withBad.mustExportAll(t)
	allFail := mustCLISim(t, simulator.Config{ExportErrorRate: 1})
	u, err := url.Parse(db.url)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = mustFreeAddr(t) // nothing listens there
	unreachable := u.String()
	tests := []struct {
		name     string
		sim      *cliSim
		args     []string
		env      map[string]string
		wantCode int
		stdout   string
		stderr   string
	}{
		{name: "all loaded", sim: good, args: []string{"sync", "--reuse-exports", "1h"}, wantCode: 0, stdout: "loaded"},
		{name: "nothing new", sim: good, args: []string{"sync", "--wait-for-update", "100ms"}, wantCode: 0, stdout: "nothing to do"},
		{name: "nothing new, unknown figure", sim: good, args: []string{"sync", "--wait-for-update", "100ms", "--figures", "999"},
			wantCode: 3, stdout: "nothing to do", stderr: "no figure 999"},
		{name: "one table fails", sim: withBad, args: []string{"sync", "--reuse-exports", "1h"}, wantCode: 3,
			stdout: `"bad table" line 3 column "n"`, stderr: "1 of 6 tables failed"},
		{name: "every table fails", sim: allFail, args: []string{"sync"}, wantCode: 1, stderr: "all 5 tables failed"},
		{name: "unknown table", sim: good, args: []string{"sync", "--tables", "sales_ordr"}, wantCode: 1, stderr: `table pattern "sales_ordr": pipeline: no such table: no table has that id or name (--tables)`},
		{name: "an argument", sim: good, args: []string{"sync", "sales_order"}, wantCode: 2, stderr: "sync takes no arguments"},
		{name: "no database", sim: good, args: []string{"sync"}, env: map[string]string{"DATABASE_URL": ""}, wantCode: 2, stderr: "no database"},
		{name: "database unreachable", sim: good, args: []string{"sync"}, env: map[string]string{"DATABASE_URL": unreachable},
			wantCode: 1, stderr: "connect to PostgreSQL"},
		{name: "bad database URL", sim: good, args: []string{"sync"}, env: map[string]string{"DATABASE_URL": "postgres://x:" + db.password + "@[::1"},
			wantCode: 2, stderr: "not a valid PostgreSQL connection string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			r := runCLI(t.Context(), tt.sim.api(append(tt.args, "--progress", "none", "--log-level", "debug")...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("got stdout %q and stderr %q, want them to hold %q and %q", r.stdout, r.stderr, tt.stdout, tt.stderr)
			}
			checkNoSecret(t, "output", r.output(), cliKey, db.password)
		})
	}
}

// TestDemo runs the demo (the README's first command) against the test
// database as a login with a password, on a small warehouse plus the
// Magento sample: every table, the figure and the chart load, the SQL
// report prints, and no secret shows.
func TestDemo(t *testing.T) {
	db := mustE2EDB(t)
	db.env(t)
	r := runCLI(t.Context(), "demo", "--scale", "300", "--sample-dir", "../../../shared/data/magento-sample", "--progress", "none")
	if r.code != 0 {
		t.Fatalf("demo: exit code %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"serving the Magento sample tables", "figure_revenue_by_month", "chart_customer_cohorts",
		"revenue by month", "best-selling products", "==> done in"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout: want it to hold %q\n%s", want, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, " loaded "); n != 5+8+2 {
		t.Errorf("loaded entries: got %d, want 15 (5 generated tables, 8 sample tables, a figure and a chart)\n%s", n, r.stdout)
	}
	if n := db.count(t, "products"); n != 1994 {
		t.Errorf("products: got %d rows, want the sample's 1994", n)
	}
	checkNoSecret(t, "demo output", r.output(), db.password)
}
