package simulator

import (
	"encoding/json"
	"strconv"
)

// reportKind tells figures from charts.
type reportKind int

const (
	kindFigure reportKind = iota
	kindChart
)

// report is a built-in figure or chart: its listing and how its data is
// computed from the sales_order aggregates.
type report struct {
	id      int64
	name    string
	typ     string // figures only: "visual" or "sql"
	owner   string // the owner's e-mail address
	columns []string
	rows    func(st *orderStats) [][]any
}

// csvOnly reports whether the report refuses format=json (SQL-report figures).
func (r *report) csvOnly() bool { return r.typ == "sql" }

// Built-in report ids.
const (
	// FigureRevenueByMonth is figure 360531, "Revenue by Month".
	FigureRevenueByMonth = 360531
	// FigureOrdersByStatus is figure 360532, an SQL report that exports as csv only.
	FigureOrdersByStatus = 360532
	// ChartCustomerCohorts is chart 2038112, "Customer cohorts".
	ChartCustomerCohorts = 2038112
)

var figures = []*report{
	{
		id: FigureRevenueByMonth, name: "Revenue by Month", typ: "visual", owner: "analyst@example.com",
		columns: []string{"month", "revenue", "orders"},
		rows: func(st *orderStats) [][]any {
			out := make([][]any, 0, len(st.months))
			for _, m := range st.months {
				out = append(out, []any{m.key, money(m.revenue), count(m.orders)})
			}
			return out
		},
	},
	{
		id: FigureOrdersByStatus, name: "Orders by Status (SQL)", typ: "sql", owner: "dba@example.com",
		columns: []string{"status", "orders", "revenue"},
		rows: func(st *orderStats) [][]any {
			out := make([][]any, 0, len(st.statuses))
			for _, s := range st.statuses {
				out = append(out, []any{s.key, count(s.orders), money(s.revenue)})
			}
			return out
		},
	},
}

var charts = []*report{
	{
		id: ChartCustomerCohorts, name: "Customer cohorts", owner: "analyst@example.com",
		columns: []string{"cohort_month", "customers", "orders", "revenue"},
		rows: func(st *orderStats) [][]any {
			out := make([][]any, 0, len(st.cohorts))
			for _, c := range st.cohorts {
				out = append(out, []any{c.key, count(c.customers), count(c.orders), money(c.revenue)})
			}
			return out
		},
	},
}

func reportsOf(kind reportKind) []*report {
	if kind == kindChart {
		return charts
	}
	return figures
}

func findReport(kind reportKind, id string) *report {
	for _, r := range reportsOf(kind) {
		if strconv.FormatInt(r.id, 10) == id {
			return r
		}
	}
	return nil
}

// money renders a fixed-point amount (scale 4) with two decimals.
func money(v int64) json.Number {
	neg := v < 0
	if neg {
		v = -v
	}
	cents := (v + 50) / 100
	s := strconv.FormatInt(cents/100, 10) + "." + strconv.FormatInt(100+cents%100, 10)[1:]
	if neg && cents != 0 {
		s = "-" + s
	}
	return json.Number(s)
}

func count(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }
