package transform

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

func threeCols(t testing.TB) *schema.Table {
	t.Helper()
	return mustTable(t, "sales_order", col{"id", "int(11) not null"}, col{"name", "varchar(255)"}, col{"grand_total", "decimal(12,4)"})
}

func TestDecodeRecords(t *testing.T) {
	tests := []struct {
		name  string
		csv   string
		want  []string // rows joined by "|"
		lines int64
	}{
		{name: "basic", csv: "id,name,grand_total\n1,a,1.5\n2,,\n", want: []string{"1|a|1.5000", "2|<NULL>|<NULL>"}, lines: 3},
		{name: "empty string vs null", csv: "id,name,grand_total\n1,\"\",\n", want: []string{"1||<NULL>"}, lines: 2},
		{name: "reordered header is mapped", csv: "grand_total,id,name\n2.5,7,x\n", want: []string{"7|x|2.5000"}, lines: 2},
		{name: "quoted newline", csv: "id,name,grand_total\n1,\"a\nb\",1\n2,c,2\n", want: []string{"1|a\nb|1.0000", "2|c|2.0000"}, lines: 4},
		{name: "header only", csv: "id,name,grand_total\n", want: nil, lines: 1},
		{name: "header without newline", csv: "id,name,grand_total", want: nil, lines: 1},
		{name: "no trailing newline", csv: "id,name,grand_total\n1,a,1", want: []string{"1|a|1.0000"}, lines: 2},
		{name: "blank final lines", csv: "id,name,grand_total\n1,a,1\n\n\n", want: []string{"1|a|1.0000"}, lines: 4},
		{name: "bom and crlf", csv: "\xef\xbb\xbfid,name,grand_total\r\n1,\"a\r\nb\",1\r\n", want: []string{"1|a\r\nb|1.0000"}, lines: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeString(t, threeCols(t), tt.csv, Options{})
			if got.err != nil {
				t.Fatalf("error: got %v, want none", got.err)
			}
			var rows []string
			for _, r := range got.rows {
				rows = append(rows, strings.Join(r, "|"))
			}
			if !slices.Equal(rows, tt.want) {
				t.Errorf("rows: got %q, want %q", rows, tt.want)
			}
			if got.stats.Rows != int64(len(tt.want)) || got.stats.Lines != tt.lines || got.stats.Bytes != int64(len(tt.csv)) {
				t.Errorf("stats: got %+v, want %d rows, %d lines, %d bytes", got.stats, len(tt.want), tt.lines, len(tt.csv))
			}
		})
	}
}

func TestDecodeSingleColumnBlankLines(t *testing.T) {
	tb := mustTable(t, "t", col{"v", "int(11)"})
	got := decodeString(t, tb, "v\n1\n\n2\n\n", Options{})
	if got.err != nil {
		t.Fatalf("error: got %v, want none", got.err)
	}
	want := "\"1\" \"<NULL>\" \"2\" \"<NULL>\" "
	if rowsString(got.rows) != want {
		t.Errorf("rows: got %s, want %s", rowsString(got.rows), want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		wantErr error
		line    int64
		column  string
		msg     string
	}{
		{name: "ragged short", csv: "id,name,grand_total\n1,a,1\n2,b\n", wantErr: ErrRagged, line: 3, msg: `table "sales_order" line 3: transform: wrong number of fields: record has 2 fields, header has 3`},
		{name: "ragged long", csv: "id,name,grand_total\n1,a,1,4\n", wantErr: ErrRagged, line: 2},
		{name: "blank line inside", csv: "id,name,grand_total\n\n1,a,1\n", wantErr: ErrRagged, line: 2},
		{name: "bare quote", csv: "id,name,grand_total\n1,a\"b,1\n", wantErr: ErrBadQuote, line: 2, column: "name", msg: "quote in an unquoted field"},
		{name: "text after quote", csv: "id,name,grand_total\n1,\"a\"b,1\n", wantErr: ErrBadQuote, line: 2, column: "name", msg: "text after the closing quote"},
		{name: "unterminated quote", csv: "id,name,grand_total\n1,a,1\n2,\"b,1\n3,c,1\n", wantErr: ErrBadQuote, line: 3, column: "name", msg: "never closed"},
		{name: "invalid utf8", csv: "id,name,grand_total\n1,\"x\ny\",1\n2,caf\xe9,1\n", wantErr: ErrInvalidUTF8, line: 4, column: "name", msg: `table "sales_order" line 4 column "name": value "caf\xe9" is not valid UTF-8`},
		{name: "not null", csv: "id,name,grand_total\n,a,1\n", wantErr: ErrNotNull, line: 2, column: "id"},
		{name: "bad decimal", csv: "id,name,grand_total\n1,a,1\n900001,b,12.34567\n", wantErr: ErrBadValue, line: 3, column: "grand_total", msg: `table "sales_order" line 3 column "grand_total": value "12.34567" has 5 fractional digits, scale is 4`},
		{name: "long value shortened", csv: "id,name,grand_total\n" + strings.Repeat("9", 100) + ",a,1\n", wantErr: ErrBadValue, line: 2, column: "id", msg: `value "` + strings.Repeat("9", 64) + `…" is out of range`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeString(t, threeCols(t), tt.csv, Options{})
			if !errors.Is(got.err, tt.wantErr) {
				t.Fatalf("error: got %v, want %v", got.err, tt.wantErr)
			}
			var re *RowError
			if !errors.As(got.err, &re) {
				t.Fatalf("error: got %T, want *RowError", got.err)
			}
			if re.Line != tt.line || re.Column != tt.column {
				t.Errorf("place: got line %d column %q, want line %d column %q", re.Line, re.Column, tt.line, tt.column)
			}
			if !strings.Contains(got.err.Error(), tt.msg) {
				t.Errorf("message: got %q, want it to contain %q", got.err, tt.msg)
			}
			if len(got.rows) != 0 {
				t.Errorf("rows: got %d, want none (a failed batch is never sent)", len(got.rows))
			}
		})
	}
}

func TestDecodeBudget(t *testing.T) {
	csv := "id,name,grand_total\n" +
		"1,a,1\n" +
		"x,b,2\n" + // line 3: bad int
		"3,c\n" + // line 4: ragged
		"4,\"d\ne\",4\n" + // lines 5-6
		"5,f\"g,5\n" + // line 7: bare quote
		"6,h,6.00001\n" + // line 8: too precise
		"7,i,7\n"
	t.Run("within budget", func(t *testing.T) {
		got := decodeString(t, threeCols(t), csv, Options{MaxBadRows: 4})
		if got.err != nil {
			t.Fatalf("error: got %v, want none", got.err)
		}
		if want := `"1|a|1.0000" "4|d` + "\\n" + `e|4.0000" "7|i|7.0000" `; rowsString(got.rows) != want {
			t.Errorf("rows: got %s, want %s", rowsString(got.rows), want)
		}
		want := []schema.Reject{
			{Line: 3, Column: "id", Record: "x,b,2", Reason: `value "x" is not an integer`},
			{Line: 4, Record: "3,c", Reason: "transform: wrong number of fields: record has 2 fields, header has 3"},
			{Line: 7, Column: "name", Record: "5,f\"g,5", Reason: "transform: bad quoting: quote in an unquoted field"},
			{Line: 8, Column: "grand_total", Record: "6,h,6.00001", Reason: `value "6.00001" has 5 fractional digits, scale is 4`},
		}
		if !slices.Equal(got.rejects, want) {
			t.Errorf("rejects:\n got %+v\nwant %+v", got.rejects, want)
		}
		if got.stats.Rows != 3 || got.stats.Rejected != 4 || got.stats.Lines != 9 {
			t.Errorf("stats: got %+v, want 3 rows, 4 rejected, 9 lines", got.stats)
		}
	})
	t.Run("over budget", func(t *testing.T) {
		got := decodeString(t, threeCols(t), csv, Options{MaxBadRows: 3})
		if !errors.Is(got.err, ErrTooManyBadRows) || !errors.Is(got.err, ErrBadValue) {
			t.Fatalf("error: got %v, want ErrTooManyBadRows wrapping ErrBadValue", got.err)
		}
		var re *RowError
		if !errors.As(got.err, &re) || re.Line != 8 {
			t.Errorf("last row error: got %v, want line 8", re)
		}
		if len(got.rejects) != 3 {
			t.Errorf("rejects: got %d, want 3", len(got.rejects))
		}
	})
	t.Run("unterminated quote is always fatal", func(t *testing.T) {
		got := decodeString(t, threeCols(t), "id,name,grand_total\n1,\"a,1\n", Options{MaxBadRows: 100})
		if !errors.Is(got.err, ErrBadQuote) {
			t.Fatalf("error: got %v, want ErrBadQuote", got.err)
		}
	})
	t.Run("reject record shortened", func(t *testing.T) {
		long := "x," + strings.Repeat("y", 10000) + ",1"
		got := decodeString(t, threeCols(t), "id,name,grand_total\n"+long+"\n", Options{MaxBadRows: 1})
		if got.err != nil || len(got.rejects) != 1 {
			t.Fatalf("got %v and %d rejects, want 1 reject", got.err, len(got.rejects))
		}
		if r := got.rejects[0].Record; len(r) > maxRejectRecord+4 || !strings.HasPrefix(r, "x,yyy") {
			t.Errorf("record: got %d bytes, want about %d", len(r), maxRejectRecord)
		}
	})
}

func TestDecodeNullString(t *testing.T) {
	tb := mustTable(t, "t", col{"a", "int(11)"}, col{"b", "text"})
	got := decodeString(t, tb, "a,b\n\\N,\\N\n1,\n2,\"\\N\"\n", Options{NullString: `\N`})
	if got.err != nil {
		t.Fatalf("error: got %v, want none", got.err)
	}
	if want := `"<NULL>|<NULL>" "1|" "2|\\N" `; rowsString(got.rows) != want {
		t.Errorf("rows: got %s, want %s", rowsString(got.rows), want)
	}
}

func TestDecodeZeroDates(t *testing.T) {
	tb := mustTable(t, "t", col{"d", "date"}, col{"ts", "datetime"})
	csv := "d,ts\n0000-00-00,0000-00-00 00:00:00\n"
	got := decodeString(t, tb, csv, Options{})
	if got.err != nil || rowsString(got.rows) != `"<NULL>|<NULL>" ` {
		t.Errorf("null: got %s, %v, want two NULLs", rowsString(got.rows), got.err)
	}
	got = decodeString(t, tb, csv, Options{ZeroDates: ZeroDatesError})
	if !errors.Is(got.err, ErrBadValue) || !strings.Contains(got.err.Error(), "zero date") {
		t.Errorf("error: got %v, want a zero date error", got.err)
	}
}

func TestDecodeBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,grand_total\n")
	var byBytes []int64 // batches cut at 10000 record bytes (terminators not counted)
	rows, size := int64(0), 0
	for i := range 1000 {
		rec := fmt.Sprintf("%d,name %d,%d.25", i, i, i)
		b.WriteString(rec + "\n")
		rows, size = rows+1, size+len(rec)
		if size >= 10000 {
			byBytes = append(byBytes, rows)
			rows, size = 0, 0
		}
	}
	byBytes = append(byBytes, rows)
	csv := b.String()
	tests := []struct {
		name string
		opts Options
		want []int64
	}{
		{name: "by rows", opts: Options{BatchRows: 300}, want: []int64{300, 300, 300, 100}},
		{name: "by bytes", opts: Options{BatchBytes: 10000}, want: byBytes},
		{name: "one row", opts: Options{BatchRows: 1}, want: slices.Repeat([]int64{1}, 1000)},
		{name: "default", opts: Options{}, want: []int64{1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeString(t, threeCols(t), csv, tt.opts)
			if got.err != nil {
				t.Fatalf("error: got %v, want none", got.err)
			}
			if !slices.Equal(got.batches, tt.want) {
				t.Errorf("batches: got %v, want %v", got.batches, tt.want)
			}
			for i, r := range got.rows {
				if want := fmt.Sprint(i); r[0] != want {
					t.Fatalf("row %d: got id %s, want %s (rows out of order)", i, r[0], want)
				}
			}
			if got.stats.Rows != 1000 {
				t.Errorf("stats rows: got %d, want 1000", got.stats.Rows)
			}
		})
	}
}

// TestDecodeSpanningChunks decodes records that straddle chunks, are larger
// than the headroom and larger than whole chunks, with tiny chunks.
func TestDecodeSpanningChunks(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,grand_total\r\n")
	var want []string
	for i := range 200 {
		name := strings.Repeat("x", i*7%53)
		switch i % 5 {
		case 1:
			name = strings.Repeat("q\"\n", i)
		case 3:
			name = strings.Repeat("long,", 400+i)
		}
		fmt.Fprintf(&b, "%d,\"%s\",%d\r\n", i, strings.ReplaceAll(name, `"`, `""`), i)
		want = append(want, fmt.Sprintf("%d|%s|%d.0000", i, name, i))
	}
	csv := b.String()
	for _, g := range []chunkGeom{{head: 16, size: 7}, {head: 64, size: 1000}, {head: 1, size: 1}, {head: 4096, size: 333}} {
		t.Run(fmt.Sprintf("head%d-size%d", g.head, g.size), func(t *testing.T) {
			got := decodeString(t, threeCols(t), csv, Options{geom: g, BatchRows: 17})
			if got.err != nil {
				t.Fatalf("error: got %v, want none", got.err)
			}
			var rows []string
			for _, r := range got.rows {
				rows = append(rows, strings.Join(r, "|"))
			}
			if !slices.Equal(rows, want) {
				t.Errorf("rows differ: got %d rows, want %d", len(rows), len(want))
			}
		})
	}
}

func TestDecodeRecordTooLarge(t *testing.T) {
	csv := "id,name,grand_total\n1,\"" + strings.Repeat("x", 5000)
	got := decodeString(t, threeCols(t), csv, Options{MaxRecordBytes: 1000, geom: chunkGeom{head: 16, size: 100}})
	if !errors.Is(got.err, ErrRecordTooLarge) {
		t.Fatalf("error: got %v, want ErrRecordTooLarge", got.err)
	}
}

func TestDecodeOptionsInvalid(t *testing.T) {
	tb := threeCols(t)
	for _, o := range []Options{{BatchRows: -1}, {MaxBadRows: -1}, {ZeroDates: "zero"}, {NullString: `"`}, {BatchBytes: -5}} {
		if _, err := NewDecoder(context.Background(), strings.NewReader("id,name,grand_total\n"), tb, o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("options %+v: got %v, want ErrInvalidOptions", o, err)
		}
	}
	if _, err := NewDecoder(context.Background(), strings.NewReader(""), nil, Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("nil table: got %v, want ErrInvalidOptions", err)
	}
}
