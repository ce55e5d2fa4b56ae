package load

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// BenchmarkReplaceInPlace times replaces of BENCH_ROWS (default 1M)
// generated sales_order rows into a table that an owner made an in-place
// one: a column DEFAULT (in-place: the old rows deleted, the export
// inserted) or a column of their own that they filled (in-place by the
// primary key: rows upserted, the column kept). It reports the whole
// load, the publish (end of the COPY to the commit) and the table's size
// after each load, the runs one after the other on the same table as a
// nightly job would (autovacuum on).
//
//	go test ./load -run '^$' -bench ReplaceInPlace -benchtime 3x
func BenchmarkReplaceInPlace(b *testing.B) {
	n := benchRows(b)
	zipPath, tbl := salesOrderZip(b, n)
	for _, v := range []struct{ name, setup string }{
		{"default", "ALTER TABLE %s ALTER COLUMN grand_total SET DEFAULT 0"},
		{"user column", "ALTER TABLE %s ADD COLUMN note text; UPDATE %s SET note = 'n' WHERE mod(entity_id, 10) = 0"},
	} {
		b.Run(v.name, func(b *testing.B) {
			pool, target, load := benchLoader(b, Config{}, zipPath, tbl, n)
			ctx := context.Background()
			load(-1)
			q := schema.Quote(target, tbl.Name)
			setup := fmt.Sprintf(v.setup, q)
			if v.name == "user column" {
				setup = fmt.Sprintf(v.setup, q, q)
			}
			if _, err := pool.Exec(ctx, setup); err != nil {
				b.Fatal(err)
			}
			var total, publish time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res := load(i)
				total += time.Since(start)
				publish += res.PublishDuration
				b.StopTimer()
				var size int64
				if err := pool.QueryRow(ctx, "SELECT pg_total_relation_size($1::regclass)", q).Scan(&size); err != nil {
					b.Fatal(err)
				}
				b.Logf("run %d: %s: load %v, publish %v, table %d MB", i, res.Mechanism,
					time.Since(start).Round(time.Millisecond), res.PublishDuration.Round(time.Millisecond), size>>20)
				b.StartTimer()
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "load-s")
			b.ReportMetric(publish.Seconds()/float64(b.N), "publish-s")
		})
	}
}
