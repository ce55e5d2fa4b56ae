package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
)

// TestCommands runs every API command against an in-process simulator, with
// text and JSON output, and checks the exit code and what was printed. The
// cases run one at a time: urfave/cli v2 mutates package-level state (its
// help command and flag) while it runs, so two apps must not run at once.
func TestCommands(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	done := sim.mustExport(t, "1", true) // export 500 of sales_order, Completed
	if done.ID != "500" {
		t.Fatalf("first export: got id %s, want 500", done.ID)
	}
	dir := t.TempDir()
	type obj = map[string]any
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string // texts stdout must hold
		golden   bool     // stdout is testdata/commands/NAME.golden, normalised (see normalise)
		stderr   []string // texts stderr must hold
		check    func(t *testing.T, r result)
	}{
		{
			name: "tables list", args: []string{"tables", "list"},
			golden: true,
		},
		{
			name: "tables list json", args: []string{"tables", "list", "--json"},
			check: func(t *testing.T, r result) {
				tables := mustJSON[[]obj](t, r.stdout)
				if len(tables) != 5 || tables[0]["name"] != "sales_order" || fmt.Sprint(tables[0]["row_count"]) != "200" {
					t.Errorf("tables: got %v, want 5 starting with sales_order of 200 rows", tables)
				}
			},
		},
		{
			name: "tables describe by name", args: []string{"tables", "describe", "sales_order"},
			golden: true,
		},
		{
			name: "tables describe by id", args: []string{"tables", "describe", "5"},
			golden: true,
		},
		{
			name: "tables describe json after the argument", args: []string{"tables", "describe", "customer_entity", "--json"},
			check: func(t *testing.T, r result) {
				d := mustJSON[obj](t, r.stdout)
				cols, _ := d["columns"].([]any)
				if d["name"] != "customer_entity" || len(cols) != 15 {
					t.Errorf("describe: got name %v and %d columns, want customer_entity and 15", d["name"], len(cols))
				}
			},
		},
		{
			name: "tables describe ddl after the argument", args: []string{"tables", "describe", "sales_order", "--ddl"},
			golden: true,
		},
		{
			name: "tables describe ddl with identifiers preserved", args: []string{"tables", "describe", "5", "--ddl", "--identifiers", "preserve"},
			golden: true,
		},
		{
			name: "tables describe ddl distributed", args: []string{"tables", "describe", "sales_order", "--ddl", "--distribute", "sales_*=entity_id"},
			golden: true,
		},
		{
			name: "tables describe ddl reference", args: []string{"tables", "describe", "sales_order", "--ddl", "--reference", "SALES_ORDER"},
			golden: true,
		},
		{
			name: "tables describe ddl distributed outside the key", args: []string{"tables", "describe", "sales_order", "--ddl", "--distribute", "sales_order=customer_id"},
			wantCode: 2,
			stderr: []string{`distribution rule sales_order=customer_id: the primary key of table "sales_order" (entity_id) does not include "customer_id"`,
				`distribute by a key column (--distribute sales_order=customer_id)`},
		},
		{
			name: "exports list", args: []string{"exports", "list"},
			golden: true,
		},
		{
			name: "exports list json", args: []string{"exports", "list", "--json"},
			check: func(t *testing.T, r result) {
				exps := mustJSON[[]obj](t, r.stdout)
				if len(exps) == 0 || fmt.Sprint(exps[0]["export_id"]) != "500" || exps[0]["status"] != "Completed" {
					t.Errorf("exports: got %v, want export 500 Completed first", exps)
				}
			},
		},
		{
			name: "exports info", args: []string{"exports", "info", "500"},
			golden: true,
		},
		{
			name: "exports info json", args: []string{"exports", "info", "500", "--json"},
			check: func(t *testing.T, r result) {
				e := mustJSON[obj](t, r.stdout)
				if fmt.Sprint(e["export_id"]) != "500" || fmt.Sprint(e["table_id"]) != "1" || e["status"] != "Completed" {
					t.Errorf("export: got %v, want 500 of table 1, Completed", e)
				}
			},
		},
		{
			name: "exports create and wait", args: []string{"exports", "create", "sales_order_item", "--wait", "--json"},
			check: func(t *testing.T, r result) {
				e := mustJSON[obj](t, r.stdout)
				if fmt.Sprint(e["table_id"]) != "2" || e["status"] != "Completed" || fmt.Sprint(e["row_count"]) != "400" {
					t.Errorf("export: got %v, want a Completed export of table 2 with 400 rows", e)
				}
			},
		},
		{
			name: "exports create without waiting", args: []string{"exports", "create", "3"},
			stdout: []string{"customer_entity"},
		},
		{
			name: "exports copy", args: []string{"exports", "copy", "500", "--name", "orders again", "--json"},
			check: func(t *testing.T, r result) {
				e := mustJSON[obj](t, r.stdout)
				if e["name"] != "orders again" || fmt.Sprint(e["export_id"]) == "500" {
					t.Errorf("copy: got %v, want a new export named 'orders again'", e)
				}
			},
		},
		{
			name: "exports copy and wait", args: []string{"exports", "copy", "500", "--wait"},
			stdout: []string{"Completed", "sales_order"},
		},
		{
			name: "exports download", args: []string{"exports", "download", "500", "-o", filepath.Join(dir, "orders.zip")},
			check: func(t *testing.T, r result) {
				data, err := os.ReadFile(filepath.Join(dir, "orders.zip"))
				if err != nil {
					t.Fatalf("read the download: %v", err)
				}
				if recs := mustZipCSV(t, data); len(recs) != cliScale+1 || recs[0][0] != "entity_id" {
					t.Errorf("csv: got %d records, want a header and %d rows", len(recs), cliScale)
				}
				if r.stdout != "" {
					t.Errorf("stdout: got %q, want nothing", r.stdout)
				}
				if !strings.Contains(r.stderr, "downloaded export") || !strings.Contains(r.stderr, "sha256=") {
					t.Errorf("stderr: got %q, want the download logged", r.stderr)
				}
			},
		},
		{
			name: "exports download to stdout", args: []string{"exports", "download", "-o", "-", "500"},
			check: func(t *testing.T, r result) {
				if recs := mustZipCSV(t, []byte(r.stdout)); len(recs) != cliScale+1 {
					t.Errorf("csv: got %d records, want %d", len(recs), cliScale+1)
				}
			},
		},
		{
			name: "figures list", args: []string{"figures", "list"},
			golden: true,
		},
		{
			name: "figures list json", args: []string{"figures", "list", "--json"},
			check: func(t *testing.T, r result) {
				figs := mustJSON[[]obj](t, r.stdout)
				if len(figs) != 2 || figs[1]["type"] != "sql" || figs[0]["target_table"] != "figure_revenue_by_month" {
					t.Errorf("figures: got %v, want 2, the second an SQL report, the first into figure_revenue_by_month", figs)
				}
			},
		},
		{
			name: "figures info", args: []string{"figures", "info", "360531"},
			check: func(t *testing.T, r result) {
				if f := mustJSON[obj](t, r.stdout); f["name"] != "Revenue by Month" {
					t.Errorf("figure: got %v, want Revenue by Month", f)
				}
			},
		},
		{
			name: "figures export csv", args: []string{"figures", "export", "360531", "--format", "csv"},
			check: func(t *testing.T, r result) {
				recs := mustCSV(t, r.stdout)
				if len(recs) < 2 || strings.Join(recs[0], ",") != "month,revenue,orders" {
					t.Errorf("csv: got %.200q, want a header row and data", r.stdout)
				}
			},
		},
		{
			name: "figures export csv without headers", args: []string{"figures", "export", "360531", "--headers=false"},
			check: func(t *testing.T, r result) {
				if recs := mustCSV(t, r.stdout); len(recs) == 0 || recs[0][0] == "month" {
					t.Errorf("csv: got %.200q, want data without a header row", r.stdout)
				}
			},
		},
		{
			name: "figures export json to a file", args: []string{"figures", "export", "360531", "--format", "json", "-o", filepath.Join(dir, "fig.json")},
			check: func(t *testing.T, r result) {
				data, err := os.ReadFile(filepath.Join(dir, "fig.json"))
				if err != nil {
					t.Fatal(err)
				}
				if d := mustJSON[obj](t, string(data)); fmt.Sprint(d["columns"]) != "[month revenue orders]" {
					t.Errorf("json: got %v, want columns month, revenue, orders", d)
				}
			},
		},
		{
			name: "SQL figure refuses json", args: []string{"figures", "export", "360532", "--format", "json"}, wantCode: 1,
			stderr: []string{"HTTP 400", "can only be exported as csv", "use --format csv"},
		},
		{
			name: "SQL figure as csv", args: []string{"figures", "export", "360532"},
			golden: true,
		},
		{
			name: "charts list", args: []string{"charts", "list"},
			golden: true,
		},
		{
			name: "charts info", args: []string{"charts", "info", "2038112"},
			golden: true,
		},
		{
			name: "charts export csv", args: []string{"charts", "export", "2038112"},
			golden: true,
		},
		{
			name: "charts export json", args: []string{"charts", "export", "2038112", "--format", "JSON"},
			check: func(t *testing.T, r result) {
				if d := mustJSON[obj](t, r.stdout); d["rows"] == nil {
					t.Errorf("json: got %v, want rows", d)
				}
			},
		},
		{
			name: "update-status", args: []string{"update-status"},
			golden: true,
		},
		{
			name: "update-status json", args: []string{"update-status", "--json"},
			check: func(t *testing.T, r result) {
				st := mustJSON[obj](t, r.stdout)
				if fmt.Sprint(st["clientId"]) != "12" || st["lastCompletedUpdateJob"] == nil {
					t.Errorf("status: got %v, want client 12 with a last job", st)
				}
			},
		},
		{name: "version", args: []string{"version"}, stdout: []string{"mbiload dev (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"}},
		{name: "unknown figure", args: []string{"figures", "info", "1"}, wantCode: 1, stderr: []string{"HTTP 404", "no figure 1"}},
		{name: "unknown table", args: []string{"tables", "describe", "sales_flat_quote"}, wantCode: 1, stderr: []string{"no table has that id or name"}},
		{name: "unknown export", args: []string{"exports", "download", "999", "-o", filepath.Join(dir, "x.zip")}, wantCode: 1, stderr: []string{"HTTP 404", "no export 999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t.Context(), sim.api(tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if tt.golden {
				checkGolden(t, filepath.Join("commands", strings.ReplaceAll(tt.name, " ", "_")+".golden"),
					"$ mbiload "+strings.Join(tt.args, " ")+"\n"+normalise(r.stdout, sim.url))
			}
			for _, want := range tt.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout: got %q, want it to hold %q", r.stdout, want)
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr: got %q, want it to hold %q", r.stderr, want)
				}
			}
			if tt.check != nil {
				tt.check(t, r)
			}
			if strings.Contains(r.output(), cliKey) {
				t.Errorf("the API key was printed")
			}
		})
	}
}

// TestDownloadStates checks exports download on an export that is not
// downloadable: Pending with --no-wait fails fast, Pending without it waits,
// Error and expired fail with what to do next.
func TestDownloadStates(t *testing.T) {
	clock := simtest.NewClock(time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC))
	tests := []struct {
		name     string
		sim      simulator.Config
		wait     bool          // wait for the export (through the API) first
		advance  time.Duration // then move the simulator's clock
		args     []string      // after "exports download 500 -o FILE"
		wantCode int
		stderr   []string
	}{
		{
			name: "pending with no-wait", sim: simulator.Config{ExportDelay: time.Hour}, args: []string{"--no-wait"},
			wantCode: 1, stderr: []string{"export 500 is Pending, not Completed", "drop --no-wait"},
		},
		{
			name: "pending, waited for", sim: simulator.Config{ExportDelay: 300 * time.Millisecond},
		},
		{
			name: "failed", sim: simulator.Config{ExportErrorRate: 1}, args: []string{"--no-wait"},
			wantCode: 1, stderr: []string{"export failed", "status is Error", "mbiload exports copy 500 --wait"},
		},
		{
			name: "failed while waited for", sim: simulator.Config{ExportErrorRate: 1, ExportDelay: 300 * time.Millisecond},
			wantCode: 1, stderr: []string{"export failed", "status is Error"},
		},
		{
			name: "expired", sim: simulator.Config{Now: clock.Now, ExportTTL: time.Hour}, wait: true, advance: time.Hour,
			wantCode: 1, stderr: []string{"HTTP 410", "expired", "mbiload exports copy 500 --wait"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := mustCLISim(t, tt.sim)
			sim.mustExport(t, "4", tt.wait)
			clock.Advance(tt.advance)
			out := filepath.Join(t.TempDir(), "export.zip")
			r := runCLI(t.Context(), sim.api(append([]string{"exports", "download", "500", "-o", out}, tt.args...)...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code: got %d, want %d\nstderr: %s", r.code, tt.wantCode, r.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr: got %q, want it to hold %q", r.stderr, want)
				}
			}
			_, err := os.Stat(out)
			if tt.wantCode == 0 && err != nil {
				t.Errorf("output file: %v", err)
			}
			if tt.wantCode != 0 && err == nil {
				t.Errorf("output file: written, want none after a failure")
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "mbiload-export-*")); len(left) != 0 {
				t.Errorf("temp files left: %v", left)
			}
		})
	}
}

// TestSimulateCommand starts "mbiload simulate" on a free port, uses it
// with other commands, and stops it by cancelling the context.
func TestSimulateCommand(t *testing.T) {
	addr := mustFreeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan result, 1)
	go func() {
		served <- runCLI(ctx, "simulate", "--listen", addr, "--key", cliKey, "--scale", "50",
			"--export-delay", "0s", "--work-dir", t.TempDir())
	}()
	// Use the simulator through the API client, not a second app: urfave/cli
	// v2 apps must not run concurrently (see TestCommands).
	c, err := extract.New(extract.Config{
		BaseURL: "http://" + addr + "/0.1", APIKey: cliKey, ClientID: "12",
		Poll: extract.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tables []extract.Table
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(10 * time.Millisecond) {
		if tables, err = c.Tables(t.Context()); err == nil {
			break
		}
	}
	if err != nil || len(tables) != 5 || tables[0].Name != "sales_order" || tables[0].RowCount != 50 {
		t.Fatalf("tables of the simulator: got %+v, %v; want 5, sales_order of 50 rows first", tables, err)
	}
	exp, err := c.CreateTableExport(t.Context(), "3")
	if err == nil {
		exp, err = c.WaitExport(t.Context(), exp.ID)
	}
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	dl, err := c.Download(t.Context(), exp.ID, t.TempDir())
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	data, err := os.ReadFile(dl.Path)
	if err != nil {
		t.Fatal(err)
	}
	if recs := mustZipCSV(t, data); recs[0][0] != "entity_id" {
		t.Errorf("csv header: got %q, want entity_id first", recs[0])
	}
	cancel()
	select {
	case r := <-served:
		if r.code != 0 {
			t.Errorf("simulate: got exit code %d, want 0 after an interrupt; stderr %q", r.code, r.stderr)
		}
		for _, want := range []string{"simulated Export API listening", "url=http://" + addr + "/0.1", "status=200"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("simulate log: got %q, want it to hold %q", r.stderr, want)
			}
		}
		if strings.Contains(r.output(), cliKey) {
			t.Errorf("simulate printed the API key")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("simulate did not stop after its context was cancelled")
	}
}

// mustCSV parses CSV text.
func mustCSV(t testing.TB, text string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse csv %.200q: %v", text, err)
	}
	return recs
}
