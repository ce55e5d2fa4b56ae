package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/mbiload/mbiload/schema"
)

// null renders a NULL in decoded rows.
const null = "<NULL>"

// col is a column for mustTable: source name and type name.
type col struct{ name, typ string }

// mustTable builds a table from (name, type) pairs; a type ending in
// " not null" marks the column NOT NULL.
func mustTable(t testing.TB, name string, cols ...col) *schema.Table {
	t.Helper()
	return mustTableOpts(t, name, schema.Options{}, cols...)
}

func mustTableOpts(t testing.TB, name string, opts schema.Options, cols ...col) *schema.Table {
	t.Helper()
	var cs []schema.Column
	for _, c := range cols {
		sc := schema.Column{Name: c.name, Type: c.typ}
		if typ, ok := strings.CutSuffix(c.typ, " not null"); ok {
			f := schema.Flag(false)
			sc.Type, sc.Nullable = typ, &f
		}
		cs = append(cs, sc)
	}
	tb, err := schema.NewTable("", name, cs, opts)
	if err != nil {
		t.Fatalf("NewTable: %v", err)
	}
	return tb
}

// decoded is everything a decode produced.
type decoded struct {
	rows    [][]string
	batches []int64
	lines   []int64 // Decoder.Line of each row
	rejects []schema.Reject
	stats   Stats
	err     error
}

// decodeString decodes csv for table tb with a checked allocator, rendering
// values with render, and checks that no memory leaks and that
// Decoder.Line is 0 outside the last batch.
func decodeString(t testing.TB, tb *schema.Table, csv string, opts Options) decoded {
	t.Helper()
	return decodeReader(t, tb, strings.NewReader(csv), opts)
}

func decodeReader(t testing.TB, tb *schema.Table, r io.Reader, opts Options) decoded {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Allocator = mem
	var out decoded
	d, err := NewDecoder(context.Background(), r, tb, opts)
	if err != nil {
		out.err = err
		return out
	}
	defer d.Close()
	if got := d.Line(0); got != 0 {
		t.Errorf("Line(0) before Next: got %d, want 0", got)
	}
	want := tb.ArrowSchema()
	if !d.Schema().Equal(want) {
		t.Errorf("Schema: got %v, want %v", d.Schema(), want)
	}
	for {
		rec, err := d.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.err = err
			break
		}
		if !rec.Schema().Equal(want) {
			t.Errorf("batch schema: got %v, want %v", rec.Schema(), want)
		}
		if rec.NumRows() == 0 {
			t.Errorf("got an empty batch")
		}
		out.batches = append(out.batches, rec.NumRows())
		out.rows = append(out.rows, renderBatch(t, rec)...)
		n := int(rec.NumRows())
		for i := range n {
			out.lines = append(out.lines, d.Line(i))
		}
		if got := d.Line(n); got != 0 {
			t.Errorf("Line(%d) of a %d-row batch: got %d, want 0", n, n, got)
		}
		if got := d.Line(-1); got != 0 {
			t.Errorf("Line(-1): got %d, want 0", got)
		}
		rec.Release()
	}
	out.rejects = d.Rejects()
	out.stats = d.Stats()
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	return out
}

// renderBatch renders every value as text (see render).
func renderBatch(t testing.TB, rec arrow.RecordBatch) [][]string {
	t.Helper()
	rows := make([][]string, rec.NumRows())
	for i := range rows {
		rows[i] = make([]string, rec.NumCols())
		for j := range rows[i] {
			rows[i][j] = render(t, rec.Column(j), i)
		}
	}
	return rows
}

// render formats value i of arr independently of the decoder: integers in
// decimal, decimals with their scale, dates as YYYY-MM-DD, times and
// timestamps as HH:MM:SS.ffffff (timestamptz with a Z), NULL as <NULL>.
func render(t testing.TB, arr arrow.Array, i int) string {
	t.Helper()
	if arr.IsNull(i) {
		return null
	}
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Int16:
		return strconv.Itoa(int(a.Value(i)))
	case *array.Int32:
		return strconv.Itoa(int(a.Value(i)))
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Decimal256:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal256Type).Scale)
	case *array.Date32:
		if a.Value(i) == math.MinInt32 {
			return "-infinity"
		}
		return time.Unix(int64(a.Value(i))*86400, 0).UTC().Format("2006-01-02")
	case *array.Duration:
		us, sign := int64(a.Value(i)), ""
		if us < 0 {
			us, sign = -us, "-"
		}
		return fmt.Sprintf("%s%02d:%02d:%02d.%06d", sign, us/3_600_000_000, us/60_000_000%60, us/1_000_000%60, us%1_000_000)
	case *array.Time64:
		return time.UnixMicro(int64(a.Value(i))).UTC().Format("15:04:05.000000")
	case *array.Timestamp:
		if a.Value(i) == math.MinInt64 {
			return "-infinity"
		}
		ts := time.UnixMicro(int64(a.Value(i))).UTC()
		if a.DataType().(*arrow.TimestampType).TimeZone != "" {
			return ts.Format("2006-01-02 15:04:05.000000Z")
		}
		return ts.Format("2006-01-02 15:04:05.000000")
	}
	t.Fatalf("render: unhandled array type %v", arr.DataType())
	return ""
}

// ratString renders a decimal string exactly, for comparing decimals.
func ratString(t testing.TB, s string) string {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("big.Rat cannot parse %q", s)
	}
	return r.RatString()
}

// checkGoroutines fails if goroutines started during the test outlive it.
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines: got %d, want at most %d\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
	})
}

// rowsString renders rows compactly for failure messages.
func rowsString(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strconv.Quote(strings.Join(r, "|")))
		b.WriteByte(' ')
	}
	return b.String()
}
