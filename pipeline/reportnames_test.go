package pipeline

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// reportTables is a warehouse whose table names look like figure tables.
var reportTables = []extract.Table{
	{ID: "1", Name: "sales_order"},
	{ID: "2", Name: "figure_orders"},
	{ID: "3", Name: "Figure Refunds"}, // snapshot loads write figure_refunds_history
}

// TestFigureTargetNames checks figure table names: plain figure_<name>
// without a collision; for names equal as they are, after normalising or
// after the 63-byte cut, the lowest id keeps the plain name and the others
// get their id; a name a table has goes to no figure; whatever the order of
// the lists, the names are distinct, fit 63 bytes and start with figure_.
func TestFigureTargetNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Revenue by Month ", 12) // 204 bytes
	tests := []struct {
		name    string
		mode    schema.IdentifierMode
		tables  []extract.Table
		figures []extract.Figure
		want    map[schema.ID]string
	}{
		{
			name:    "no collision",
			figures: []extract.Figure{{ID: "360531", Name: "Revenue by Month"}, {ID: "360532", Name: "Orders by Status (SQL)"}},
			want:    map[schema.ID]string{"360531": "figure_revenue_by_month", "360532": "figure_orders_by_status_sql"},
		},
		{
			name:    "same name twice",
			figures: []extract.Figure{{ID: "5", Name: "Revenue"}, {ID: "3", Name: "Revenue"}},
			want:    map[schema.ID]string{"3": "figure_revenue", "5": "figure_revenue_5"},
		},
		{
			name: "equal after normalising",
			figures: []extract.Figure{{ID: "360533", Name: "revenue-by-month"}, {ID: "360531", Name: "Revenue by Month"},
				{ID: "360534", Name: "  REVENUE BY MONTH!"}, {ID: "360535", Name: "_revenue by month"}},
			want: map[schema.ID]string{"360531": "figure_revenue_by_month", "360533": "figure_revenue_by_month_360533",
				"360534": "figure_revenue_by_month_360534", "360535": "figure_revenue_by_month_360535"},
		},
		{
			name:    "ids compared as numbers",
			figures: []extract.Figure{{ID: "10", Name: "Margin"}, {ID: "9", Name: "margin"}, {ID: "abc", Name: "MARGIN"}},
			want:    map[schema.ID]string{"9": "figure_margin", "10": "figure_margin_10", "abc": "figure_margin_abc"},
		},
		{
			name:    "a table has the name",
			tables:  reportTables,
			figures: []extract.Figure{{ID: "7", Name: "Orders"}, {ID: "8", Name: "orders"}, {ID: "9", Name: "Refunds History"}, {ID: "4", Name: "Sales Order"}},
			want: map[schema.ID]string{"7": "figure_orders_7", "8": "figure_orders_8", "9": "figure_refunds_history_9",
				"4": "figure_sales_order"},
		},
		{
			name:    "an id suffix meets a plain name",
			figures: []extract.Figure{{ID: "9", Name: "x 7"}, {ID: "7", Name: "X"}, {ID: "5", Name: "x"}},
			want:    map[schema.ID]string{"5": "figure_x", "9": "figure_x_7", "7": "figure_x_7_2"},
		},
		{
			name:    "long name without a collision keeps its name",
			figures: []extract.Figure{{ID: "1", Name: long}},
			want:    map[schema.ID]string{"1": "figure_revenue_by_month_revenue_by_month_revenue_by_mo_9fb85571"},
		},
		{
			name: "long names",
			figures: []extract.Figure{{ID: "1", Name: long}, {ID: "2", Name: strings.ToUpper(long)},
				{ID: "12345678901234567890", Name: long}},
			want: map[schema.ID]string{"1": "figure_revenue_by_month_revenue_by_month_revenue_by_mo_9fb85571",
				"2":                    "figure_revenue_by_month_revenue_by_month_revenue_by_mo_030ec3b9", // the hash of its own name
				"12345678901234567890": "figure_revenue_by_month_revenue_by_month_r_12345678901234567890"},
		},
		{
			name:    "an id unfit for a name",
			figures: []extract.Figure{{ID: "1", Name: "Revenue"}, {ID: "A/B", Name: "revenue"}},
			want:    map[schema.ID]string{"1": "figure_revenue", "A/B": "figure_revenue_998d3ed8"},
		},
		{
			name:    "nothing of the name survives",
			figures: []extract.Figure{{ID: "42", Name: "!!!"}, {ID: "43", Name: ""}},
			want:    map[schema.ID]string{"42": "figure_table_42", "43": "figure_table_43"},
		},
		{
			name:    "an id listed twice",
			figures: []extract.Figure{{ID: "5", Name: "Revenue"}, {ID: "5", Name: "Revenue"}},
			want:    map[schema.ID]string{"5": "figure_revenue"},
		},
		{
			name:    "preserve",
			mode:    schema.IdentifiersPreserve,
			tables:  []extract.Table{{ID: "1", Name: "figure_Orders"}},
			figures: []extract.Figure{{ID: "2", Name: "Revenue"}, {ID: "1", Name: "Revenue"}, {ID: "3", Name: "revenue"}, {ID: "4", Name: "Orders"}},
			want: map[schema.ID]string{"1": "figure_Revenue", "2": "figure_Revenue_2", "3": "figure_revenue",
				"4": "figure_Orders_4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FigureTargetNames(tt.figures, tt.tables, tt.mode)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			mustReportNamesSound(t, "figure", got, tt.tables, tt.mode)
			for i := range tt.figures {
				rotated := append(append([]extract.Figure(nil), tt.figures[i:]...), tt.figures[:i]...)
				reversed := append([]extract.Figure(nil), rotated...)
				for a, b := 0, len(reversed)-1; a < b; a, b = a+1, b-1 {
					reversed[a], reversed[b] = reversed[b], reversed[a]
				}
				tables := append([]extract.Table(nil), tt.tables...)
				for a, b := 0, len(tables)-1; a < b; a, b = a+1, b-1 {
					tables[a], tables[b] = tables[b], tables[a]
				}
				for _, order := range [][]extract.Figure{rotated, reversed} {
					if again := FigureTargetNames(order, tables, tt.mode); !reflect.DeepEqual(again, got) {
						t.Errorf("in another order: got %v, want %v", again, got)
					}
				}
			}
		})
	}
}

// TestChartTargetNames checks that charts follow the figures' rules with
// their own prefix, so that a chart and a figure of one name never share a
// table.
func TestChartTargetNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Customer cohorts ", 12)
	charts := []extract.Chart{{ID: "2038113", Name: "customer-cohorts"}, {ID: "2038112", Name: "Customer cohorts"},
		{ID: "2038114", Name: long}, {ID: "2038115", Name: long + "?"}, {ID: "2038116", Name: long}}
	got := ChartTargetNames(charts, reportTables, "")
	want := map[schema.ID]string{"2038112": "chart_customer_cohorts", "2038113": "chart_customer_cohorts_2038113",
		"2038114": "chart_customer_cohorts_customer_cohorts_customer_cohor_b5446aaf",
		"2038115": "chart_customer_cohorts_customer_cohorts_customer_cohor_92098f9c",
		"2038116": "chart_customer_cohorts_customer_cohorts_customer_cohor_2038116"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	mustReportNamesSound(t, "chart", got, reportTables, "")
	figures := make([]extract.Figure, len(charts))
	for i, c := range charts {
		figures[i] = extract.Figure{ID: c.ID, Name: c.Name}
	}
	for id, name := range FigureTargetNames(figures, reportTables, "") {
		for _, chart := range got {
			if chart == name {
				t.Errorf("figure %s: got %q, a chart's table too", id, name)
			}
		}
	}
}

// TestReportTargetNamesUnchanged checks that a figure or chart whose name
// collides with nothing keeps the table earlier releases gave it (a
// schema.NewTable name with the kind prepended), so upgrading renames no
// table.
func TestReportTargetNamesUnchanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		id   schema.ID
		src  string
	}{
		{name: "plain", id: "360531", src: "Revenue by Month"},
		{name: "digits first", id: "7", src: "2026 Revenue"},
		{name: "leading underscore", id: "8", src: "_Revenue"},
		{name: "unicode", id: "9", src: "Umsätze pro Monat"},
		{name: "long", id: "10", src: strings.Repeat("Revenue by Month ", 12)},
		{name: "long unicode", id: "11", src: strings.Repeat("Ünïcödé ", 30)},
		{name: "empty", id: "12", src: ""},
		{name: "only punctuation", id: "13", src: "?!"},
	}
	cols := []schema.Column{{ID: "1", Name: "x", Type: "String"}}
	for _, tt := range tests {
		for _, mode := range []schema.IdentifierMode{schema.IdentifiersSnake, schema.IdentifiersPreserve} {
			for _, kind := range []string{"figure", "chart"} {
				t.Run(tt.name+"/"+string(mode)+"/"+kind, func(t *testing.T) {
					tbl, err := schema.NewTable(tt.id, tt.src, cols, schema.Options{Identifiers: mode})
					if err != nil {
						t.Fatal(err)
					}
					want := schema.Identifier(kind+"_"+tbl.Name, mode, kind+"_"+string(tt.id))
					var got map[schema.ID]string
					if kind == "figure" {
						got = FigureTargetNames([]extract.Figure{{ID: tt.id, Name: tt.src}}, warehouse, mode)
					} else {
						got = ChartTargetNames([]extract.Chart{{ID: tt.id, Name: tt.src}}, warehouse, mode)
					}
					if got[tt.id] != want {
						t.Errorf("got %q, want %q", got[tt.id], want)
					}
				})
			}
		}
	}
}

// mustReportNamesSound checks what every assignment must give: distinct
// names of at most 63 bytes of valid UTF-8, starting with kind and "_",
// none a table's target (or its snapshot history table).
func mustReportNamesSound(t testing.TB, kind string, names map[schema.ID]string, tables []extract.Table, mode schema.IdentifierMode) {
	t.Helper()
	taken := map[string]schema.ID{}
	for _, name := range targetNames(tables, mode) {
		taken[name] = "table"
		taken[load.HistoryTableName(name)] = "table"
	}
	for id, name := range names {
		if len(name) > schema.MaxIdentifierBytes || !utf8.ValidString(name) || !strings.HasPrefix(name, kind+"_") {
			t.Errorf("%s %s: got %q (%d bytes), want valid UTF-8 of at most %d bytes starting with %s_",
				kind, id, name, len(name), schema.MaxIdentifierBytes, kind)
		}
		if other, dup := taken[name]; dup {
			t.Errorf("%s %s: got %q, want a name %s does not have", kind, id, name, other)
		}
		taken[name] = id
	}
}
