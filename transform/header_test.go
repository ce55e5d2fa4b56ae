package transform

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestDecodeHeader(t *testing.T) {
	tests := []struct {
		name    string
		cols    []col
		header  string
		wantErr error
		msg     string
		want    string // first row when it works
	}{
		{name: "exact", cols: []col{{"a", "int(11)"}, {"b", "text"}}, header: "a,b", want: "1|2"},
		{name: "reordered", cols: []col{{"a", "int(11)"}, {"b", "text"}}, header: "b,a", want: "2|1"},
		{name: "missing", cols: []col{{"a", "int(11)"}, {"b", "text"}, {"c", "text"}}, header: "a,b", wantErr: ErrHeaderMismatch, msg: `missing "c"`},
		{name: "extra", cols: []col{{"a", "int(11)"}}, header: "a,zz", wantErr: ErrHeaderMismatch, msg: `not in the metadata "zz"`},
		{name: "both", cols: []col{{"a", "int(11)"}, {"b", "text"}}, header: "a,c", wantErr: ErrHeaderMismatch, msg: `missing "b"; not in the metadata "c"`},
		{name: "duplicate", cols: []col{{"a", "int(11)"}, {"b", "text"}}, header: "a,a", wantErr: ErrHeaderMismatch, msg: `"a" appears twice`},
		{name: "case matters", cols: []col{{"a", "int(11)"}, {"b", "text"}}, header: "A,b", wantErr: ErrHeaderMismatch, msg: `missing "a"`},
		{name: "trailing space in metadata", cols: []col{{"a ", "int(11)"}, {"b", "text"}}, header: "a,b", want: "1|2"},
		{name: "trailing space in header", cols: []col{{"a", "int(11)"}, {"b", "text"}}, header: "\"a  \",b", want: "1|2"},
		{name: "trailing space ambiguous", cols: []col{{"a ", "int(11)"}, {"a  ", "text"}}, header: "a,\"a   \"", wantErr: ErrHeaderMismatch},
		{name: "leading space is not trimmed", cols: []col{{"a", "int(11)"}, {"b", "text"}}, header: "\" a\",b", wantErr: ErrHeaderMismatch},
		{name: "quoted names", cols: []col{{"Customer's \"first\" date", "text"}, {"b", "text"}}, header: `"Customer's ""first"" date",b`, want: "1|2"},
		{name: "empty input", cols: []col{{"a", "int(11)"}}, header: "", wantErr: ErrNoHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := mustTable(t, "t", tt.cols...)
			csv := ""
			if tt.header != "" {
				csv = tt.header + "\n1,2\n"
			}
			got := decodeString(t, tb, csv, Options{})
			if tt.wantErr != nil {
				if !errors.Is(got.err, tt.wantErr) {
					t.Fatalf("error: got %v, want %v", got.err, tt.wantErr)
				}
				if !strings.Contains(got.err.Error(), tt.msg) {
					t.Errorf("message: got %q, want it to contain %q", got.err, tt.msg)
				}
				return
			}
			if got.err != nil {
				t.Fatalf("error: got %v, want none", got.err)
			}
			if r := strings.Join(got.rows[0], "|"); r != tt.want {
				t.Errorf("row: got %q, want %q", r, tt.want)
			}
		})
	}
}

// TestDecodeHeaderErrorBounded checks that a header mismatch error stays
// short whatever the header: a 200,000-column header or a 1 MB column name
// gives an error of a few hundred bytes that counts what it leaves out.
func TestDecodeHeaderErrorBounded(t *testing.T) {
	names := make([]string, 200_000)
	for i := range names {
		names[i] = fmt.Sprintf("column_%d", i)
	}
	long := strings.Repeat("n", 1<<20)
	tests := []struct {
		name   string
		header string
		msg    []string
	}{
		{name: "wide header", header: strings.Join(names, ","),
			msg: []string{`header of 200000 columns, metadata of 2`, `missing "a", "b"`, `"column_9" and 199990 more`}},
		{name: "long name", header: "a," + long, msg: []string{`missing "b"`, `not in the metadata "nnnn`, `…"`}},
		{name: "long duplicate", header: long + "," + long, msg: []string{`appears twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := mustTable(t, "t", col{"a", "int(11)"}, col{"b", "text"})
			got := decodeString(t, tb, tt.header+"\n", Options{})
			if !errors.Is(got.err, ErrHeaderMismatch) {
				t.Fatalf("error: got %.200v, want ErrHeaderMismatch", got.err)
			}
			if n := len(got.err.Error()); n > 600 {
				t.Errorf("error length: got %d bytes, want at most 600: %.300s", n, got.err)
			}
			for _, m := range tt.msg {
				if !strings.Contains(got.err.Error(), m) {
					t.Errorf("message: got %.600q, want it to contain %q", got.err, m)
				}
			}
		})
	}
}

// TestDecodeCRLineEndings checks that a file whose lines end with CR alone
// is refused as such, not as a header mismatch; CRLF and a CR inside a
// quoted field still decode.
func TestDecodeCRLineEndings(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		wantErr error
		rows    int
	}{
		{name: "CR only", csv: "a,b\r1,x\r2,y\r", wantErr: ErrCRLineEndings},
		{name: "CR only, one line", csv: "a,b\r", rows: 0},
		{name: "CRLF", csv: "a,b\r\n1,x\r\n2,y\r\n", rows: 2},
		{name: "CR in a quoted field", csv: "a,b\n1,\"x\ry\"\n", rows: 1},
		{name: "CR in a quoted header name", csv: "a,\"b\rc\"\n1,2\n", wantErr: ErrHeaderMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := mustTable(t, "t", col{"a", "int(11)"}, col{"b", "text"})
			got := decodeString(t, tb, tt.csv, Options{})
			if tt.wantErr != nil {
				if !errors.Is(got.err, tt.wantErr) {
					t.Fatalf("error: got %v, want %v", got.err, tt.wantErr)
				}
				if tt.wantErr == ErrCRLineEndings && !strings.Contains(got.err.Error(), `table "t"`) {
					t.Errorf("message: got %q, want it to name the table", got.err)
				}
				return
			}
			if got.err != nil || len(got.rows) != tt.rows {
				t.Fatalf("got %d rows, error %v; want %d rows, no error", len(got.rows), got.err, tt.rows)
			}
		})
	}
}
