package main

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
)

// itemsTable is a 4-row table; with bad, its third row (CSV line 4) has a
// word in the integer column n.
func itemsTable(bad bool) simulator.Table {
	csv := "id,n\n1,1\n2,2\n3,3\n4,4\n"
	if bad {
		csv = "id,n\n1,1\n2,2\n3,three\n4,4\n"
	}
	return simulator.Table{ID: "51", Name: "items", Rows: 4,
		Columns: []schema.Column{{ID: "1", Name: "id", Type: "Integer", IsPrimaryKey: true}, {ID: "2", Name: "n", Type: "int(11)"}},
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, csv)
			return err
		}}
}

// summaryRow returns the cells of the run summary's line of source (cells
// are separated by two spaces or more).
func summaryRow(t *testing.T, stdout, source string) []string {
	t.Helper()
	for _, line := range strings.Split(stdout, "\n") {
		cells := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
		if len(cells) > 0 && cells[0] == source {
			return cells
		}
	}
	t.Fatalf("summary: no line of %s in %q", source, stdout)
	return nil
}

// TestRunSummarySaysWhy runs the nights a new user meets (a table already
// loaded from the last update, a row rejected within the budget, a table
// that fails, a reused export already loaded) and checks that the summary
// and the log explain each state: an up-to-date or skipped table shows no
// row count (it loaded none) and says which load it stands on; a failed
// table says that the previous load is still published; a rejected row is
// a warning naming its line and column, and rows_read counts every record.
func TestRunSummarySaysWhy(t *testing.T) {
	start := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	clock := simtest.NewClock(start)
	orders := eventsTable(3)
	sim := mustCLISim(t, simulator.Config{Tables: []simulator.Table{orders, itemsTable(false)}, Now: clock.Now,
		ExportTTL: 30 * 24 * time.Hour})
	db := mustE2EDB(t)
	db.env(t)
	dir := t.TempDir()
	fast := []string{"--poll-interval", "5ms", "--poll-max", "20ms", "--progress", "none", "--log-level", "info"}
	run := func(t *testing.T, wantCode int, args ...string) result {
		t.Helper()
		r := runCLI(t.Context(), sim.api(append(args, fast...)...)...)
		if r.code != wantCode {
			t.Fatalf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", args, r.code, wantCode, r.stdout, r.stderr)
		}
		checkNoSecret(t, "output", r.output(), cliKey, db.password)
		return r
	}
	run(t, 0, "sync", "--wait-for-update", "2s")
	firstItems := db.scalar(t, "SELECT export_id FROM "+schema.Quote(db.ledger, "loads")+
		" WHERE target_table = 'items' AND status = 'loaded'")

	// The next update brings a bad row in items; events alone is loaded
	// from it first.
	clock.Advance(10 * time.Minute)
	if err := sim.sim.CompleteUpdate([]simulator.Table{orders, itemsTable(true)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	run(t, 0, "sync", "--wait-for-update", "2s", "--tables", "events")
	eventsExport := db.scalar(t, "SELECT export_id FROM "+schema.Quote(db.ledger, "loads")+
		" WHERE target_table = 'events' AND status = 'loaded' ORDER BY id DESC LIMIT 1")

	t.Run("up to date and failed", func(t *testing.T) {
		clock.Advance(time.Minute)
		r := run(t, exitPartial, "sync", "--wait-for-update", "2s")
		ev := summaryRow(t, r.stdout, "events")
		if ev[2] != pipeline.StatusUpToDate || ev[4] != "-" {
			t.Errorf("events: got %q, want up-to-date with no row count (-)", ev)
		}
		if note := ev[len(ev)-1]; !strings.HasPrefix(note, "already loaded from export "+eventsExport+" on ") {
			t.Errorf("events: NOTE %q, want which load it stands on (export %s)", note, eventsExport)
		}
		it := summaryRow(t, r.stdout, "items")
		wantKept := "the previous load (export " + firstItems + ", 4 rows, loaded "
		if it[2] != pipeline.StatusFailed || it[4] != "-" || !strings.HasPrefix(it[len(it)-1], wantKept) ||
			!strings.Contains(it[len(it)-1], "is still published in "+db.target+".items") {
			t.Errorf("items: got %q, want failed, no row count, and a NOTE starting %q ... is still published", it, wantKept)
		}
		if !regexp.MustCompile(`level=ERROR msg="table failed" table=items target=\S+ err=.* published="the previous load \(export ` +
			firstItems + `, 4 rows`).MatchString(r.stderr) {
			t.Errorf("stderr: got %q, want the failure logged with what is still published", r.stderr)
		}
		if got := db.count(t, "items"); got != 4 {
			t.Errorf("items: %d rows, want the previous load's 4", got)
		}
	})

	t.Run("a rejected row", func(t *testing.T) {
		report := filepath.Join(dir, "rejects.json")
		r := run(t, 0, "sync", "--wait-for-update", "2s", "--tables", "items", "--max-bad-rows", "1", "--report", report)
		if !regexp.MustCompile(`level=WARN msg=".*items: 1 row\(s\) rejected and not loaded \(within the error budget of 1\); first: line 4, column n: .*rejects table \(--max-bad-rows\)`).MatchString(r.stderr) {
			t.Errorf("stderr: got %q, want a WARN naming the rejected row's line and column", r.stderr)
		}
		rep := mustJSON[pipeline.Report](t, mustRead(t, report))
		if len(rep.Tables) != 1 {
			t.Fatalf("report: %d tables, want 1", len(rep.Tables))
		}
		if tr := rep.Tables[0]; tr.RowsRead != 4 || tr.RowsRejected != 1 || tr.RowsLoaded != 3 || len(tr.Warnings) == 0 {
			t.Errorf("report: read %d, rejected %d, loaded %d, warnings %q; want 4 read (every record), 1 rejected, 3 loaded, a warning",
				tr.RowsRead, tr.RowsRejected, tr.RowsLoaded, tr.Warnings)
		}
		if it := summaryRow(t, r.stdout, "items"); it[4] != "3" || it[5] != "1" {
			t.Errorf("items: got %q, want 3 rows and 1 rejected", it)
		}
	})

	t.Run("skipped", func(t *testing.T) {
		reuse := (time.Since(clock.Now()) + time.Hour).Round(time.Second).String()
		r := run(t, 0, "sync", "--tables", "items", "--reuse-exports", reuse, "--max-bad-rows", "1")
		it := summaryRow(t, r.stdout, "items")
		if it[2] != pipeline.StatusSkipped || it[4] != "-" || len(it) < 8 || it[7] == "" {
			t.Errorf("items: got %q, want skipped, no row count, and a NOTE saying which load it repeats", it)
		}
	})
}
