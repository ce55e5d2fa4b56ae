package transform

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// scanned is one record (or bad record) as scanAll saw it.
type scanned struct {
	fields []string // NULL (an unquoted empty field) renders as <NULL>
	quoted []bool
	line   int64
	raw    string
	bad    string // errMsg of a scanBad record
}

// scanAll runs the scanner over input fed step bytes at a time (or as much
// as the window already holds, so that long records stay linear, as in the
// parser's refill), and returns the records, the final line count
// and the fatal error message, if any.
func scanAll(input []byte, step int) (recs []scanned, lines int64, fatal string) {
	s := newScanner()
	off := 0
	feed := func() {
		n := min(max(step, len(s.buf)-s.pos), len(input)-off)
		win := append(append([]byte(nil), s.buf[s.pos:]...), input[off:off+n]...)
		off += n
		s.setBuf(win)
		s.eof = off == len(input)
	}
	feed()
	for {
		switch s.next() {
		case scanMore:
			feed()
		case scanEOF:
			return recs, s.line - 1, ""
		case scanFatal:
			return recs, s.line - 1, s.errMsg
		case scanRecord, scanBad:
			r := scanned{line: s.recLine, raw: string(s.buf[s.recStart:s.recEnd])}
			if s.errMsg != "" && len(s.fields) == s.errField {
				r.bad = s.errMsg
			}
			for _, f := range s.fields {
				v := string(f.v)
				if !f.quoted && v == "" {
					v = null
				}
				r.fields = append(r.fields, v)
				r.quoted = append(r.quoted, f.quoted)
			}
			s.errMsg = ""
			recs = append(recs, r)
		}
	}
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []string // records, fields joined by "|"; a bad record is "!" + message
		lines []int64  // line of each record
		total int64    // physical lines
		fatal string
	}{
		{name: "simple", in: "a,b\n1,2\n", want: []string{"a|b", "1|2"}, lines: []int64{1, 2}, total: 2},
		{name: "no final newline", in: "a,b\n1,2", want: []string{"a|b", "1|2"}, lines: []int64{1, 2}, total: 2},
		{name: "crlf", in: "a,b\r\n1,2\r\n", want: []string{"a|b", "1|2"}, lines: []int64{1, 2}, total: 2},
		{name: "final cr dropped", in: "a,b\r", want: []string{"a|b"}, lines: []int64{1}, total: 1},
		{name: "lone cr is data", in: "a\rb,c\n", want: []string{"a\rb|c"}, lines: []int64{1}, total: 1},
		{name: "empty fields are null", in: ",x,\n", want: []string{"<NULL>|x|<NULL>"}, lines: []int64{1}, total: 1},
		{name: "quoted empty is empty string", in: `"",x,""` + "\n", want: []string{"|x|"}, lines: []int64{1}, total: 1},
		{name: "quoted comma and doubled quote", in: `"a,b","say ""hi""",c` + "\n", want: []string{`a,b|say "hi"|c`}, lines: []int64{1}, total: 1},
		{name: "quoted newline advances lines", in: "h\n\"x\ny\nz\",1\nnext,2\n", want: []string{"h", "x\ny\nz|1", "next|2"}, lines: []int64{1, 2, 5}, total: 5},
		{name: "crlf inside quotes kept", in: "\"a\r\nb\"\r\n", want: []string{"a\r\nb"}, lines: []int64{1}, total: 2},
		{name: "quoted field at eof", in: `a,"b"`, want: []string{"a|b"}, lines: []int64{1}, total: 1},
		{name: "quoted then cr at eof", in: "\"b\"\r", want: []string{"b"}, lines: []int64{1}, total: 1},
		{name: "trailing comma", in: "a,\n", want: []string{"a|<NULL>"}, lines: []int64{1}, total: 1},
		{name: "blank final line ignored", in: "a\n\n", want: []string{"a"}, lines: []int64{1}, total: 2},
		{name: "blank final lines ignored", in: "a\r\n\r\n\n\r\n", want: []string{"a"}, lines: []int64{1}, total: 4},
		{name: "blank line inside is a null record", in: "a\n\nb\n", want: []string{"a", "<NULL>", "b"}, lines: []int64{1, 2, 3}, total: 3},
		{name: "empty input", in: "", total: 0},
		{name: "bare quote", in: "a\nb\"c,d\ne\n", want: []string{"a", "!quote in an unquoted field", "e"}, lines: []int64{1, 2, 3}, total: 3},
		{name: "text after closing quote", in: "\"a\"b,c\nd\n", want: []string{"!text after the closing quote of a quoted field", "d"}, lines: []int64{1, 2}, total: 2},
		{name: "quote after cr", in: "\"a\"\rb\nd\n", want: []string{"!text after the closing quote of a quoted field", "d"}, lines: []int64{1, 2}, total: 2},
		{name: "unterminated quote", in: "a\n\"b,c\nd\n", want: []string{"a"}, lines: []int64{1}, total: 1, fatal: "quoted field is never closed"},
		{name: "doubled quote at end is not a close", in: "\"a\"\"", want: nil, total: 0, fatal: "quoted field is never closed"},
		{name: "quoted record then unquoted tail", in: "\"x\",,y\n", want: []string{"x|<NULL>|y"}, lines: []int64{1}, total: 1},
		{name: "multi-line then bare field", in: "\"1\n2\",3\n4,\"5\n6\"\n", want: []string{"1\n2|3", "4|5\n6"}, lines: []int64{1, 3}, total: 4},
	}
	for _, tt := range tests {
		for _, step := range []int{1, 2, 3, 5, 64, 1 << 20} {
			t.Run(fmt.Sprintf("%s/step%d", tt.name, step), func(t *testing.T) {
				recs, total, fatal := scanAll([]byte(tt.in), step)
				var got []string
				var lines []int64
				for _, r := range recs {
					if r.bad != "" {
						got = append(got, "!"+r.bad)
					} else {
						got = append(got, strings.Join(r.fields, "|"))
					}
					lines = append(lines, r.line)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("records: got %q, want %q", got, tt.want)
				}
				if !slices.Equal(lines, tt.lines) {
					t.Errorf("lines: got %v, want %v", lines, tt.lines)
				}
				if total != tt.total {
					t.Errorf("total lines: got %d, want %d", total, tt.total)
				}
				if fatal != tt.fatal {
					t.Errorf("fatal: got %q, want %q", fatal, tt.fatal)
				}
			})
		}
	}
}

func TestScannerRaw(t *testing.T) {
	recs, _, _ := scanAll([]byte("a,\"b\nc\"\r\nbad\"x,y\r\nlast"), 4)
	var got []string
	for _, r := range recs {
		got = append(got, r.raw)
	}
	want := []string{"a,\"b\nc\"", "bad\"x,y", "last"}
	if !slices.Equal(got, want) {
		t.Errorf("raw records: got %q, want %q", got, want)
	}
}
