package load

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// BenchmarkRefreshViews times replaces of BENCH_ROWS (default 1M)
// generated sales_order rows: with no dependents (a swap), and with a
// dashboard's materialized view of revenue by day and status (an in-place
// refill, the view refreshed in the load's transaction, or CONCURRENTLY
// after the commit with a unique index). It reports the whole load, the
// publish (end of the COPY to the commit) and the refresh; the difference
// between the swap and the refill is what preferring a swap would save.
//
//	BENCH_ROWS=200000 go test ./load -run '^$' -bench RefreshViews -benchtime 3x
func BenchmarkRefreshViews(b *testing.B) {
	n := benchRows(b)
	zipPath, tbl := salesOrderZip(b, n)
	const view = `CREATE MATERIALIZED VIEW %[1]s.mv_daily AS
SELECT created_at::date AS day, status, count(*) AS orders, sum(grand_total) AS revenue
FROM %[1]s.sales_order GROUP BY 1, 2`
	for _, v := range []struct {
		name  string
		mode  RefreshMode
		setup []string
	}{
		{"no view (swap)", RefreshInTransaction, nil},
		{"view, in-transaction", RefreshInTransaction, []string{view}},
		{"view, concurrently", RefreshConcurrently, []string{view, "CREATE UNIQUE INDEX ON %[1]s.mv_daily (day, status)"}},
	} {
		b.Run(v.name, func(b *testing.B) {
			pool, target, load := benchLoader(b, Config{RefreshViews: v.mode}, zipPath, tbl, n)
			ctx := context.Background()
			load(-1)
			for _, s := range v.setup {
				if _, err := pool.Exec(ctx, fmt.Sprintf(s, schema.Quote(target))); err != nil {
					b.Fatal(err)
				}
			}
			var total, publish, refresh time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res := load(i)
				total += time.Since(start)
				publish += res.PublishDuration
				var r float64
				for _, vr := range res.Views {
					if vr.Status != ViewRefreshed {
						b.Fatalf("view %s: %s %s", vr.View, vr.Status, vr.Error)
					}
					r += vr.Seconds
				}
				refresh += time.Duration(r * float64(time.Second))
				b.Logf("run %d: %s: load %v, publish %v, refresh %.3fs", i, res.Mechanism,
					time.Since(start).Round(time.Millisecond), res.PublishDuration.Round(time.Millisecond), r)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "load-s")
			b.ReportMetric(publish.Seconds()/float64(b.N), "publish-s")
			b.ReportMetric(refresh.Seconds()/float64(b.N), "refresh-s")
		})
	}
}
