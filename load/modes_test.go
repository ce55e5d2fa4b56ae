package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mbiload/mbiload/transform"
	"golang.org/x/sync/errgroup"
)

func TestAppend(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := mustTable(t, "events", "id*:int(11)", "kind:varchar(10)", "amount:decimal(10,2)")
	res := e.mustLoad(t, l, tbl, "id,kind,amount\n1,a,1.5\n2,b,\n", Job{Mode: ModeAppend, ExportID: "e1"})
	if res.Mechanism != MechanismCreate || res.RowsLoaded != 2 {
		t.Fatalf("first append: got %+v", res)
	}
	res = e.mustLoad(t, l, tbl, "id,kind,amount\n3,c,3\n", Job{Mode: ModeAppend, ExportID: "e2"})
	if res.Mechanism != MechanismCopy || res.RowsLoaded != 1 {
		t.Errorf("second append: got %+v", res)
	}
	if res := e.mustLoad(t, l, tbl, "id,kind,amount\n3,c,3\n", Job{Mode: ModeAppend, ExportID: "e1"}); res.Status != StatusSkipped {
		t.Errorf("appending an earlier export again: got %s, want skipped", res.Status)
	}
	// A new column, a widened one (smallint into integer is not needed:
	// bigint id into... keep id), and a missing one.
	wider := mustTable(t, "events", "id*:smallint", "amount:decimal(8,2)", "note:text")
	res = e.mustLoad(t, l, wider, "id,amount,note\n4,4.25,hello\n", Job{Mode: ModeAppend, ExportID: "e3"})
	if res.Mechanism != MechanismStagedInsert {
		t.Errorf("append with a new column: got %s, want staged-insert", res.Mechanism)
	}
	wantChanges := []string{`added column "note" (text)`, `column "kind" is not in the export: NULL in the new rows`}
	if !slices.Equal(res.SchemaChanges, wantChanges) {
		t.Errorf("changes: got %q, want %q", res.SchemaChanges, wantChanges)
	}
	want := [][]string{
		{"1", "a", "1.50", "<nil>"},
		{"2", "b", "<nil>", "<nil>"},
		{"3", "c", "3.00", "<nil>"},
		{"4", "<nil>", "4.25", "hello"},
	}
	if got := e.rows(t, "events", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	if c := queryText(t, e.pool, "SELECT col_description('"+e.schema+".events'::regclass, 4)"); c[0][0] != "note" {
		t.Errorf("comment of the added column: got %v, want note", c)
	}
}

func TestAppendIncompatible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, table, export, row string
		ok                       bool
	}{
		{"int into bigint", "bigint", "int(11)", "5", true},
		{"bigint into int", "int(11)", "bigint", "5", false},
		{"text into int", "int(11)", "varchar(5)", "5", false},
		{"int into text", "varchar(5)", "int(11)", "5", false},
		{"decimal widening", "decimal(12,4)", "decimal(8,2)", "1.5", true},
		{"decimal narrowing", "decimal(8,2)", "decimal(12,4)", "1.5", false},
		{"decimal fewer integer digits", "decimal(12,6)", "decimal(12,4)", "1.5", false},
		{"int into decimal", "decimal(12,2)", "int(11)", "7", true},
		{"bigint into small decimal", "decimal(12,2)", "bigint", "7", false},
		{"smallint into decimal", "decimal(7,2)", "smallint", "7", true},
		{"decimal into unconstrained", "numeric", "decimal(30,10)", "7.5", true},
		{"float into double", "double", "float", "0.5", true},
		{"datetime into date", "date", "datetime", "2020-01-01", false},
		{"json into text", "text", "json", "1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			e.mustLoad(t, l, mustTable(t, "x", "v:"+tc.table), "v\n"+tc.row+"\n", Job{Mode: ModeAppend, ExportID: "e1"})
			_, err := e.load(t, l, mustTable(t, "x", "v:"+tc.export), "v\n"+tc.row+"\n", Job{Mode: ModeAppend, ExportID: "e2"})
			if tc.ok && err != nil {
				t.Fatalf("got %v, want the append to work", err)
			}
			if !tc.ok {
				var ce *ColumnError
				if !errors.As(err, &ce) || !errors.Is(err, ErrIncompatibleType) || ce.Column != "v" {
					t.Fatalf("got %v, want an incompatible type error on v", err)
				}
			}
			n := 2
			if !tc.ok {
				n = 1
			}
			if got := e.rows(t, "x", "1"); len(got) != n {
				t.Errorf("got %d rows, want %d", len(got), n)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := mustTable(t, "customers", "id*:int(11)", "name:varchar(20)", "score:int(11)")
	res := e.mustLoad(t, l, tbl, "id,name,score\n1,Ann,1\n2,Bob,2\n1,Ann v2,3\n", Job{Mode: ModeMerge, ExportID: "e1"})
	if res.Mechanism != MechanismMerge || res.RowsRead != 3 || res.RowsLoaded != 2 {
		t.Errorf("first merge: got %+v", res)
	}
	e.mustLoad(t, l, tbl, "id,name,score\n2,Bob v2,20\n3,Cy,30\n2,Bob v3,21\n", Job{Mode: ModeMerge, ExportID: "e2"})
	want := [][]string{{"1", "Ann v2", "3"}, {"2", "Bob v3", "21"}, {"3", "Cy", "30"}}
	if got := e.rows(t, "customers", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v (last row of a key wins)", got, want)
	}
	// A key given by source name on a table without a primary key.
	nokey := mustTable(t, "Customers 2", "Ext ID:varchar(10)", "v:int(11)")
	if _, err := e.load(t, l, nokey, "Ext ID,v\na,1\n", Job{Mode: ModeMerge}); !errors.Is(err, ErrNoKey) {
		t.Errorf("no key: got %v, want ErrNoKey", err)
	}
	e.mustLoad(t, l, nokey, "Ext ID,v\na,1\nb,2\na,3\n", Job{Mode: ModeMerge, Key: []string{"Ext ID"}, ExportID: "k1"})
	if got := e.rows(t, "customers_2", "1"); !slices.EqualFunc(got, [][]string{{"a", "3"}, {"b", "2"}}, slices.Equal) {
		t.Errorf("merge on --key: got %v", got)
	}
	_, err := e.load(t, l, nokey, "Ext ID,v\nc,1\n,2\n", Job{Mode: ModeMerge, Key: []string{"ext_id"}, ExportID: "k2"})
	const wantNull = `merge "Customers 2": line 3, column "Ext ID": key value is empty (NULL); merge needs a key in every row`
	if !errors.Is(err, ErrNullKey) || !strings.HasSuffix(err.Error(), wantNull) {
		t.Errorf("NULL key: got %v, want ErrNullKey ending %q (see TestMergeNullKey)", err, wantNull)
	}
	if got := e.rows(t, "customers_2", "1"); len(got) != 2 {
		t.Errorf("after the failed merge: got %v, want the table unchanged", got)
	}
	if _, err := e.load(t, l, nokey, "Ext ID,v\nc,1\n", Job{Mode: ModeMerge, Key: []string{"nope"}}); !errors.Is(err, ErrInvalidJob) {
		t.Errorf("unknown key column: got %v, want ErrInvalidJob", err)
	}
}

func TestSnapshot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := mustTable(t, "stock", "sku*:varchar(10)", "qty:int(11)")
	at1 := time.Date(2024, 5, 1, 2, 0, 0, 0, time.UTC)
	res := e.mustLoad(t, l, tbl, "sku,qty\nA,1\nB,2\n", Job{Mode: ModeSnapshot, ExportID: "x1", ExportedAt: at1})
	if res.Table != "stock_history" || res.RowsLoaded != 2 {
		t.Errorf("first snapshot: got %+v", res)
	}
	e.mustLoad(t, l, tbl, "sku,qty\nA,5\n", Job{Mode: ModeSnapshot, ExportID: "x2", ExportedAt: at1.Add(24 * time.Hour)})
	if res := e.mustLoad(t, l, tbl, "sku,qty\nA,1\nB,2\n", Job{Mode: ModeSnapshot, ExportID: "x1", ExportedAt: at1}); res.Status != StatusSkipped {
		t.Errorf("snapshot of an earlier export again: got %s, want skipped", res.Status)
	}
	e.mustLoad(t, l, tbl, "sku,qty\nC,9\n", Job{Mode: ModeSnapshot, SHA256: "abc"})
	want := [][]string{
		{"A", "1", "x1", "2024-05-01 02:00:00"},
		{"A", "5", "x2", "2024-05-02 02:00:00"},
		{"B", "2", "x1", "2024-05-01 02:00:00"},
		{"C", "9", "sha256:abc", "<nil>"},
	}
	if got := e.rows(t, "stock_history", "sku, _export_id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := HistoryTableName(strings.Repeat("t", 63)); len(got) != 63 || !strings.HasPrefix(got, "tttt") {
		t.Errorf("HistoryTableName of a 63-byte name: got %q (%d bytes)", got, len(got))
	}
}

// TestConcurrentTables loads several tables at once through one Loader,
// as the pipeline does.
func TestConcurrentTables(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(3)
	var progress atomic.Int64
	for i := 0; i < 6; i++ {
		tbl := mustTable(t, fmt.Sprint("table ", i), "id*:int(11)", "v:varchar(10)")
		src := csvSource(t, tbl, "id,v\n1,a\n2,b\n", transform.Options{})
		g.Go(func() error {
			_, err := l.Load(ctx, Job{Table: tbl, Source: src, ExportID: "x", ExpectedRows: 2, Progress: func(n int64) { progress.Add(n) }})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	hist, err := l.History(context.Background(), 0)
	if err != nil || len(hist) != 6 {
		t.Errorf("ledger: got %d entries, %v, want 6", len(hist), err)
	}
	if progress.Load() != 12 {
		t.Errorf("progress: got %d rows, want 12", progress.Load())
	}
}
