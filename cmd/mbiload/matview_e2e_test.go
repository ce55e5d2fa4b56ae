package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
)

// TestSyncViewsAndAfterSync: a nightly sync refreshes the materialized
// views over its tables (one over one table in the table's transaction,
// one over two tables once after both), reports a failing refresh (exit 3,
// the tables published), then runs the --after-sync hook after the views;
// a failing hook is rolled back whole and gives exit 3 with the tables
// published; a run that loads nothing runs no hook.
func TestSyncViewsAndAfterSync(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	db := mustE2EDB(t)
	db.env(t)
	dir := t.TempDir()
	reportPath, metricsPath := filepath.Join(dir, "run.json"), filepath.Join(dir, "mbiload.prom")
	okSQL, badSQL := filepath.Join(dir, "ok.sql"), filepath.Join(dir, "bad.sql")
	s := schema.Quote(db.target)
	vs := db.target // a view's name as reports give it (quote_ident: a plain name is not quoted)
	writeFile(t, okSQL, "CREATE TABLE IF NOT EXISTS "+s+".hook_log (orders bigint, customers bigint);\n"+
		"INSERT INTO "+s+".hook_log SELECT o, c FROM "+s+".mv_two;\n")
	writeFile(t, badSQL, "SELECT 1;\nSELECT * FROM no_such_table_here;\n")
	var last result
	sync := func(t *testing.T, wantCode int, args ...string) pipeline.Report {
		t.Helper()
		args = append([]string{"sync", "--tables", "sales_order,customer_entity", "--progress", "none",
			"--report", reportPath, "--metrics-file", metricsPath}, args...)
		r := runCLI(t.Context(), sim.api(args...)...)
		last = r
		if r.code != wantCode {
			t.Fatalf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", args, r.code, wantCode, r.stdout, r.stderr)
		}
		data, err := os.ReadFile(reportPath)
		if err != nil {
			t.Fatal(err)
		}
		return mustJSON[pipeline.Report](t, string(data))
	}
	sync(t, 0)
	orders, customers := db.count(t, "sales_order"), db.count(t, "customer_entity")

	// The views, as the loading role (their owner), except mv_bad, which
	// belongs to another role: mbiload cannot refresh it.
	conn, err := pgx.Connect(t.Context(), db.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, sql := range []string{
		"CREATE MATERIALIZED VIEW " + s + ".mv_one AS SELECT entity_id, grand_total FROM " + s + ".sales_order",
		"CREATE UNIQUE INDEX ON " + s + ".mv_one (entity_id)",
		"CREATE MATERIALIZED VIEW " + s + ".mv_two AS SELECT (SELECT count(*) FROM " + s + ".sales_order) AS o, " +
			"(SELECT count(*) FROM " + s + ".customer_entity) AS c",
		// Stale views: rows deleted and the views refreshed by hand.
		"DELETE FROM " + s + ".sales_order WHERE entity_id % 2 = 0",
		"DELETE FROM " + s + ".customer_entity WHERE entity_id % 2 = 0",
		"REFRESH MATERIALIZED VIEW " + s + ".mv_one",
		"REFRESH MATERIALIZED VIEW " + s + ".mv_two",
	} {
		if _, err := conn.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := db.admin.Exec(t.Context(), "CREATE MATERIALIZED VIEW "+s+".mv_bad AS SELECT count(*) AS n FROM "+s+".customer_entity"); err != nil {
		t.Fatal(err)
	}

	t.Run("views refreshed, one failing", func(t *testing.T) {
		rep := sync(t, exitPartial, "--force", "--after-sync", okSQL)
		if rep.Status != pipeline.RunPartial || rep.Failed() != 0 {
			t.Errorf("run status %s with %d failed tables, want partial with none", rep.Status, rep.Failed())
		}
		if got := db.count(t, "sales_order"); got != orders {
			t.Errorf("sales_order has %d rows, want %d (published)", got, orders)
		}
		byView := map[string]load.ViewRefresh{}
		for _, tr := range rep.Tables {
			for _, v := range tr.Views {
				if v.Status != load.ViewDeferred {
					byView[v.View] = v
				}
			}
		}
		if v := byView[vs+".mv_one"]; v.Status != load.ViewRefreshed || v.How != load.HowInTransaction {
			t.Errorf("mv_one: %+v, want refreshed in-transaction", v)
		}
		if v := byView[vs+".mv_bad"]; v.Status != load.ViewFailed || !strings.Contains(v.Error, "mv_bad") ||
			!strings.Contains(v.Error, "must be owner") && !strings.Contains(v.Error, "permission denied") {
			// 17 and later: permission denied (the MAINTAIN privilege).
			t.Errorf("mv_bad: %+v, want failed: must be owner, or permission denied", v)
		}
		if len(rep.Views) != 1 || rep.Views[0].View != vs+".mv_two" || rep.Views[0].Status != load.ViewRefreshed || rep.Views[0].How != load.HowAfterRun {
			t.Errorf("run views %+v, want mv_two refreshed once after the run", rep.Views)
		}
		if got := db.scalar(t, "SELECT o || ',' || c FROM "+s+".mv_two"); got != itoa(orders)+","+itoa(customers) {
			t.Errorf("mv_two says %s, want %d,%d", got, orders, customers)
		}
		if got := db.scalar(t, "SELECT count(*) FROM "+s+".mv_one"); got != itoa(orders) {
			t.Errorf("mv_one has %s rows, want %d", got, orders)
		}
		if got := db.scalar(t, "SELECT count(*) FROM "+schema.Quote(db.ledger)+".after_load WHERE run_id = $1 AND name = $2 AND status = 'refreshed'", rep.RunID, vs+".mv_two"); got != "1" {
			t.Errorf("ledger: mv_two refreshed %s times in the run, want once", got)
		}
		if got := db.scalar(t, "SELECT count(*) FROM "+schema.Quote(db.ledger)+".after_load WHERE run_id = $1 AND name = $2 AND status = 'failed'", rep.RunID, vs+".mv_bad"); got != "1" {
			t.Errorf("ledger: mv_bad failed %s times, want 1", got)
		}
		// The hook ran after the views: it read the refreshed mv_two.
		if a := rep.AfterSync; a == nil || a.Status != load.AfterSyncSucceeded {
			t.Errorf("after-sync %+v, want succeeded", a)
		}
		if got := db.scalar(t, "SELECT orders || ',' || customers FROM "+s+".hook_log"); got != itoa(orders)+","+itoa(customers) {
			t.Errorf("hook_log %s, want %d,%d", got, orders, customers)
		}
		metrics := mustRead(t, metricsPath)
		for _, want := range []string{`mbiload_view_refresh_failed{view="` + s + `.mv_bad"} 1`,
			`mbiload_view_refresh_failed{view="` + s + `.mv_two"} 0`, `mbiload_after_sync_failed{command="sync"} 0`, `mbiload_run_success{command="sync"} 0`} {
			if !strings.Contains(metrics, strings.ReplaceAll(want, s, vs)) {
				t.Errorf("metrics lack %s:\n%s", want, metrics)
			}
		}
	})

	if _, err := db.admin.Exec(t.Context(), "DROP MATERIALIZED VIEW "+s+".mv_bad"); err != nil {
		t.Fatal(err)
	}
	t.Run("failing hook", func(t *testing.T) {
		rep := sync(t, exitPartial, "--force", "--after-sync", okSQL+","+badSQL, "--summary", "log")
		if !strings.Contains(last.stderr, "after_load_failed=1") {
			t.Errorf("the run summary record does not count the failed hook:\n%s", last.stderr)
		}
		if rep.Failed() != 0 || db.count(t, "sales_order") != orders {
			t.Errorf("%d tables failed, sales_order has %d rows: want all published", rep.Failed(), db.count(t, "sales_order"))
		}
		a := rep.AfterSync
		if a == nil || a.Status != load.AfterSyncFailed || !strings.Contains(a.Error, badSQL+" line 2") || !strings.Contains(a.Error, "no_such_table_here") {
			t.Fatalf("after-sync %+v, want failed naming %s line 2", a, badSQL)
		}
		if got := db.scalar(t, "SELECT count(*) FROM "+s+".hook_log"); got != "1" {
			t.Errorf("hook_log has %s rows, want 1: the failed hook is rolled back whole", got)
		}
		if got := db.scalar(t, "SELECT error FROM "+schema.Quote(db.ledger)+".after_load WHERE run_id = $1 AND kind = 'after-sync'", rep.RunID); !strings.Contains(got, "no_such_table_here") {
			t.Errorf("ledger error %q", got)
		}
		if m := mustRead(t, metricsPath); !strings.Contains(m, `mbiload_after_sync_failed{command="sync"} 1`) {
			t.Errorf("metrics lack the hook's failure:\n%s", m)
		}
	})

	t.Run("nothing loaded, no hook", func(t *testing.T) {
		rep := sync(t, 0, "--reuse-exports", "1h", "--after-sync", badSQL)
		if a := rep.AfterSync; a == nil || a.Status != load.AfterSyncSkipped {
			t.Errorf("after-sync %+v, want skipped", a)
		}
	})

	t.Run("dry run lists the views", func(t *testing.T) {
		r := runCLI(t.Context(), sim.api("sync", "--tables", "sales_order,customer_entity", "--dry-run", "--progress", "none")...)
		if r.code != 0 || !strings.Contains(r.stdout, "mv_two") || !strings.Contains(r.stdout, "after-run") || !strings.Contains(r.stdout, "planned") {
			t.Errorf("dry run: exit %d, stdout %s", r.code, r.stdout)
		}
	})
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAfterSyncFlagsRefused: an --after-sync file that cannot be read or
// is empty, and an unknown --refresh-views, are usage errors (exit 2)
// before anything runs, from the flags or the environment.
func TestAfterSyncFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.sql")
	writeFile(t, empty, " \n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"missing file", nil, []string{"--after-sync", filepath.Join(dir, "nope.sql")}, "nope.sql"},
		{"empty file", nil, []string{"--after-sync", empty}, "empty"},
		{"missing file from the environment", map[string]string{"MBILOAD_AFTER_SYNC": filepath.Join(dir, "gone.sql") + "," + empty}, nil, "gone.sql"},
		{"unknown refresh mode", nil, []string{"--refresh-views", "later"}, "--refresh-views"},
		{"unknown refresh mode from the environment", map[string]string{"MBILOAD_REFRESH_VIEWS": "sometimes"}, nil, "sometimes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := append([]string{"--api-key", "k", "--client-id", "1", "--database-url", "postgres://127.0.0.1:1/x", "sync"}, tc.args...)
			r := runCLI(t.Context(), args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 naming %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

// TestLoadFileViewRefreshFails: load-file refreshes the views over its
// table too; one it cannot refresh gives exit 3, the file published.
func TestLoadFileViewRefreshFails(t *testing.T) {
	db := mustE2EDB(t)
	db.env(t)
	args := []string{"load-file", "--table", "products", "--columns", "../../../shared/data/magento-sample/products.columns.json",
		"--progress", "none", "--force", "../../../shared/data/magento-sample/products.csv"}
	if r := runCLI(t.Context(), args...); r.code != 0 {
		t.Fatalf("first load: exit %d\n%s", r.code, r.output())
	}
	s := schema.Quote(db.target)
	if _, err := db.admin.Exec(t.Context(), "DELETE FROM "+s+".products"); err != nil {
		t.Fatal(err)
	}
	// Owned by the superuser: the loading role cannot refresh it.
	if _, err := db.admin.Exec(t.Context(), "CREATE MATERIALIZED VIEW "+s+".mv_products AS SELECT count(*) AS n FROM "+s+".products"); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t.Context(), args...)
	if r.code != exitPartial || !strings.Contains(r.stdout, "mv_products") || !strings.Contains(r.stdout, "failed") {
		t.Fatalf("second load: exit %d, want 3 naming the failed view\n%s", r.code, r.output())
	}
	if n := db.count(t, "products"); n == 0 {
		t.Errorf("products is empty: the load was not published")
	}
}
