package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// TestBackfillFiles runs a backfill of local files as the README tells:
// the column metadata saved from `tables describe NAME --json`, files
// given out of order. The summary names each file, in the order loaded
// (oldest first, a plain CSV by its modification time), so the order can
// be checked; without --mode the backfill refuses with a usage error and
// its help shows no default mode.
func TestBackfillFiles(t *testing.T) {
	notes := simulator.Table{ID: "31", Name: "notes", Rows: 1,
		Columns: []schema.Column{{ID: "1", Name: "id", Type: "Integer", IsPrimaryKey: true}, {ID: "2", Name: "note", Type: "String"}},
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, "id,note\n1,x\n")
			return err
		}}
	sim := mustCLISim(t, simulator.Config{Tables: []simulator.Table{notes}})
	db := mustE2EDB(t)
	db.env(t)
	dir := t.TempDir()

	r := runCLI(t.Context(), sim.api("tables", "describe", "notes", "--json")...)
	if r.code != 0 {
		t.Fatalf("tables describe: exit code %d\n%s", r.code, r.stderr)
	}
	cols := filepath.Join(dir, "notes.columns.json")
	if err := os.WriteFile(cols, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, f := range []struct{ name, body string }{
		{"b-oldest.csv", "id,note\n1,first\n"},
		{"a-middle.csv", "id,note\n1,second\n2,new\n"},
		{"c-newest.csv", "id,note\n1,third\n2,new\n3,newer\n"},
	} {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		at := base.Add(time.Duration(i) * time.Hour)
		if err := os.Chtimes(path, at, at); err != nil {
			t.Fatal(err)
		}
	}
	files := []string{filepath.Join(dir, "c-newest.csv"), filepath.Join(dir, "a-middle.csv"), filepath.Join(dir, "b-oldest.csv")}

	t.Run("no mode", func(t *testing.T) {
		r := runCLI(t.Context(), append([]string{"backfill", "--table", "notes", "--columns", cols}, files...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "backfill needs --mode merge or --mode snapshot") {
			t.Errorf("exit code %d, stderr %q; want 2 and the mode asked for", r.code, r.stderr)
		}
		help := runCLI(t.Context(), "backfill", "--help").stdout
		if !strings.Contains(help, "--mode value") || strings.Contains(help, `(default: "replace")`) {
			t.Errorf("backfill --help shows a default mode or no --mode:\n%s", help)
		}
	})
	t.Run("in order", func(t *testing.T) {
		r := runCLI(t.Context(), append([]string{"backfill", "--table", "notes", "--columns", cols, "--mode", "merge", "--progress", "none"}, files...)...)
		if r.code != 0 {
			t.Fatalf("backfill: exit code %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
		var order []string
		for _, line := range strings.Split(r.stdout, "\n") {
			for _, f := range []string{"b-oldest.csv", "a-middle.csv", "c-newest.csv"} {
				if strings.Contains(line, " "+f+" ") {
					order = append(order, f)
				}
			}
		}
		if strings.Join(order, ",") != "b-oldest.csv,a-middle.csv,c-newest.csv" {
			t.Errorf("summary rows name the files %v, want them oldest first\n%s", order, r.stdout)
		}
		if got := db.scalar(t, "SELECT string_agg(note, ',' ORDER BY id) FROM "+schema.Quote(db.target, "notes")); got != "third,new,newer" {
			t.Errorf("notes after the backfill: %q, want the newest file's rows", got)
		}
	})
}
