package transform

import (
	"errors"
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
