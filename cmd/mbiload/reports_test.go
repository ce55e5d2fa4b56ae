package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// TestReportsListTargets checks that figures list and charts list show the
// table sync loads each into, as sync assigns it: two figures whose names
// map to one table name get two tables, and a chart whose table name a
// warehouse table has gets its id appended. Not parallel: urfave/cli v2
// mutates package-level state while it runs.
func TestReportsListTargets(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{
		Tables:      append(simulator.Generated(cliScale, 1), cliTable("900", "Chart Customer Cohorts")),
		ReportNames: map[int64]string{simulator.FigureOrdersByStatus: "Revenue by month"},
	})
	tests := []struct {
		name   string
		args   []string
		stdout []string
	}{
		{
			name: "figures", args: []string{"figures", "list"},
			stdout: []string{"360531  Revenue by Month  visual  mbi.figure_revenue_by_month\n",
				"360532  Revenue by month  sql     mbi.figure_revenue_by_month_360532\n"},
		},
		{
			name: "figures preserved", args: []string{"--schema", "bi", "figures", "list", "--identifiers", "preserve"},
			stdout: []string{"bi.figure_Revenue by Month\n", "bi.figure_Revenue by month\n"},
		},
		{
			name: "figures json", args: []string{"figures", "list", "--json"},
			stdout: []string{`"target_table": "figure_revenue_by_month"`, `"target_table": "figure_revenue_by_month_360532"`},
		},
		{
			name: "charts", args: []string{"charts", "list"},
			stdout: []string{"2038112  Customer cohorts  mbi.chart_customer_cohorts_2038112\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t.Context(), sim.api(tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit code: got %d, want 0\nstderr: %s", r.code, r.stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout: got %q, want it to hold %q", r.stdout, want)
				}
			}
		})
	}
}

// cliTable is a simulator table of one text column and one row.
func cliTable(id, name string) simulator.Table {
	return simulator.Table{ID: schema.ID(id), Name: name, Columns: []schema.Column{{ID: "1", Name: "note", Type: "String"}}, Rows: 1,
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			_, err := fmt.Fprintf(w, "note\n%s\n", name)
			return err
		}}
}

// TestReportsListShapes checks figures list (and its --json) against a
// simulator serving the figure list in each shape: the live service's
// figureExports list, the same keyed by id, and the older figures list
// (also keyed and bare). The type column shows presentationType (or the
// older type), the JSON the owner where the service sends one. Not
// parallel (see TestReportsListTargets).
func TestReportsListShapes(t *testing.T) {
	tests := []struct {
		name      string
		quirks    simulator.Quirks
		wantOwner bool
	}{
		{name: "figureExports list", wantOwner: true},
		{name: "figureExports keyed by id", quirks: simulator.Quirks{KeyedReports: true}, wantOwner: true},
		{name: "older figures list", quirks: simulator.Quirks{LegacyReports: true}},
		{name: "older shape keyed by id, bare", quirks: simulator.Quirks{LegacyReports: true, KeyedReports: true, BareArrays: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := mustCLISim(t, simulator.Config{Quirks: tt.quirks})
			r := runCLI(t.Context(), sim.api("figures", "list")...)
			if r.code != 0 {
				t.Fatalf("figures list: exit code %d, want 0\nstderr: %s", r.code, r.stderr)
			}
			for _, want := range []string{"360531  Revenue by Month        visual  mbi.figure_revenue_by_month\n",
				"360532  Orders by Status (SQL)  sql     mbi.figure_orders_by_status_sql\n"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("figures list: got %q, want it to hold %q", r.stdout, want)
				}
			}
			r = runCLI(t.Context(), sim.api("figures", "list", "--json")...)
			if r.code != 0 {
				t.Fatalf("figures list --json: exit code %d, want 0\nstderr: %s", r.code, r.stderr)
			}
			want := []string{`"type": "visual"`, `"type": "sql"`}
			if tt.wantOwner {
				want = append(want, `"ownerEmail": "analyst@example.com"`, `"ownerEmail": "dba@example.com"`)
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("figures list --json: got %q, want it to hold %q", r.stdout, w)
				}
			}
			r = runCLI(t.Context(), sim.api("charts", "list")...)
			if r.code != 0 || !strings.Contains(r.stdout, "2038112  Customer cohorts") {
				t.Errorf("charts list: got %d %q, want chart 2038112\nstderr: %s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
