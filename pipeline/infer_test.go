package pipeline

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// TestInferColumns checks the types inferred for figure and chart CSVs: the
// narrowest of integer, decimal (with the widest scale, plus headroom),
// date, datetime, else text; a value that would change by the cast (a
// leading zero) or that the decoder refuses keeps the column text.
func TestInferColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		csv   string
		types []string
	}{
		{"integers", "n\n1\n-2\n+3\n40\n", []string{"bigint"}},
		{"integers with NULLs", "n\n1\n\n3\n", []string{"bigint"}},
		{"decimals take the widest scale", "x\n1.5\n-20.25\n3\n", []string{"decimal(18,2)"}},
		{"wide decimals keep headroom", "x\n12345678901234567.1234\n", []string{"decimal(25,4)"}},
		{"integers beyond bigint", "x\n123456789012345678901234\n", []string{"decimal(28,0)"}},
		{"too wide for a fixed decimal", "x\n1234567890123456789012345678901234567.5\n", []string{"decimal"}},
		{"leading zeros are text", "zip\n02134\n10001\n", []string{"text"}},
		{"leading zero before a point is text", "x\n00.5\n", []string{"text"}},
		{"zero point something is a decimal", "x\n0.5\n0\n-0.25\n", []string{"decimal(18,2)"}},
		{"a bare point is text", "x\n.5\n", []string{"text"}},
		{"exponents are text", "x\n1e5\n", []string{"text"}},
		{"dates", "d\n2024-01-31\n2023-12-01\n", []string{"date"}},
		{"impossible dates are text", "d\n2024-02-30\n", []string{"text"}},
		{"year zero is text", "d\n0000-01-01\n", []string{"text"}},
		{"datetimes", "t\n2024-01-31 10:00:00\n2024-01-31T11:22:33.123456\n", []string{"datetime"}},
		{"dates and datetimes mixed", "t\n2024-01-31\n2024-01-31 11:22:33\n", []string{"datetime"}},
		{"nanoseconds that are zeros", "t\n2024-01-31 10:00:00.123456000\n", []string{"datetime"}},
		{"nanoseconds are text", "t\n2024-01-31 10:00:00.1234567\n", []string{"text"}},
		{"digits glued to the seconds are text", "t\n2024-01-31 10:00:00123\n", []string{"text"}},
		{"zones are text", "t\n2024-01-31T10:00:00Z\n", []string{"text"}},
		{"hour 24 is text", "t\n2024-01-31 24:00:00\n", []string{"text"}},
		{"months are text", "month\n2024-01\n", []string{"text"}},
		{"text", "s\nabc\n1\n", []string{"text"}},
		{"an all-empty column is text", "a,b\n,1\n,2\n", []string{"text", "bigint"}},
		{"no rows", "a,b\n", []string{"text", "text"}},
		{"a BOM before the header is not a name", "\ufeffmonth,n\n2024-01,3\n", []string{"text", "bigint"}},
		{"CRLF and quoted line breaks", "s,n\r\n\"a\r\nb\",1\r\n", []string{"text", "bigint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, err := inferColumns(strings.NewReader(tt.csv))
			if err != nil {
				t.Fatalf("inferColumns: %v", err)
			}
			types := make([]string, len(cols))
			for i, c := range cols {
				types[i] = c.Type
			}
			if !reflect.DeepEqual(types, tt.types) {
				t.Errorf("got types %v, want %v", types, tt.types)
			}
			mustDecodeAll(t, cols, tt.csv)
		})
	}
}

// mustDecodeAll decodes data with the decoder a load uses, typed by cols:
// every value inference accepted must decode.
func mustDecodeAll(t *testing.T, cols []schema.Column, data string) {
	t.Helper()
	tbl, err := schema.NewTable("", "inferred", cols, schema.Options{})
	if err != nil {
		t.Fatalf("NewTable: %v", err)
	}
	for _, w := range tbl.Warnings {
		t.Errorf("mapping warning: %s", w)
	}
	ctx := context.Background()
	dec, err := transform.NewDecoder(ctx, strings.NewReader(data), tbl, transform.Options{})
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	defer dec.Close()
	for {
		b, err := dec.Next(ctx)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("decode with the inferred types: %v", err)
		}
		b.Release()
	}
}

// TestInferColumnsNames checks the column metadata besides the types: ids
// 1, 2, ... and the header's names, verbatim.
func TestInferColumnsNames(t *testing.T) {
	t.Parallel()
	cols, err := inferColumns(strings.NewReader("\ufeffCohort Month,\"Revenue, net\",x \n2024-01,1.5,a\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Column{
		{ID: "1", Name: "Cohort Month", Type: "text"},
		{ID: "2", Name: "Revenue, net", Type: "decimal(18,1)"},
		{ID: "3", Name: "x ", Type: "text"},
	}
	if !reflect.DeepEqual(cols, want) {
		t.Errorf("got %+v, want %+v", cols, want)
	}
}

// TestInferColumnsErrors checks that input no table can come from is an
// error, not a guess.
func TestInferColumnsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		csv  string
		want string
	}{
		{"empty", "", "no header row"},
		{"only a BOM", "\ufeff", "no header row"},
		{"ragged", "a,b\n1,2\n3\n", "wrong number of fields"},
		{"bare quote", "a\nx\"y\n", "bare \""},
		{"unterminated quote", "a\n\"xy\n", "extraneous or missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inferColumns(strings.NewReader(tt.csv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one holding %q", err, tt.want)
			}
		})
	}
}
