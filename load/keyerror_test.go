package load

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestKeyErrorMessage(t *testing.T) {
	pe := &pgconn.PgError{Code: "23505", Message: `could not create unique index "stage_0123456789abcdef_1"`}
	tests := []struct {
		name string
		err  *KeyError
		want string
	}{
		{"replace, lines", &KeyError{Mode: ModeReplace, Table: "sales_order", Key: "primary key (entity_id)", Value: "2", Count: 2, Rows: []int64{2, 5}, Lines: []int64{3, 9}, Err: pe},
			`replace sales_order: lines 3 and 9: primary key (entity_id) value 2 appears more than once in the export (SQLSTATE 23505)`},
		{"three times, rows without lines", &KeyError{Mode: ModeReplace, Table: "Sales Order", Key: `primary key ("Store ID", entity_id)`, Value: `(1, "a b")`, Count: 3, Rows: []int64{2, 5}, Lines: []int64{3, 0}, Err: pe},
			`replace "Sales Order": rows 2 and 5 of the export: primary key ("Store ID", entity_id) value (1, "a b") appears 3 times in the export (SQLSTATE 23505)`},
		{"append, one line", &KeyError{Mode: ModeAppend, Table: "sales_order", Key: "primary key (entity_id)", Value: "2", Rows: []int64{5}, Lines: []int64{9}, Repeat: RepeatInTableOrExport, Err: pe},
			`append sales_order: line 9: primary key (entity_id) value 2 is already in the table or earlier in the export (SQLSTATE 23505)`},
		{"in the table", &KeyError{Mode: ModeAppend, Table: "sales_order", Key: "primary key (entity_id)", Value: "9", Repeat: RepeatInTable, Err: pe},
			`append sales_order: primary key (entity_id) value 9 is already in the table (SQLSTATE 23505)`},
		{"nothing known", &KeyError{Mode: ModeReplace, Table: "sales_order", Key: `unique index "x"`},
			`replace sales_order: unique index "x" appears more than once in the export`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			err := fmt.Errorf("load x: %w", tc.err)
			if !errors.Is(err, ErrDuplicateKey) {
				t.Errorf("errors.Is(%v, ErrDuplicateKey): got false, want true", err)
			}
			var got *pgconn.PgError
			if errors.As(err, &got) != (tc.err.Err != nil) {
				t.Errorf("errors.As(%v, *pgconn.PgError): got %v, want %v", err, got, tc.err.Err)
			}
			if strings.Contains(tc.err.Error(), "stage_") {
				t.Errorf("got %q, want no staging table name", tc.err.Error())
			}
		})
	}
}

func TestParseKeyDetail(t *testing.T) {
	tests := []struct {
		name, detail, cols, value string
		ok                        bool
	}{
		{"index build", "Key (entity_id)=(2) is duplicated.", "entity_id", "2", true},
		{"insert", `Key ("Store ID", entity_id)=(1, 2) already exists.`, `"Store ID", entity_id`, "1, 2", true},
		{"value with parentheses", "Key (sku)=(a)=(b) already exists.", "sku", "a)=(b", true},
		{"no detail", "", "", "", false},
		{"something else", "Failing row contains (1, null).", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cols, value, ok := parseKeyDetail(tc.detail)
			if cols != tc.cols || value != tc.value || ok != tc.ok {
				t.Errorf("got %q, %q, %v, want %q, %q, %v", cols, value, ok, tc.cols, tc.value, tc.ok)
			}
		})
	}
}

func TestKeyColumns(t *testing.T) {
	tests := []struct {
		name, list string
		want       int
	}{
		{"one", "entity_id", 1},
		{"two, one quoted", `"Store ID", entity_id`, 2},
		{"a comma in a quoted name", `"a, b", c`, 2},
		{"an expression", "lower(email), coalesce(a, b)", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := keyColumns(tc.list); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestKeyValue(t *testing.T) {
	tests := []struct {
		name string
		vals []string
		want string
	}{
		{"integer", []string{"2"}, "2"},
		{"decimal", []string{"-2.50"}, "-2.50"},
		{"text", []string{"A-1"}, `"A-1"`},
		{"line break", []string{"a\nb"}, `"a\nb"`},
		{"long", []string{strings.Repeat("x", 100)}, `"` + strings.Repeat("x", maxValueBytes) + `"`},
		{"composite", []string{"1", "a b"}, `(1, "a b")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := keyValue(tc.vals); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCopyRow(t *testing.T) {
	tests := []struct {
		name, where string
		want        int64
	}{
		{"binary COPY", "COPY sales_order, line 4500", 4500},
		{"quoted name", `COPY "Sales, Order", line 7`, 7},
		{"more context", "SQL function \"f\"\nCOPY x, line 3", 3},
		{"none", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := copyRow(tc.where); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}
