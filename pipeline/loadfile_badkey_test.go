package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// mustZipFile writes csv as the one entry of a zip in dir.
func mustZipFile(t testing.TB, dir, name, csv string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(strings.TrimSuffix(name, ".zip") + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(csv)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return mustWriteFile(t, dir, name, buf.Bytes())
}

// TestLoadFileBadKey: through LoadFile (zip → decoder → loader), a NULL
// in a primary key the metadata does not mark NOT NULL, and a key value
// the export repeats, fail replace and append with messages naming the
// source table, the CSV lines (past the row numbers: records with quoted
// line breaks come first), the column or the key and its value, and
// never the staging table; the table keeps its previous contents and the
// ledger has the failure.
func TestLoadFileBadKey(t *testing.T) {
	t.Parallel()
	e := fileEnv(t)
	ctx := context.Background()
	tbl := mustNoteTable(t)
	const (
		nullKey = "entity_id,customer_note\n3,\"a\nb\nc\"\n4,\"d\n\ne\"\n,no key\n5,after\n"
		dupKey  = "entity_id,customer_note\n3,\"a\nb\nc\"\n4,x\n5,\"d\n\ne\"\n4,again\n"
	)
	dir := t.TempDir()
	tests := []struct {
		name string
		mode load.Mode
		csv  string
		msg  string // "" for a good load
		is   error
	}{
		{name: "good", mode: load.ModeReplace, csv: "entity_id,customer_note\n1,\"old\nnote\"\n2,two\n"},
		{name: "replace, NULL key", mode: load.ModeReplace, csv: nullKey, is: load.ErrNullKey,
			msg: `replace sales_order: line 8, column "entity_id": primary key value is empty (NULL)`},
		{name: "replace, duplicate key", mode: load.ModeReplace, csv: dupKey, is: load.ErrDuplicateKey,
			msg: `replace sales_order: lines 5 and 9: primary key (entity_id) value 4 appears more than once in the export (SQLSTATE 23505)`},
		{name: "append, NULL key", mode: load.ModeAppend, csv: nullKey, is: load.ErrNullKey,
			msg: `append sales_order: line 8, column "entity_id": primary key value is empty (NULL)`},
		{name: "append, duplicate key", mode: load.ModeAppend, csv: dupKey, is: load.ErrDuplicateKey,
			msg: `append sales_order: line 9: primary key (entity_id) value 4 is already in the table or earlier in the export (SQLSTATE 23505)`},
	}
	var want [][]string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := mustZipFile(t, dir, strings.ReplaceAll(tt.name, " ", "_")+".zip", tt.csv)
			failedBefore := e.ledgerCount(t, StatusFailed)
			tr, err := e.runner.LoadFile(ctx, Options{Mode: tt.mode}, FileJob{Path: path, Table: tbl})
			got := queryRows(t, e, "SELECT entity_id::text, customer_note FROM "+schema.Quote(e.target, "sales_order")+" ORDER BY 1")
			if tt.msg == "" {
				if err != nil || tr.Status != StatusLoaded {
					t.Fatalf("got %q, %v; want loaded", tr.Status, err)
				}
				want = got
				return
			}
			if err == nil || tr.Status != StatusFailed || !strings.HasSuffix(err.Error(), ": "+tt.msg) || !strings.Contains(tr.Error, tt.msg) {
				t.Fatalf("got %q, %v (report %q); want failed with %q", tr.Status, err, tr.Error, tt.msg)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("got %v, want errors.Is %v", err, tt.is)
			}
			if strings.Contains(err.Error(), "stage_") {
				t.Errorf("got %q, want no staging table name", err)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("table after the failed load: got %q, want %q", got, want)
			}
			if n := e.ledgerCount(t, StatusFailed); n != failedBefore+1 {
				t.Errorf("failed ledger rows: got %d, want %d", n, failedBefore+1)
			}
			stages := mustScalar[int64](t, e.pool, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ($1, $2) AND (c.relname LIKE 'stage\_%' OR c.relname LIKE 'mbiload\_old\_%')`, e.target, e.ledger)
			if stages != 0 {
				t.Errorf("got %d staging or old tables left behind, want none", stages)
			}
		})
	}
}
