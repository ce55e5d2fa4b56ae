package load

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// mustNullableKeyTable is sales_order with entity_id as the primary key in
// the metadata but not marked NOT NULL, as the API often serves it: the
// decoder lets an empty key through and the merge must refuse it.
func mustNullableKeyTable(t testing.TB, name string) *schema.Table {
	t.Helper()
	tbl, err := schema.NewTable("", name, []schema.Column{
		{Name: "entity_id", Type: "int(10) unsigned", IsPrimaryKey: true},
		{Name: "increment_id", Type: "varchar(50)"},
		{Name: "customer_note", Type: "text"},
		{Name: "grand_total", Type: "decimal(12,4)"},
	}, schema.Options{})
	if err != nil {
		t.Fatalf("table %s: %v", name, err)
	}
	return tbl
}

func mustReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMergeNullKey: a NULL merge key fails the load with a RowError naming
// the table, the CSV line (records with quoted line breaks come before it,
// so the line is not the row number plus one) and the key column; the
// target keeps its previous contents (or is not created) and the ledger
// records the failure.
func TestMergeNullKey(t *testing.T) {
	t.Parallel()
	fixture := mustReadFile(t, "testdata/merge_null_key.csv")
	const before = "entity_id,increment_id,customer_note,grand_total\n1,100001,old,1.00\n9,100009,\"kept\nnote\",9.00\n"
	salesOrder := func(t testing.TB) *schema.Table {
		return mustTable(t, "sales_order", "entity_id:int(10) unsigned", "increment_id:varchar(50)", "customer_note:text", "grand_total:decimal(12,4)")
	}
	tests := []struct {
		name      string
		table     func(t testing.TB) *schema.Table
		key       []string
		csv       string
		batchRows int
		first     string // loaded (merge) before, "" for none: the target does not exist
		line, row int64
		column    string
		msg       string // the RowError's text
	}{
		{
			name: "--key after quoted line breaks", table: salesOrder, key: []string{"entity_id"}, csv: fixture, first: before,
			line: 8, row: 4, column: "entity_id",
			msg: `merge sales_order: line 8, column "entity_id": key value is empty (NULL); merge needs a key in every row`,
		},
		{
			name: "primary key in the metadata, not marked NOT NULL", table: func(t testing.TB) *schema.Table { return mustNullableKeyTable(t, "sales_order") },
			csv: fixture, first: before, line: 8, row: 4, column: "entity_id",
			msg: `merge sales_order: line 8, column "entity_id": key value is empty (NULL); merge needs a key in every row`,
		},
		{
			name: "NULL key in a later batch", table: salesOrder, key: []string{"entity_id"}, csv: fixture, batchRows: 2, first: before,
			line: 8, row: 4, column: "entity_id",
			msg: `merge sales_order: line 8, column "entity_id": key value is empty (NULL); merge needs a key in every row`,
		},
		{
			name: "first merge: nothing created", table: salesOrder, key: []string{"entity_id"}, csv: fixture,
			line: 8, row: 4, column: "entity_id",
			msg: `merge sales_order: line 8, column "entity_id": key value is empty (NULL); merge needs a key in every row`,
		},
		{
			name: "composite key: the first NULL row wins over the first key column",
			table: func(t testing.TB) *schema.Table {
				return mustTable(t, "Sales Order", "Store ID:smallint", "entity_id:int(11)", "note:text")
			},
			key:   []string{"Store ID", "entity_id"},
			csv:   "Store ID,entity_id,note\n1,1,\"a\n\nb\"\n1,,x\n,3,y\n",
			first: "Store ID,entity_id,note\n1,1,old\n", line: 5, row: 2, column: "entity_id",
			msg: `merge "Sales Order": line 5, column "entity_id": key value is empty (NULL); merge needs a key in every row`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tbl := tt.table(t)
			var want [][]string
			if tt.first != "" {
				e.mustLoad(t, l, tbl, tt.first, Job{Mode: ModeMerge, Key: tt.key, ExportID: "before"})
				want = e.rows(t, tbl.Name, "1, 2")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			src := csvSource(t, tbl, tt.csv, transform.Options{BatchRows: tt.batchRows})
			res, err := l.Load(ctx, Job{Table: tbl, Source: src, Mode: ModeMerge, Key: tt.key, ExportID: "bad", ExpectedRows: -1})
			if !errors.Is(err, ErrNullKey) {
				t.Fatalf("got %v, want ErrNullKey", err)
			}
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("got %T %v, want a *RowError", err, err)
			}
			if re.Table != tbl.SourceName || re.Line != tt.line || re.Row != tt.row || re.Column != tt.column {
				t.Errorf("got table %q line %d row %d column %q, want %q line %d row %d column %q",
					re.Table, re.Line, re.Row, re.Column, tbl.SourceName, tt.line, tt.row, tt.column)
			}
			if want := "load " + schema.Quote(e.schema, tbl.Name) + ": " + tt.msg; err.Error() != want {
				t.Errorf("message: got %q, want %q", err.Error(), want)
			}
			if res.Status != StatusFailed {
				t.Errorf("status: got %s, want %s", res.Status, StatusFailed)
			}
			exists := mustScalar[bool](t, e.pool, "SELECT to_regclass($1) IS NOT NULL", schema.Quote(e.schema, tbl.Name))
			switch {
			case tt.first == "" && exists:
				t.Errorf("got a table after a failed first merge, want none")
			case tt.first != "":
				if got := e.rows(t, tbl.Name, "1, 2"); !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("after the failed merge: got %v, want the previous contents %v", got, want)
				}
			}
			ledger := queryText(t, e.pool, "SELECT status, error, mode FROM "+schema.Quote(e.ledger)+".loads WHERE export_id = 'bad'")
			if wantRow := []string{StatusFailed, tt.msg, string(ModeMerge)}; len(ledger) != 1 || !slices.Equal(ledger[0], wantRow) {
				t.Errorf("ledger: got %q, want one row %q", ledger, wantRow)
			}
		})
	}
}
