package pipeline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// TestLoadFileMergeNullKey: through LoadFile (decoder → loader), a NULL
// merge key names the CSV line, which records with quoted line breaks put
// past the row number, and the key column; the table keeps its previous
// contents and the ledger has the failure.
func TestLoadFileMergeNullKey(t *testing.T) {
	t.Parallel()
	e := fileEnv(t)
	ctx := context.Background()
	tbl := mustNoteTable(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		csv  string
		key  []string
		msg  string // "" for a good load
	}{
		{name: "good", csv: "entity_id,customer_note\n1,\"old\nnote\"\n2,two\n", key: []string{"entity_id"}},
		{name: "NULL key after quoted line breaks", key: []string{"entity_id"},
			csv: "entity_id,customer_note\n1,\"a\nb\nc\"\n2,\"d\n\ne\"\n,no key\n4,after\n",
			msg: `merge sales_order: line 8, column "entity_id": key value is empty (NULL); merge needs a key in every row`},
		{name: "NULL key on the first row, the metadata's primary key", csv: "entity_id,customer_note\n,\"x\ny\"\n",
			msg: `merge sales_order: line 2, column "entity_id": key value is empty (NULL); merge needs a key in every row`},
	}
	var want [][]string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := mustWriteFile(t, dir, strings.ReplaceAll(tt.name, " ", "_")+".csv", []byte(tt.csv))
			opts := Options{Mode: load.ModeMerge, Key: tt.key}
			failedBefore := e.ledgerCount(t, StatusFailed)
			tr, err := e.runner.LoadFile(ctx, opts, FileJob{Path: path, Table: tbl})
			got := queryRows(t, e, "SELECT entity_id::text, customer_note FROM "+schema.Quote(e.target, "sales_order")+" ORDER BY 1")
			if tt.msg == "" {
				if err != nil || tr.Status != StatusLoaded {
					t.Fatalf("got %q, %v; want loaded", tr.Status, err)
				}
				want = got
				return
			}
			if err == nil || tr.Status != StatusFailed || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(tr.Error, tt.msg) {
				t.Fatalf("got %q, %v; want failed with %q", tr.Status, err, tt.msg)
			}
			if strings.HasPrefix(tt.msg, "merge") && !errors.Is(err, load.ErrNullKey) {
				t.Errorf("got %v, want errors.Is load.ErrNullKey", err)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("table after the failed merge: got %q, want %q", got, want)
			}
			if n := e.ledgerCount(t, StatusFailed); n != failedBefore+1 {
				t.Errorf("failed ledger rows: got %d, want %d", n, failedBefore+1)
			}
		})
	}
}

// queryRows returns the rows of sql as text.
func queryRows(t testing.TB, e *env, sql string) [][]string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, []string{a, b})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mustNoteTable is the key tests' table: sales_order with a primary key
// the metadata does not mark NOT NULL, and a text column for quoted line
// breaks.
func mustNoteTable(t testing.TB) *schema.Table {
	t.Helper()
	tbl, err := schema.NewTable("", "sales_order", []schema.Column{
		{Name: "entity_id", Type: "int(10) unsigned", IsPrimaryKey: true},
		{Name: "customer_note", Type: "text"},
	}, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}
