package load

import (
	"fmt"
	"strings"
	"testing"
)

// ordersRows returns an orders CSV (ordersTable) of n rows with distinct ids.
func ordersRows(n int) string {
	var b strings.Builder
	b.WriteString("id,Customer Name,total,created\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,name %d,%d.%02d,2024-01-%02d 10:00:00\n", i, i%97, i%1000, i%100, i%28+1)
	}
	return b.String()
}

// TestAnalyzeQuickWhenAutovacuumFollows: the ANALYZE before the publish
// samples fewer rows when autovacuum will analyze the table after the
// commit anyway, and the full sample when it will not (autovacuum disabled
// for the table, a threshold above the rows, a small table).
func TestAnalyzeQuickWhenAutovacuumFollows(t *testing.T) {
	t.Parallel()
	big := ordersRows(5000)
	tests := []struct {
		name      string
		setup     string // SQL run on the table (%s) after a first load; "" for none
		csv       string
		wantQuick bool
		wantMech  string
	}{
		{name: "first load", csv: big, wantQuick: true, wantMech: MechanismCreate},
		{name: "swap", setup: "COMMENT ON TABLE %s IS 'x'", csv: big, wantQuick: true, wantMech: MechanismSwap},
		{name: "small table", csv: ordersRows(quickAnalyzeMinRows - 1), wantMech: MechanismCreate},
		{name: "autovacuum disabled for the table", setup: "ALTER TABLE %s SET (autovacuum_enabled = off)", csv: big, wantMech: MechanismSwap},
		{name: "analyze threshold above the rows", setup: "ALTER TABLE %s SET (autovacuum_analyze_threshold = 100000)", csv: big, wantMech: MechanismSwap},
		{name: "in place", setup: "CREATE MATERIALIZED VIEW %[1]s_mv AS SELECT id FROM %[1]s", csv: big, wantQuick: true, wantMech: MechanismInPlace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tbl := ordersTable(t)
			q := e.schema + ".orders"
			if tt.setup != "" {
				e.mustLoad(t, l, tbl, ordersCSV, Job{ExportID: "first"})
				mustExec(t, e.pool, fmt.Sprintf(tt.setup, q))
			}
			wantQuick := tt.wantQuick && mustScalar[bool](t, e.pool, "SELECT current_setting('autovacuum')::bool")
			res := e.mustLoad(t, l, tbl, tt.csv, Job{ExportID: "checked"})
			if res.Mechanism != tt.wantMech {
				t.Fatalf("got mechanism %s (%s), want %s", res.Mechanism, res.MechanismReason, tt.wantMech)
			}
			if res.QuickStatistics != wantQuick {
				t.Errorf("got QuickStatistics %v, want %v", res.QuickStatistics, wantQuick)
			}
			// The histogram of the unique id has target+1 bounds.
			bounds := mustScalar[int](t, e.pool, `SELECT coalesce(array_length(histogram_bounds::text::text[], 1), 0)
FROM pg_stats WHERE schemaname = $1 AND tablename = 'orders' AND attname = 'id'`, e.schema)
			switch {
			case wantQuick && bounds != quickStatisticsTarget+1:
				t.Errorf("got %d histogram bounds, want %d (quick ANALYZE)", bounds, quickStatisticsTarget+1)
			case !wantQuick && bounds <= quickStatisticsTarget+1:
				t.Errorf("got %d histogram bounds, want the session's target's (full ANALYZE)", bounds)
			}
		})
	}
}
