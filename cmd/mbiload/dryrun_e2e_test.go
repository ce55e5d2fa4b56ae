package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/schema"
)

// ordersTable is a small table whose column amount has type typ; its
// names are a mix of names that map to themselves and names that do not.
func ordersTable(typ string) simulator.Table {
	return simulator.Table{ID: "71", Name: "Orders", Rows: 2,
		Columns: []schema.Column{{ID: "1", Name: "id", Type: "Integer", IsPrimaryKey: true},
			{ID: "2", Name: "Customer Email", Type: "String"}, {ID: "3", Name: "amount", Type: typ},
			{ID: "4", Name: "status", Type: "String"}},
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, "id,Customer Email,amount,status\n1,a@example.com,10,new\n2,b@example.com,20,paid\n")
			return err
		}}
}

// TestDryRunTellsTheTruth checks that a dry run says what the run will do:
// for a new warehouse, each table's DDL with the comments that say
// something (a column's source name where it differs from its name) and a
// last line that sums the plans up (golden file); with --wait-for-update,
// that the tables already loaded from the latest update are up to date
// and the run would wait, not create exports; and that a view on a column
// the export retypes fails the plan as it fails the run, with a way out
// that works (not --mode append, which refuses the new type).
func TestDryRunTellsTheTruth(t *testing.T) {
	start := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	clock := simtest.NewClock(start)
	tables := []simulator.Table{ordersTable("Integer"), itemsTable(false)}
	sim := mustCLISim(t, simulator.Config{Tables: tables, Now: clock.Now, ExportTTL: 30 * 24 * time.Hour})
	db := mustE2EDB(t)
	db.env(t)
	fast := []string{"--poll-interval", "5ms", "--poll-max", "20ms", "--progress", "none"}
	run := func(t *testing.T, wantCode int, args ...string) result {
		t.Helper()
		r := runCLI(t.Context(), sim.api(append(args, fast...)...)...)
		if r.code != wantCode {
			t.Fatalf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", args, r.code, wantCode, r.stdout, r.stderr)
		}
		checkNoSecret(t, "output", r.output(), cliKey, db.password)
		return r
	}

	t.Run("a new warehouse", func(t *testing.T) {
		r := run(t, 0, "sync", "--dry-run")
		got := strings.ReplaceAll(r.stdout, db.target, "SCHEMA")
		path := filepath.Join("testdata", "dryrun_new.golden")
		if *updateGolden {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read the golden file (go test -run TestDryRunTellsTheTruth -update writes it): %v", err)
		}
		if got != string(want) {
			t.Errorf("dry run differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
		}
		if db.schemaExists(t, db.target) || db.schemaExists(t, db.ledger) {
			t.Errorf("the dry run created a schema")
		}
	})

	run(t, 0, "sync", "--wait-for-update", "2s")
	t.Run("everything up to date", func(t *testing.T) {
		before, err := sim.c.Exports(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		r := run(t, 0, "sync", "--wait-for-update", "3h", "--dry-run")
		if strings.Contains(r.stdout, "create a new export") {
			t.Errorf("stdout: got %q, want no new export planned: the run would find every table up to date", r.stdout)
		}
		for _, table := range []string{"orders", "items"} {
			re := regexp.MustCompile(`-- table \S+ -> ` + regexp.QuoteMeta(db.target) + `\.` + table + `\nup to date: already loaded from export \d+ on .*, ` +
				`after the warehouse's last update \(finished .*\)\nnothing is new: the run would wait up to 3h0m0s for the warehouse's next update`)
			if !re.MatchString(r.stdout) {
				t.Errorf("stdout: got %q, want %s up to date and the wait", r.stdout, table)
			}
		}
		if !strings.Contains(r.stdout, "dry run, 2 in all: 2 up to date (not loaded); nothing was changed") {
			t.Errorf("stdout: got %q, want the summing-up line", r.stdout)
		}
		after, err := sim.c.Exports(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("exports: %d created by a dry run, want none", len(after)-len(before))
		}
	})

	t.Run("a view on a retyped column", func(t *testing.T) {
		view := schema.Quote(db.target, "big_orders")
		if _, err := db.admin.Exec(t.Context(), "CREATE VIEW "+view+" AS SELECT id, amount FROM "+schema.Quote(db.target, "orders")+
			" WHERE amount > 10"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Minute)
		if err := sim.sim.CompleteUpdate([]simulator.Table{ordersTable("String"), itemsTable(false)}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		want := fmt.Sprintf(`view %s.big_orders uses column "amount" of %s, which changes type from bigint to text; `+
			`drop the view, run the load, then create the view again`, db.target, schema.Quote(db.target, "orders"))
		r := run(t, 0, "sync", "--dry-run", "--tables", "Orders")
		if !strings.Contains(r.stdout, "would fail: ") || !strings.Contains(r.stdout, want) {
			t.Errorf("dry run: got %q, want the plan to fail with %q", r.stdout, want)
		}
		if !strings.Contains(r.stdout, "1 would fail") {
			t.Errorf("dry run: got %q, want the summing-up line to count the failure", r.stdout)
		}
		r = run(t, exitFailure, "sync", "--tables", "Orders")
		if !strings.Contains(strings.ReplaceAll(r.stderr, `\"`, `"`), want) { // as the log quotes it
			t.Errorf("run: got %q, want it to fail as planned: %q", r.stdout+r.stderr, want)
		}
		if strings.Contains(r.stdout+r.stderr, "--mode append") {
			t.Errorf("run: got %q, want no advice to append (it refuses the new type)", r.stdout+r.stderr)
		}
	})
}
