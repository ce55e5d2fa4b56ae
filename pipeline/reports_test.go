package pipeline

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
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
			mustReportRows(t, e, tr, tt.table)
		})
	}
	mustNoTempFiles(t, e.tmp)
}

// mustReportRows checks that table holds the rows of the figure or chart
// of tr, as its export gives them now, and that a load of tr counted them.
func mustReportRows(t testing.TB, e *env, tr TableReport, table string) {
	t.Helper()
	ctx := context.Background()
	var body io.ReadCloser
	var err error
	if tr.Kind == "figure" {
		body, err = e.client.ExportFigure(ctx, schema.ID(tr.SourceID), extract.FormatCSV, true)
	} else {
		body, err = e.client.ExportChart(ctx, schema.ID(tr.SourceID), extract.FormatCSV, true)
	}
	if err != nil {
		t.Fatalf("export %s %s: %v", tr.Kind, tr.SourceID, err)
	}
	data, err := io.ReadAll(body)
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	cols, err := inferColumns(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := schema.NewTable(schema.ID(tr.SourceID), tr.Source, cols, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref := e.mustRef(t, tbl, refName(), data)
	if tr.Status == StatusLoaded && tr.RowsLoaded == 0 {
		t.Errorf("%s: rows loaded: got 0, want the %s's rows", table, tr.Kind)
	}
	mustSameRows(t, e.pool, table, "TABLE "+schema.Quote(e.target, table), "TABLE "+ref)
}

// TestReportNameCollisions syncs two figures whose names map to one table
// name and a chart whose table name a warehouse table has, first in a dry
// run, then one figure alone, then all: the lower figure id keeps
// figure_<name>, the other figure and the chart get their id appended
// whatever the selection, and each table holds its own rows, in the
// report, the ledger and the metrics alike.
func TestReportNameCollisions(t *testing.T) {
	t.Parallel()
	cfg := simulator.Config{
		Tables:      mustCombine(t, simulator.Generated(200, 1), []simulator.Table{tinyTable("900", "Chart: Customer Cohorts")}),
		ReportNames: map[int64]string{simulator.FigureOrdersByStatus: "revenue-by-month"},
	}
	e := newEnv(t, cfg)
	ctx := context.Background()
	want := map[string]string{ // kind and id to target table
		"figure 360531": "figure_revenue_by_month",
		"figure 360532": "figure_revenue_by_month_360532",
		"chart 2038112": "chart_customer_cohorts_2038112",
		"table 900":     "chart_customer_cohorts",
		"table 1":       "sales_order",
	}
	sync := func(t *testing.T, dryRun bool, tables, figures, charts []string) map[string]TableReport {
		t.Helper()
		opts := e.opts()
		opts.DryRun, opts.Tables, opts.Figures, opts.Charts = dryRun, tables, figures, charts
		rep, err := e.runner.Sync(ctx, opts)
		if err != nil || rep.Status != RunSucceeded {
			t.Fatalf("Sync: %v %v", err, failures(rep))
		}
		got := map[string]TableReport{}
		for _, tr := range rep.Tables {
			key := tr.Kind + " " + tr.SourceID
			if _, dup := got[key]; dup {
				t.Errorf("%s: got two report entries, want one", key)
			}
			got[key] = tr
			if tr.TargetTable != want[key] || tr.Target != e.target+"."+want[key] {
				t.Errorf("%s: got target %q, want %s.%s", key, tr.Target, e.target, want[key])
			}
		}
		return got
	}

	t.Run("dry run", func(t *testing.T) {
		got := sync(t, true, []string{"900"}, []string{"360532", "360531", "360532"}, []string{"2038112"})
		if len(got) != 4 {
			t.Errorf("report entries: got %d, want 4", len(got))
		}
		for key, note := range map[string]string{
			"figure 360532": "warning: figure 360532 loads into figure_revenue_by_month_360532, not figure_revenue_by_month",
			"chart 2038112": "warning: chart 2038112 loads into chart_customer_cohorts_2038112, not chart_customer_cohorts",
		} {
			if !strings.Contains(got[key].Plan, note) {
				t.Errorf("%s: got plan %q, want it to hold %q", key, got[key].Plan, note)
			}
		}
		if plan := got["figure 360531"].Plan; strings.Contains(plan, "warning") {
			t.Errorf("figure 360531: got plan %q, want no warning", plan)
		}
	})
	t.Run("one figure alone", func(t *testing.T) {
		sync(t, false, []string{"900"}, []string{"360532"}, nil)
		if n := mustScalar[int64](t, e.pool, `SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = $2`,
			e.target, "figure_revenue_by_month"); n != 0 {
			t.Errorf("figure_revenue_by_month: got %d tables, want none yet", n)
		}
	})
	var got map[string]TableReport
	t.Run("all", func(t *testing.T) {
		got = sync(t, false, []string{"sales_order", "900"}, []string{"360531", "360532"}, []string{"2038112"})
		// The figure loaded alone before is found where it was put.
		if tr := got["figure 360532"]; tr.Status != StatusSkipped {
			t.Errorf("figure 360532: got status %q, want %q: its export is already in its table", tr.Status, StatusSkipped)
		}
		for _, key := range []string{"figure 360531", "figure 360532", "chart 2038112"} {
			mustReportRows(t, e, got[key], want[key])
			entry, err := e.loader.LastSuccess(ctx, want[key])
			if err != nil || entry == nil {
				t.Fatalf("%s: ledger: got %v %v, want its load", key, entry, err)
			}
			rows := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+schema.Quote(e.target, want[key]))
			if entry.SourceTableID != got[key].SourceID || entry.RowsLoaded != rows {
				t.Errorf("%s: ledger: got %s with %d rows in %s, want %s with %d", key, entry.SourceTableID, entry.RowsLoaded,
					want[key], got[key].SourceID, rows)
			}
		}
		if notes := mustScalar[string](t, e.pool, "SELECT string_agg(DISTINCT note, ',') FROM "+schema.Quote(e.target, "chart_customer_cohorts")); notes != "Chart: Customer Cohorts" {
			t.Errorf("chart_customer_cohorts: got the rows of %q, want the table's", notes)
		}
		// Both figures have rows by month and by status, told apart by
		// their first column.
		for table, col := range map[string]string{"figure_revenue_by_month": "month", "figure_revenue_by_month_360532": "status"} {
			if got := columnTypes(t, e, table); !strings.HasPrefix(got, col+":") {
				t.Errorf("%s: got columns %s, want %s first", table, got, col)
			}
		}
	})
	t.Run("metrics", func(t *testing.T) {
		rep := &Report{Command: "sync", Status: RunSucceeded}
		for _, tr := range got {
			rep.Tables = append(rep.Tables, tr)
		}
		all := mustMetrics(t, rep, func(ctx context.Context, target string) (float64, error) { return 1, nil })
		for _, key := range []string{"figure 360531", "figure 360532"} {
			tr := got[key]
			labels := map[string]string{"kind": "figure", "source": tr.Source, "target": e.target + "." + want[key]}
			if v, ok := find(all, "mbiload_table_failed", labels); !ok || v != 0 {
				t.Errorf("%s: failed series %v: got %v (found %v), want 0", key, labels, v, ok)
			}
		}
	})
	mustNoTempFiles(t, e.tmp)
}

// TestReportTargetsNeedTheList checks that figure table names come from the
// API's list of figures: when the list cannot be had, or does not hold a
// figure, that figure fails (its name could collide with one not seen)
// while the tables are planned as usual. A dry run without a database.
func TestReportTargetsNeedTheList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		list    func(w http.ResponseWriter) // answers GET /figure
		figure  string
		wantErr string
	}{
		{
			name:    "no list",
			list:    func(w http.ResponseWriter) { http.Error(w, `{"error":"not found"}`, http.StatusNotFound) },
			figure:  "360531",
			wantErr: "list figures",
		},
		{
			name: "not in the list",
			list: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"figures":[{"id":360531,"name":"Revenue by Month","type":"visual"}]}`)
			},
			figure:  "360532",
			wantErr: ErrNotListed.Error(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim, err := simulator.New(simulator.Config{Key: testKey, ClientID: "12", Tables: simulator.Generated(50, 1), WorkDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sim.Close() })
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && r.URL.Path == "/0.1/figure" {
					tt.list(w)
					return
				}
				sim.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			client, err := extract.New(extract.Config{BaseURL: srv.URL + "/0.1", APIKey: testKey, ClientID: "12", Retry: fastRetry, Poll: fastPoll})
			if err != nil {
				t.Fatal(err)
			}
			runner := &Runner{Client: client, Log: testLogger(t)}
			opts := Options{TempDir: t.TempDir(), DryRun: true, Tables: []string{"sales_order"}, Figures: []string{tt.figure}}
			rep, err := runner.Sync(context.Background(), opts)
			if err != nil {
				t.Fatalf("Sync: %v", err)
			}
			byKind := map[string]TableReport{}
			for _, tr := range rep.Tables {
				byKind[tr.Kind] = tr
			}
			if tr := byKind["figure"]; tr.Status != StatusFailed || !strings.Contains(tr.Error, tt.wantErr) || tr.Target != "" {
				t.Errorf("figure %s: got %q into %q (%s), want failed with %q and no target", tt.figure, tr.Status, tr.Target, tr.Error, tt.wantErr)
			}
			if tr := byKind["table"]; tr.Status != StatusPlanned {
				t.Errorf("sales_order: got %q (%s), want %q", tr.Status, tr.Error, StatusPlanned)
			}
		})
	}
}
