package magentogen

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestRowMatchesCSV parses each table's CSV back, with encoding/csv and with
// a strict raw splitter, and compares every record to Row(i), including the
// difference between NULL (empty unquoted) and "" (quoted empty).
func TestRowMatchesCSV(t *testing.T) {
	for _, tb := range Warehouse(3000, 11) {
		t.Run(tb.Name, func(t *testing.T) {
			data := mustCSV(t, tb)

			r := csv.NewReader(bytes.NewReader(data))
			r.FieldsPerRecord = len(tb.Columns)
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("encoding/csv: %v", err)
			}
			raws, err := splitRaw(data)
			if err != nil {
				t.Fatalf("strict split: %v", err)
			}
			if got, want := int64(len(recs)), tb.Rows+1; got != want {
				t.Fatalf("records: got %d, want %d", got, want)
			}
			if got, want := len(raws), len(recs); got != want {
				t.Fatalf("raw records: got %d, want %d", got, want)
			}
			if got, want := recs[0], tb.Header(); !slices.Equal(got, want) {
				t.Fatalf("header: got %q, want %q", got, want)
			}
			for i := int64(0); i < tb.Rows; i++ {
				row := tb.Row(i)
				rec, raw := recs[i+1], raws[i+1]
				if got, want := len(row), len(tb.Columns); got != want {
					t.Fatalf("row %d: got %d values, want %d", i, got, want)
				}
				for k, v := range row {
					// encoding/csv turns CRLF inside a quoted field into LF.
					if rec[k] != strings.ReplaceAll(v.Text, "\r\n", "\n") || raw[k].text != v.Text {
						t.Fatalf("row %d column %q: got csv %q raw %q, want %q", i, tb.Columns[k].Name, rec[k], raw[k].text, v.Text)
					}
					if got, want := raw[k].isNull(), v.Null; got != want {
						t.Fatalf("row %d column %q: got NULL %v in the CSV, want %v", i, tb.Columns[k].Name, got, want)
					}
					if got, want := raw[k].quoted, needsQuoting(v); got != want {
						t.Fatalf("row %d column %q value %q: got quoted %v, want %v", i, tb.Columns[k].Name, v.Text, got, want)
					}
				}
			}
		})
	}
}

// needsQuoting is the quoting rule WriteCSV promises, written independently.
func needsQuoting(v Value) bool {
	if v.Null {
		return false
	}
	return v.Text == "" || strings.ContainsAny(v.Text, ",\"\r\n")
}

func TestRowOutOfRange(t *testing.T) {
	tb := mustTable(t, Warehouse(10, 1), "sales_order")
	tests := []struct {
		name string
		i    int64
		nil  bool
	}{
		{name: "negative", i: -1, nil: true},
		{name: "first", i: 0},
		{name: "last", i: 9},
		{name: "past the end", i: 10, nil: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tb.Row(tt.i) == nil; got != tt.nil {
				t.Fatalf("Row(%d) == nil: got %v, want %v", tt.i, got, tt.nil)
			}
		})
	}
}

// TestRowOfHugeTable reads the last row of a 10-million-row table without
// generating the others.
func TestRowOfHugeTable(t *testing.T) {
	tb := mustTable(t, Warehouse(10_000_000, 3), "sales_order")
	row := tb.Row(tb.Rows - 1)
	if got, want := row[0].Text, "10000000"; got != want {
		t.Fatalf("entity_id: got %s, want %s", got, want)
	}
	if got, want := row[1].Text, "010000000"; got != want {
		t.Fatalf("increment_id: got %s, want %s", got, want)
	}
}

func TestDeterministic(t *testing.T) {
	a, b := Warehouse(2000, 42), Warehouse(2000, 42)
	other := Warehouse(2000, 43)
	for k := range a {
		t.Run(a[k].Name, func(t *testing.T) {
			da, db, dother := mustCSV(t, a[k]), mustCSV(t, b[k]), mustCSV(t, other[k])
			if !bytes.Equal(da, db) {
				t.Fatalf("same seed: got different CSV (%d and %d bytes)", len(da), len(db))
			}
			if bytes.Equal(da, dother) {
				t.Fatalf("other seed: got the same CSV, want different values")
			}
			if got, want := bytes.SplitN(dother, []byte("\n"), 2)[0], bytes.SplitN(da, []byte("\n"), 2)[0]; !bytes.Equal(got, want) {
				t.Fatalf("other seed header: got %q, want %q", got, want)
			}
		})
	}
}

// TestConcurrentWriteCSV writes one table from two goroutines at once (run
// with -race): a Table holds no shared mutable state.
func TestConcurrentWriteCSV(t *testing.T) {
	tb := mustTable(t, Warehouse(2000, 5), "sales_order_item")
	want := mustCSV(t, tb)
	var wg sync.WaitGroup
	got := make([][]byte, 2)
	for g := range got {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := tb.WriteCSV(context.Background(), &buf); err == nil {
				got[g] = buf.Bytes()
			}
		})
	}
	wg.Wait()
	for g := range got {
		if !bytes.Equal(got[g], want) {
			t.Fatalf("goroutine %d: got %d bytes, want the %d of a lone write", g, len(got[g]), len(want))
		}
	}
}

// cancelWriter cancels a context on its first write.
type cancelWriter struct {
	cancel context.CancelFunc
	n      int64
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.cancel()
	w.n += int64(len(p))
	return len(p), nil
}

func TestWriteCSVCancel(t *testing.T) {
	tb := mustTable(t, Warehouse(50_000, 1), "sales_order") // about 9 MB of CSV
	tests := []struct {
		name        string
		cancelFirst bool
		maxBytes    int64
	}{
		{name: "cancelled before", cancelFirst: true, maxBytes: 0},
		{name: "cancelled during", maxBytes: 2 * bufSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelFirst {
				cancel()
			}
			w := &cancelWriter{cancel: cancel}
			err := tb.WriteCSV(ctx, w)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error: got %v, want context.Canceled", err)
			}
			if w.n > tt.maxBytes {
				t.Fatalf("bytes written after cancel: got %d, want at most %d", w.n, tt.maxBytes)
			}
		})
	}
}

// failWriter fails every write.
type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriteCSVWriteError(t *testing.T) {
	errDisk := errors.New("disk full")
	tests := []struct {
		name  string
		scale int64
	}{
		{name: "final flush", scale: 10},
		{name: "mid-stream flush", scale: 20_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := mustTable(t, Warehouse(tt.scale, 1), "sales_order")
			if err := tb.WriteCSV(context.Background(), failWriter{errDisk}); !errors.Is(err, errDisk) {
				t.Fatalf("error: got %v, want %v", err, errDisk)
			}
		})
	}
}

// TestBytesPerRow keeps sales_order near the 183 bytes per CSV row the
// transform and load benchmarks are sized for (1M rows ≈ 183 MB).
func TestBytesPerRow(t *testing.T) {
	tb := mustTable(t, Warehouse(20_000, 1), "sales_order")
	n := len(mustCSV(t, tb))
	perRow := float64(n) / float64(tb.Rows)
	if perRow < 183*0.9 || perRow > 183*1.1 {
		t.Fatalf("bytes per row: got %.1f, want 183 ± 10%%", perRow)
	}
}

var _ io.Writer = (*cancelWriter)(nil)

func TestAll(t *testing.T) {
	tb := mustTable(t, Warehouse(1000, 4), "sales_order_item")
	n := int64(0)
	for i, row := range tb.All(context.Background()) {
		if i != n {
			t.Fatalf("row number: got %d, want %d", i, n)
		}
		if !slices.Equal(row, tb.Row(i)) {
			t.Fatalf("row %d: got %v, want Row(%d) %v", i, row, i, tb.Row(i))
		}
		n++
	}
	if got, want := n, tb.Rows; got != want {
		t.Fatalf("rows: got %d, want %d", got, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range tb.All(ctx) {
		t.Fatalf("cancelled: got row %d, want none", i)
	}
}

// TestWriteCSVStreams checks that writing a table allocates about the write
// buffer, not memory in proportion to the rows.
func TestWriteCSVStreams(t *testing.T) {
	tb := mustTable(t, Warehouse(40_000, 1), "sales_order") // about 7 MB of CSV
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cw := &countingWriter{}
	if err := tb.WriteCSV(context.Background(), cw); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	runtime.ReadMemStats(&after)
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(3<<20); got > limit {
		t.Fatalf("allocated for %d bytes of CSV: got %d bytes, want at most %d", cw.n, got, limit)
	}
}
