package magentogen

import (
	"context"
	"io"
	"testing"
)

// countingWriter counts the bytes written through it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// benchRows is the scale of the benchmarks: 1M sales_order rows, the size
// the transform and load benchmarks use.
const benchRows = 1_000_000

// BenchmarkWriteCSV measures CSV generation of sales_order at 1M rows and
// reports bytes per row and rows per second.
func BenchmarkWriteCSV(b *testing.B) {
	t := Find(Warehouse(benchRows, 1), "sales_order")
	for b.Loop() {
		cw := &countingWriter{}
		if err := t.WriteCSV(context.Background(), cw); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(cw.n)
		b.ReportMetric(float64(cw.n)/float64(t.Rows), "bytes/row")
	}
	b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWriteZip measures zipped generation of sales_order at 1M rows.
func BenchmarkWriteZip(b *testing.B) {
	t := Find(Warehouse(benchRows, 1), "sales_order")
	csvSize := &countingWriter{}
	if err := t.WriteCSV(context.Background(), csvSize); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(csvSize.n)
	for b.Loop() {
		zw := &countingWriter{}
		if err := t.WriteZip(context.Background(), zw, "sales_order.csv"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(zw.n)/float64(csvSize.n), "zip/csv")
	}
	b.ReportMetric(float64(t.Rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
