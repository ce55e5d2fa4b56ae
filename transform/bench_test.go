package transform

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	arrowcsv "github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// benchSeed is the generator seed of the benchmark's sales_order.
const benchSeed = 1

// benchChildEnv, when set, makes the test binary decode the benchmark zip
// once with the named reader and print its peak RSS (see TestMain).
const benchChildEnv = "MBILOAD_BENCH_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(benchChildEnv); v != "" {
		os.Exit(benchChild(v))
	}
	os.Exit(m.Run())
}

// benchRows is BENCH_ROWS, default 1,000,000.
func benchRows(tb testing.TB) int64 {
	tb.Helper()
	s := os.Getenv("BENCH_ROWS")
	if s == "" {
		return 1_000_000
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		tb.Fatalf("BENCH_ROWS=%q: want a positive integer", s)
	}
	return n
}

// salesOrder returns the generated sales_order table and its resolved schema.
func salesOrder(rows int64) (*magentogen.Table, *schema.Table, error) {
	gt := magentogen.Find(magentogen.Warehouse(rows, benchSeed), "sales_order")
	tb, err := schema.NewTable(gt.ID, gt.Name, gt.Columns, schema.Options{})
	return gt, tb, err
}

// benchZip returns the path of the cached sales_order zip for rows, writing
// it under os.TempDir the first time.
func benchZip(rows int64) (string, error) {
	dir := filepath.Join(os.TempDir(), "mbiload-bench")
	path := filepath.Join(dir, fmt.Sprintf("sales_order-%d-%d.zip", rows, benchSeed))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	gt, _, err := salesOrder(rows)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "gen-*.zip")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gt.WriteZip(context.Background(), w, "sales_order.csv"); err != nil {
		f.Close()
		return "", err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(f.Name(), path)
}

// benchReaders decode the zip at path and return the rows seen.
var benchReaders = map[string]func(path string, tb *schema.Table) (int64, error){
	"mbiload":      decodeMbiload,
	"arrow-csv":    decodeArrowCSV,
	"encoding-csv": decodeEncodingCSV,
	"unzip-only":   decodeUnzipOnly,
}

var benchOrder = []string{"mbiload", "arrow-csv", "encoding-csv", "unzip-only"}

func decodeMbiload(path string, tb *schema.Table) (int64, error) {
	e, err := OpenZip(path, ZipLimits{})
	if err != nil {
		return 0, err
	}
	defer e.Close()
	ctx := context.Background()
	d, err := NewDecoder(ctx, e, tb, Options{})
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int64
	for {
		rec, err := d.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += rec.NumRows()
		rec.Release()
	}
}

// arrowCSVSchema is the table's schema with the types arrow/csv cannot
// parse replaced by strings.
func arrowCSVSchema(tb *schema.Table) *arrow.Schema {
	s := tb.ArrowSchema()
	fields := s.Fields()
	for i, f := range fields {
		switch f.Type.ID() {
		case arrow.TIME64:
			fields[i].Type = arrow.BinaryTypes.String
		}
	}
	return arrow.NewSchema(fields, nil)
}

func decodeArrowCSV(path string, tb *schema.Table) (int64, error) {
	e, err := OpenZip(path, ZipLimits{})
	if err != nil {
		return 0, err
	}
	defer e.Close()
	r := arrowcsv.NewReader(e, arrowCSVSchema(tb),
		arrowcsv.WithHeader(true), arrowcsv.WithChunk(DefaultBatchRows),
		arrowcsv.WithNullReader(true, ""), arrowcsv.WithAllocator(memory.DefaultAllocator))
	defer r.Release()
	var n int64
	for r.Next() {
		n += r.RecordBatch().NumRows()
	}
	return n, r.Err()
}

func decodeEncodingCSV(path string, _ *schema.Table) (int64, error) {
	e, err := OpenZip(path, ZipLimits{})
	if err != nil {
		return 0, err
	}
	defer e.Close()
	r := csv.NewReader(e)
	r.ReuseRecord = true
	var n int64
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n - 1, nil // the header
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

func decodeUnzipOnly(path string, _ *schema.Table) (int64, error) {
	e, err := OpenZip(path, ZipLimits{})
	if err != nil {
		return 0, err
	}
	defer e.Close()
	_, err = io.Copy(io.Discard, e)
	return -1, err
}

// BenchmarkDecodeSalesOrder decodes a generated sales_order zip on disk
// (BENCH_ROWS rows, default 1,000,000) into Arrow batches with this package,
// with arrow/csv's reader (same schema, DefaultBatchRows-row batches) and with plain
// encoding/csv (records only, untyped), plus the bare decompression. MB/s is
// of uncompressed CSV; cpu-s/op is user+system CPU per decode (steadier than
// wall time on a shared machine); allocs/row from the Go runtime;
// peak-RSS-MB is the VmHWM of a child process that decodes the file once
// with that reader.
func BenchmarkDecodeSalesOrder(b *testing.B) {
	rows := benchRows(b)
	path, err := benchZip(rows)
	if err != nil {
		b.Fatalf("generate: %v", err)
	}
	_, tb, err := salesOrder(rows)
	if err != nil {
		b.Fatal(err)
	}
	e, err := OpenZip(path, ZipLimits{})
	if err != nil {
		b.Fatal(err)
	}
	size := e.Size
	e.Close()
	for _, name := range benchOrder {
		decode := benchReaders[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			cpu0 := cpuTime()
			for b.Loop() {
				n, err := decode(path, tb)
				if err != nil {
					b.Fatalf("decode: %v", err)
				}
				if n >= 0 && n != rows {
					b.Fatalf("rows: got %d, want %d", n, rows)
				}
			}
			cpu := cpuTime() - cpu0
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(int64(b.N)*rows), "allocs/row")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			if rss, err := childPeakRSS(name); err == nil {
				b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
			} else {
				b.Logf("peak RSS of %s: %v", name, err)
			}
		})
	}
}

// cpuTime is the process's user plus system CPU time so far: unlike wall
// time it does not depend on what else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// childPeakRSS runs this test binary as a child that decodes the zip once
// with the named reader, and returns the child's peak RSS in bytes.
func childPeakRSS(name string) (int64, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+name)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%w: %s", err, out)
	}
	s := strings.TrimSpace(string(out))
	kb, err := strconv.ParseInt(strings.TrimPrefix(s[strings.LastIndex(s, "\n")+1:], "VmHWM-kB "), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("child output %q", out)
	}
	return kb << 10, nil
}

// benchChild decodes the benchmark zip once and prints "VmHWM-kB N".
func benchChild(name string) int {
	rows := int64(1_000_000)
	if s := os.Getenv("BENCH_ROWS"); s != "" {
		rows, _ = strconv.ParseInt(s, 10, 64)
	}
	path, err := benchZip(rows)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	_, tb, err := salesOrder(rows)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	decode, ok := benchReaders[name]
	if !ok {
		fmt.Println("unknown reader", name)
		return 1
	}
	if _, err := decode(path, tb); err != nil {
		fmt.Println(err)
		return 1
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Println("VmHWM-kB", strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return 0
		}
	}
	fmt.Println("no VmHWM")
	return 1
}
