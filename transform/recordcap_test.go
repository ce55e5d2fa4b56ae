package transform

import (
	"errors"
	"strings"
	"testing"
)

// TestDecodeRecordCap checks that Options.MaxRecordBytes bounds every
// record, complete or not, quoted or not: a record over the cap fails the
// decode with ErrRecordTooLarge naming the table and the line the record
// starts on, after reading little more than the cap (the memory a record
// can take), and a record at the cap decodes.
func TestDecodeRecordCap(t *testing.T) {
	const (
		capBytes = 10000
		chunk    = 100
		// The reader runs a few chunks ahead of the parser.
		maxRead = capBytes + 12*chunk
	)
	head := "id,name,grand_total\n1,a,1\n"
	pad := func(n int) string { return strings.Repeat("x", n) }
	at := func(body string) string { return "2," + body + ",2" } // a record of len(body)+4 bytes
	tests := []struct {
		name     string
		csv      string
		wantLine int64 // 0: no error
	}{
		{name: "unquoted at the cap", csv: head + at(pad(capBytes-4)) + "\n3,c,3\n"},
		{name: "quoted at the cap", csv: head + at(`"`+pad(capBytes-6)+`"`) + "\n3,c,3\n"},
		{name: "unquoted one byte over, complete", csv: head + at(pad(capBytes-3)) + "\n3,c,3\n", wantLine: 3},
		{name: "unquoted 1.5 times the cap, complete", csv: head + at(pad(capBytes*3/2)) + "\n3,c,3\n", wantLine: 3},
		{name: "unquoted field 5 times the cap", csv: head + at(pad(5*capBytes)) + "\n3,c,3\n", wantLine: 3},
		{name: "quoted field over the cap, closed", csv: head + at(`"`+pad(capBytes+chunk/2)+`"`) + "\n3,c,3\n", wantLine: 3},
		{name: "unterminated quote", csv: head + `2,"never closed,2` + "\n" + strings.Repeat("3,c,3\n", 3*capBytes/6), wantLine: 3},
		{name: "unterminated quote ending the input before the cap", csv: head + `2,"never closed,2` + "\n" + strings.Repeat("3,c,3\n", 100), wantLine: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeString(t, threeCols(t), tt.csv, Options{MaxRecordBytes: capBytes, geom: chunkGeom{head: 16, size: chunk}})
			if tt.wantLine == 0 {
				if got.err != nil || len(got.rows) != 3 {
					t.Fatalf("got %d rows, error %v; want 3 rows, no error", len(got.rows), got.err)
				}
				return
			}
			var re *RowError
			if !errors.As(got.err, &re) || re.Table != "sales_order" || re.Line != tt.wantLine {
				t.Fatalf("error: got %v, want a RowError of table sales_order line %d", got.err, tt.wantLine)
			}
			if len(tt.csv) > maxRead+capBytes && !errors.Is(got.err, ErrRecordTooLarge) {
				t.Errorf("error: got %v, want ErrRecordTooLarge", got.err)
			}
			if errors.Is(got.err, ErrRecordTooLarge) && !strings.Contains(got.err.Error(), "over the cap of 10000 bytes") {
				t.Errorf("error: got %q, want it to name the cap", got.err)
			}
			if got.stats.Bytes > maxRead {
				t.Errorf("bytes read before the error: got %d, want at most %d (the cap and a few chunks)", got.stats.Bytes, maxRead)
			}
		})
	}
}
