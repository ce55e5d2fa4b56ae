package transform

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// benchCSV returns the benchmark's sales_order CSV in memory (BENCH_ROWS
// rows, default 1,000,000), unzipped from the cached zip.
func benchCSV(b *testing.B) []byte {
	b.Helper()
	path, err := benchZip(benchRows(b))
	if err != nil {
		b.Fatal(err)
	}
	e, err := OpenZip(path, ZipLimits{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	data, err := io.ReadAll(e)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkScanSalesOrder measures the record scanner alone on sales_order
// CSV held in memory.
func BenchmarkScanSalesOrder(b *testing.B) {
	data := benchCSV(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		s := newScanner()
		s.setBuf(data)
		s.eof = true
		n := 0
		for s.next() == scanRecord {
			n += len(s.fields)
		}
		if n == 0 {
			b.Fatal("no fields")
		}
	}
}

// BenchmarkDecodeSalesOrderInMemory measures the decoder (scan, convert,
// build batches) without decompression: the CSV is read from memory.
func BenchmarkDecodeSalesOrderInMemory(b *testing.B) {
	data := benchCSV(b)
	rows := benchRows(b)
	_, tb, err := salesOrder(rows)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	ctx := context.Background()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op") }()
	for b.Loop() {
		d, err := NewDecoder(ctx, bytes.NewReader(data), tb, Options{})
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		for {
			rec, err := d.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += rec.NumRows()
			rec.Release()
		}
		d.Close()
		if n != rows {
			b.Fatalf("rows: got %d, want %d", n, rows)
		}
	}
}

// BenchmarkDecodeProducts decodes the Magento sample's products.csv (70
// columns, quoted HTML with line breaks in most rows) from memory: the
// scanner's quoted path.
func BenchmarkDecodeProducts(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(sampleDir, "products.csv"))
	if err != nil {
		b.Fatal(err)
	}
	cols, err := schema.ReadColumnsFile(filepath.Join(sampleDir, "products.columns.json"))
	if err != nil {
		b.Fatal(err)
	}
	tb, err := schema.NewTable("", "products", cols, schema.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	ctx := context.Background()
	for b.Loop() {
		d, err := NewDecoder(ctx, bytes.NewReader(data), tb, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := d.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rec.Release()
		}
		d.Close()
	}
}
