package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// evilName sets the terminal's title and clears its screen when printed
// raw.
const evilName = "evil\x1b]0;pwned\a\x1b[2J"

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/")

// TestTerminalEscapesInNames runs every command that prints names from
// the warehouse (tables, figures, a dry-run plan, the sync summary with a
// failed table's error, history, errors printed to the console) with
// names holding terminal escape sequences, in preserve mode so that the
// target names hold them too: no output may hold a control character other
// than newline and tab, and each name shows escaped as the log writes it.
// The listings of the API's tables are compared with a golden file.
func TestTerminalEscapesInNames(t *testing.T) {
	evilCols := []schema.Column{{ID: "1", Name: "id", Type: "Integer", IsPrimaryKey: true},
		{ID: "2", Name: "note\x1b[31m\u009b2J", Type: "String"}}
	evil := simulator.Table{ID: "7", Name: evilName, Columns: evilCols, Rows: 2,
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, "id,\"note\x1b[31m\u009b2J\"\n1,a\n2,b\n")
			return err
		}}
	sim := mustCLISim(t, simulator.Config{
		Tables:      []simulator.Table{evil, badTable("8", "bad\x1b[2J\u202e")},
		ReportNames: map[int64]string{simulator.FigureRevenueByMonth: "rev\x1b]0;x\a"},
	})
	db := mustE2EDB(t)
	db.env(t)
	t.Setenv("MBILOAD_IDENTIFIERS", "preserve")
	const escaped = `evil\x1b]0;pwned\a\x1b[2J`
	tests := []struct {
		name string
		args []string
		code int
		want []string // escaped texts the output must hold
	}{
		{"tables list", []string{"tables", "list"}, 0, []string{escaped, `bad\x1b[2J\u202e`}},
		{"tables describe", []string{"tables", "describe", "7"}, 0, []string{escaped, `note\x1b[31m\u009b2J`}},
		{"tables describe ddl", []string{"tables", "describe", "7", "--ddl"}, 0, []string{escaped, `note\x1b[31m\u009b2J`}},
		{"figures list", []string{"figures", "list"}, 0, []string{`rev\x1b]0;x\a`}},
		{"dry run", []string{"sync", "--dry-run", "--progress", "none"}, 0, []string{escaped}},
		{"sync", []string{"sync", "--progress", "plain", "--figures", "360531"}, 3, []string{escaped, `bad\x1b[2J\u202e`, `rev\x1b]0;x\a`}},
		{"history", []string{"history"}, 0, []string{escaped, `bad\x1b[2J\u202e`}},
		{"error", []string{"tables", "describe", "nothing\x1b[2J"}, 1, []string{`nothing\x1b[2J`}},
		{"usage error", []string{"sync", "--mode", "x\x1b[2J"}, 2, []string{`x\x1b[2J`}},
		{"load-file error", []string{"load-file", "--table", evilName, "--columns", filepath.Join(t.TempDir(), "none.json"), "x.csv"}, 1, nil},
	}
	var golden strings.Builder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t.Context(), sim.api(tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", tt.args, r.code, tt.code, r.stdout, r.stderr)
			}
			out := r.output()
			for i, c := range out {
				if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 && c <= 0x9f || c >= 0x202a && c <= 0x202e {
					t.Errorf("%q prints the control character %U at byte %d: %q", tt.args, c, i, out[max(0, i-40):min(len(out), i+40)])
					break
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("%q: output does not show %s\nstdout: %s\nstderr: %s", tt.args, w, r.stdout, r.stderr)
				}
			}
			if tt.name == "tables list" || tt.name == "tables describe" || tt.name == "tables describe ddl" {
				golden.WriteString("$ mbiload " + strings.Join(tt.args, " ") + "\n" + strings.ReplaceAll(r.stdout, db.target, "<schema>"))
			}
		})
	}
	path := filepath.Join("testdata", "termsafe.golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the golden file (go test -run TestTerminalEscapesInNames -update writes it): %v", err)
	}
	if got := golden.String(); got != string(want) {
		t.Errorf("listings differ from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
