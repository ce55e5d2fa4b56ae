package load

import (
	"errors"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// TestSystemColumnNames loads a bounding box whose columns are named
// like PostgreSQL's system columns (xmin, xmax, ...; and oid, an ordinary
// name since PostgreSQL 12), in both identifier modes and every mode:
// before, no such table could be created ("column name "xmin" conflicts
// with a system column name"). The names get the suffix "_", and a
// column already named xmin_ keeps its name while xmin goes on to xmin__2.
func TestSystemColumnNames(t *testing.T) {
	t.Parallel()
	cols := []schema.Column{{Name: "id", Type: "integer", IsPrimaryKey: true}, {Name: "xmin", Type: "decimal(9,4)"},
		{Name: "xmax", Type: "decimal(9,4)"}, {Name: "ymin", Type: "decimal(9,4)"}, {Name: "cmin", Type: "integer"},
		{Name: "cmax", Type: "integer"}, {Name: "ctid", Type: "varchar(16)"}, {Name: "tableoid", Type: "integer"},
		{Name: "oid", Type: "integer"}}
	const csv = "id,xmin,xmax,ymin,cmin,cmax,ctid,tableoid,oid\n1,-1.5,2.25,0,7,8,(0;1),9,10\n2,,,,,,,,\n"
	want := []string{"id", "xmin_", "xmax_", "ymin", "cmin_", "cmax_", "ctid_", "tableoid_", "oid"}
	for _, ids := range []schema.IdentifierMode{schema.IdentifiersSnake, schema.IdentifiersPreserve} {
		for _, mode := range []Mode{ModeReplace, ModeAppend, ModeMerge, ModeSnapshot} {
			t.Run(string(ids)+" "+string(mode), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				l := e.loader(t, Config{})
				tbl, err := schema.NewTable("", "boxes", cols, schema.Options{Identifiers: ids})
				if err != nil {
					t.Fatal(err)
				}
				if got := tbl.ColumnNames(); strings.Join(got, ",") != strings.Join(want, ",") {
					t.Fatalf("column names: got %v, want %v", got, want)
				}
				// A create, then a load into the existing table.
				e.mustLoad(t, l, tbl, csv, Job{Mode: mode, ExportID: "e1"})
				e.mustLoad(t, l, tbl, strings.ReplaceAll(strings.ReplaceAll(csv, "\n1,", "\n3,"), "\n2,", "\n4,"), Job{Mode: mode, ExportID: "e2"})
				got := queryText(t, e.pool, "SELECT id, xmin_, xmax_, cmin_, cmax_, ctid_, tableoid_, oid FROM "+
					schema.Quote(e.schema, TargetTable(tbl, mode))+" WHERE id = 3")
				if len(got) != 1 || strings.Join(got[0], ",") != "3,-1.5000,2.2500,7,8,(0;1),9,10" {
					t.Errorf("first row: got %v", got)
				}
			})
		}
	}
	t.Run("taken suffix", func(t *testing.T) {
		got := schema.ColumnIdentifiers([]string{"xmin_", "xmin", "XMIN"}, schema.IdentifiersPreserve, func(int) string { return "c" })
		if strings.Join(got, ",") != "xmin_,xmin__2,XMIN" {
			t.Errorf("preserve: got %v, want [xmin_ xmin__2 XMIN]", got)
		}
		got = schema.ColumnIdentifiers([]string{"XMin", "xmin"}, schema.IdentifiersSnake, func(int) string { return "c" })
		if strings.Join(got, ",") != "xmin_,xmin__2" {
			t.Errorf("snake: got %v, want [xmin_ xmin__2]", got)
		}
	})
}

// TestTableNamedLikeIndex loads a source table named orders_pkey beside
// orders, whose primary key index has that name: the load fails before
// anything is written, naming the index, its table and the fix; once the
// index is renamed the table loads, and a replace of orders keeps the
// index's new name.
func TestTableNamedLikeIndex(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustOrders(t, l)
	pk := mustTable(t, "orders_pkey", "id*:integer", "note:varchar")
	_, err := e.load(t, l, pk, "id,note\n1,a\n", Job{ExportID: "p1"})
	if !errors.Is(err, ErrNotATable) {
		t.Fatalf("load orders_pkey: got %v, want ErrNotATable", err)
	}
	for _, w := range []string{"an index of table", `"orders"`, "ALTER INDEX", "RENAME TO"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	mustExec(t, e.pool, "ALTER INDEX "+schema.Quote(e.schema, "orders_pkey")+" RENAME TO orders_pk")
	e.mustLoad(t, l, pk, "id,note\n1,a\n", Job{ExportID: "p1"})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e2"})
	if name := mustScalar[string](t, e.pool, "SELECT conname::text FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'",
		schema.Quote(e.schema, "orders")); name != "orders_pk" {
		t.Errorf("primary key of orders after a replace: got %s, want orders_pk", name)
	}
}

// TestNulInNames loads a table whose table and column names hold NUL
// bytes, successfully and then failing: before, neither load could write
// the ledger ("unsupported Unicode escape sequence"), so a success was
// rolled back and a failure went unrecorded.
func TestNulInNames(t *testing.T) {
	t.Parallel()
	for _, ids := range []schema.IdentifierMode{schema.IdentifiersSnake, schema.IdentifiersPreserve} {
		t.Run(string(ids), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tbl, err := schema.NewTable("", "ord\x00ers", []schema.Column{{Name: "id", Type: "integer", IsPrimaryKey: true},
				{Name: "na\x00me", Type: "varchar(8)"}, {Name: "n", Type: "integer"}}, schema.Options{Identifiers: ids})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{tbl.Name, tbl.Fields[1].Name} {
				if strings.ContainsRune(n, 0) {
					t.Fatalf("identifier %q holds a NUL", n)
				}
			}
			header := "id,na\x00me,n\n"
			for _, mode := range []Mode{ModeReplace, ModeSnapshot} {
				if res := e.mustLoad(t, l, tbl, header+"1,a,1\n", Job{Mode: mode, ExportID: "ok"}); res.LedgerID == 0 {
					t.Errorf("%s: no ledger row", mode)
				}
				res, err := e.load(t, l, tbl, header+"2,b,x\n", Job{Mode: mode, ExportID: "bad"})
				if err == nil || res.LedgerID == 0 {
					t.Errorf("%s of a bad value: got err %v, ledger row %d; want a failure in the ledger", mode, err, res.LedgerID)
				}
			}
			got := queryText(t, e.pool, "SELECT status, source_table, source_columns->>"+schema.QuoteLiteral(tbl.Fields[1].Name)+
				" FROM "+schema.Quote(e.ledger, "loads")+" ORDER BY id")
			if len(got) != 4 || got[0][0] != "loaded" || got[1][0] != "failed" || got[0][1] != "orders" || got[0][2] != "name" {
				t.Errorf("ledger: got %v, want loaded, failed, loaded, failed of source orders, column name", got)
			}
		})
	}
}
