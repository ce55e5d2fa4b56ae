package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestSyncFiguresOnly checks that sync --figures/--charts with --exclude
// '*' loads the figure and the chart alone (it used to fail with "no such
// table"), that without the exclude it loads the tables too, and that an
// exclude leaving nothing without figures says so.
func TestSyncFiguresOnly(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	sim.mustExportAll(t)
	db := mustE2EDB(t)
	db.env(t)
	report := filepath.Join(t.TempDir(), "run.json")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     map[string]string // target table → status
		stderr   string
	}{
		{name: "figure and chart alone", args: []string{"--figures", "360531", "--charts", "2038112", "--exclude", "*"}, wantCode: 0,
			want: map[string]string{"figure_revenue_by_month": "loaded", "chart_customer_cohorts": "loaded"}},
		{name: "figure and one table", args: []string{"--figures", "360531", "--tables", "sales_order"}, wantCode: 0,
			want: map[string]string{"figure_revenue_by_month": "loaded", "sales_order": "loaded"}},
		{name: "nothing left", args: []string{"--exclude", "*"}, wantCode: 1, stderr: "the exclusions leave out every table selected (with figures or charts, excluding '*' loads only those) (--exclude)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(report)
			args := append([]string{"sync", "--reuse-exports", "1h", "--force", "--progress", "none", "--report", report}, tt.args...)
			r := runCLI(t.Context(), sim.api(args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if tt.stderr != "" && !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not hold %q:\n%s", tt.stderr, r.stderr)
			}
			if tt.want == nil {
				return
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			rep := mustJSON[e2eReport](t, string(data))
			got := map[string]string{}
			for _, tb := range rep.Tables {
				got[tb.TargetTable] = tb.Status
			}
			if len(got) != len(tt.want) {
				t.Errorf("loaded %v, want %v", got, tt.want)
			}
			for table, status := range tt.want {
				if got[table] != status {
					t.Errorf("%s: status %q, want %q (report: %v)", table, got[table], status, got)
				}
			}
		})
	}
	if n := db.count(t, "figure_revenue_by_month"); n == 0 {
		t.Errorf("figure_revenue_by_month is empty")
	}
}
