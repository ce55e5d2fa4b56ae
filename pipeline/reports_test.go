package pipeline

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/extract/simulator"
	"github.com/mbiload/mbiload/schema"
)

// columnTypes lists a table's columns as name:type in order, from
// information_schema.
func columnTypes(t testing.TB, e *env, table string) string {
	t.Helper()
	return mustScalar[string](t, e.pool, `
SELECT coalesce(string_agg(column_name || ':' || CASE WHEN data_type = 'numeric' AND numeric_precision IS NOT NULL
  THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')' ELSE data_type END, ',' ORDER BY ordinal_position), '')
FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`, e.target, table)
}

// TestFiguresAndCharts loads figures and a chart beside a table: each
// becomes figure_<name> or chart_<name> with types inferred from its
// values and the figure's data; a figure that does not exist fails alone.
func TestFiguresAndCharts(t *testing.T) {
	t.Parallel()
	cfg := faultyConfig(41)
	cfg.Tables = simulator.Generated(500, 1)
	e := newEnv(t, cfg)
	ctx := context.Background()
	opts := e.opts()
	opts.Tables = []string{"sales_order"}
	opts.Figures = []string{"360531", "360532", "999"}
	opts.Charts = []string{"2038112"}
	rep, err := e.runner.Sync(ctx, opts)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if rep.Status != RunPartial || rep.Failed() != 1 {
		t.Errorf("run: got status %q with %d failed, want partial with 1 %v", rep.Status, rep.Failed(), failures(rep))
	}
	byID := map[string]TableReport{}
	for _, tr := range rep.Tables {
		byID[tr.Kind+" "+tr.SourceID] = tr
	}
	if tr := byID["figure 999"]; tr.Status != StatusFailed || !strings.Contains(tr.Error, "404") {
		t.Errorf("figure 999: got status %q error %q, want failed with a 404", tr.Status, tr.Error)
	}
	if tr := byID["table 1"]; tr.Status != StatusLoaded {
		t.Errorf("sales_order: got status %q, want loaded (%s)", tr.Status, tr.Error)
	}
	tests := []struct {
		name  string
		kind  string
		id    string
		table string
		types string
	}{
		{"visual figure", "figure", "360531", "figure_revenue_by_month", "month:text,revenue:numeric(18,2),orders:bigint"},
		{"SQL figure", "figure", "360532", "figure_orders_by_status_sql", "status:text,orders:bigint,revenue:numeric(18,2)"},
		{"chart", "chart", "2038112", "chart_customer_cohorts", "cohort_month:text,customers:bigint,orders:bigint,revenue:numeric(18,2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := byID[tt.kind+" "+tt.id]
			if tr.Status != StatusLoaded || tr.TargetTable != tt.table || tr.Kind != tt.kind {
				t.Fatalf("got %s %q into %q, want loaded into %q (%s)", tr.Kind, tr.Status, tr.TargetTable, tt.table, tr.Error)
			}
			if got := columnTypes(t, e, tt.table); got != tt.types {
				t.Errorf("columns: got %s, want %s", got, tt.types)
			}
			var body io.ReadCloser
			var err error
			if tt.kind == "figure" {
				body, err = e.client.ExportFigure(ctx, schema.ID(tt.id), extract.FormatCSV, true)
			} else {
				body, err = e.client.ExportChart(ctx, schema.ID(tt.id), extract.FormatCSV, true)
			}
			if err != nil {
				t.Fatalf("export %s %s: %v", tt.kind, tt.id, err)
			}
			data, err := io.ReadAll(body)
			body.Close()
			if err != nil {
				t.Fatal(err)
			}
			cols, err := InferColumns(strings.NewReader(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			tbl, err := schema.NewTable(schema.ID(tt.id), tr.Source, cols, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ref := e.mustRef(t, tbl, refName(), data)
			if tr.RowsLoaded == 0 {
				t.Errorf("rows loaded: got 0, want the %s's rows", tt.kind)
			}
			mustSameRows(t, e.pool, tt.table, "TABLE "+schema.Quote(e.target, tt.table), "TABLE "+ref)
		})
	}
	mustNoTempFiles(t, e.tmp)
}
