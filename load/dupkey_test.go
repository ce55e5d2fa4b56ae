package load

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// TestDuplicateKey: a key value the export repeats, or (append) that the
// table already holds, fails the load with a KeyError naming the source
// table (never the staging table), the key, the value and, where they can
// be found, the CSV lines of the rows holding it (past the row numbers:
// records with quoted line breaks come first); it keeps the server's
// SQLSTATE. The warehouse is left as it was and the ledger records the
// failure.
func TestDuplicateKey(t *testing.T) {
	t.Parallel()
	dup := mustReadFile(t, "testdata/duplicate_key.csv")       // entity_id 2 on lines 3 and 9 (rows 2 and 5)
	dupInc := mustReadFile(t, "testdata/duplicate_unique.csv") // increment_id 100002 on lines 3 and 6 (rows 2 and 4)
	const (
		replacePK = `replace sales_order: lines 3 and 9: primary key (entity_id) value 2 appears more than once in the export (SQLSTATE 23505)`
		appendPK  = `append sales_order: lines 3 and 9: primary key (entity_id) value 2 appears more than once in the export (SQLSTATE 23505)`
	)
	trigger := []string{
		"CREATE FUNCTION %s.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
		"CREATE TRIGGER t BEFORE INSERT ON %s.sales_order FOR EACH ROW EXECUTE FUNCTION %s.noop()",
	}
	tests := []struct {
		name       string
		mode       Mode
		table      func(t testing.TB) *schema.Table // nil: sales_order, entity_id its primary key
		csv        string
		setup      keyedSetup
		batchRows  int
		ok         bool // the load succeeds
		rows       []int64
		lines      []int64
		sqlState   string
		msg        string // the KeyError's text
		targetName string // "" for the table's name
	}{
		{name: "replace, first load", mode: ModeReplace, csv: dup, rows: []int64{2, 5}, lines: []int64{3, 9}, msg: replacePK},
		{name: "replace, swap", mode: ModeReplace, csv: dup, setup: keyedSetup{mode: ModeReplace}, rows: []int64{2, 5}, lines: []int64{3, 9}, msg: replacePK},
		{name: "replace, swap, batches of 2 rows", mode: ModeReplace, csv: dup, setup: keyedSetup{mode: ModeReplace}, batchRows: 2,
			rows: []int64{2, 5}, lines: []int64{3, 9}, msg: replacePK},
		{name: "replace, in place (trigger)", mode: ModeReplace, csv: dup, setup: keyedSetup{mode: ModeReplace, sql: trigger},
			rows: []int64{2, 5}, lines: []int64{3, 9}, msg: replacePK},
		{name: "replace, in place by key (referenced)", mode: ModeReplace, csv: dup, setup: keyedSetup{mode: ModeReplace, sql: []string{
			"INSERT INTO %s.sales_order (entity_id) VALUES (1)",
			"CREATE TABLE %s.notes (order_id bigint REFERENCES %s.sales_order (entity_id))",
			"INSERT INTO %s.notes VALUES (1)"}},
			rows: []int64{2, 5}, lines: []int64{3, 9}, sqlState: "21000",
			msg: `replace sales_order: lines 3 and 9: primary key (entity_id) value 2 appears more than once in the export (SQLSTATE 21000)`},
		{name: "replace, swap, the table's unique constraint", mode: ModeReplace, csv: dupInc, setup: keyedSetup{mode: ModeReplace, sql: []string{
			"ALTER TABLE %s.sales_order ADD CONSTRAINT so_increment UNIQUE (increment_id)"}},
			rows: []int64{2, 4}, lines: []int64{3, 6},
			msg: `replace sales_order: lines 3 and 6: unique constraint "so_increment" (increment_id) value 100002 appears more than once in the export (SQLSTATE 23505)`},
		{name: "replace, swap, the table's unique index", mode: ModeReplace, csv: dupInc, setup: keyedSetup{mode: ModeReplace, sql: []string{
			"CREATE UNIQUE INDEX so_increment ON %s.sales_order (lower(increment_id))"}},
			msg: `replace sales_order: unique index "so_increment" (lower(increment_id)) value 100002 appears more than once in the export (SQLSTATE 23505)`},
		{name: "replace, composite key three times", mode: ModeReplace,
			table: func(t testing.TB) *schema.Table {
				return mustTable(t, "Sales Order", "Store ID*:smallint", "entity_id*:int(11)", "note:text")
			},
			csv:  "Store ID,entity_id,note\n1,1,a\n1,2,\"x\ny\"\n2,2,b\n1,2,c\n1,2,d\n",
			rows: []int64{2, 4}, lines: []int64{3, 6}, targetName: "sales_order_2",
			msg: `replace "Sales Order": lines 3 and 6: primary key ("Store ID", entity_id) value (1, 2) appears 3 times in the export (SQLSTATE 23505)`},
		{name: "append, first load", mode: ModeAppend, csv: dup, rows: []int64{2, 5}, lines: []int64{3, 9}, msg: appendPK},
		{name: "append, repeated in the export", mode: ModeAppend, csv: dup, setup: keyedSetup{mode: ModeAppend}, rows: []int64{5}, lines: []int64{9},
			msg: `append sales_order: line 9: primary key (entity_id) value 2 is already in the table or earlier in the export (SQLSTATE 23505)`},
		{name: "append, already in the table", mode: ModeAppend, setup: keyedSetup{mode: ModeAppend},
			csv:  "entity_id,increment_id,customer_note,grand_total\n5,100005,\"two\nlines\",5\n9,100010,again,10\n",
			rows: []int64{2}, lines: []int64{4},
			msg: `append sales_order: line 4: primary key (entity_id) value 9 is already in the table or earlier in the export (SQLSTATE 23505)`},
		{name: "append, new column (staged), repeated in the export", mode: ModeAppend, csv: dup, setup: keyedSetup{mode: ModeAppend, table: threeColumns},
			rows: []int64{2, 5}, lines: []int64{3, 9}, msg: appendPK},
		{name: "append, new column (staged), already in the table", mode: ModeAppend, setup: keyedSetup{mode: ModeAppend, table: threeColumns},
			csv: "entity_id,increment_id,customer_note,grand_total\n5,100005,\"two\nlines\",5\n9,100010,again,10\n",
			msg: `append sales_order: primary key (entity_id) value 9 is already in the table (SQLSTATE 23505)`},
		{name: "snapshot, history table given a unique index", mode: ModeSnapshot, csv: dup, setup: keyedSetup{mode: ModeSnapshot, sql: []string{
			"CREATE UNIQUE INDEX so_history_key ON %s.sales_order_history (entity_id, _export_id)"}},
			rows: []int64{5}, lines: []int64{9},
			msg: `snapshot sales_order: line 9: unique index "so_history_key" (entity_id, _export_id) value (2, bad) is already in the table or earlier in the export (SQLSTATE 23505)`},
		{name: "snapshot: a history table has no key", mode: ModeSnapshot, csv: dup, setup: keyedSetup{mode: ModeSnapshot}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tt.setup.run(t, e, l)
			tbl := mustNullableKeyTable(t, "sales_order")
			if tt.table != nil {
				tbl = tt.table(t)
			}
			target := tbl.Name
			if tt.mode == ModeSnapshot {
				target = HistoryTableName(tbl.Name)
			}
			before := warehouseState(t, e, target)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			src := csvSource(t, tbl, tt.csv, transform.Options{BatchRows: tt.batchRows})
			res, err := l.Load(ctx, Job{Table: tbl, Source: src, Mode: tt.mode, ExportID: "bad", ExpectedRows: -1})
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want the load to succeed", err)
				}
				return
			}
			var ke *KeyError
			if !errors.Is(err, ErrDuplicateKey) || !errors.As(err, &ke) {
				t.Fatalf("got %T %v, want a *KeyError", err, err)
			}
			if !slices.Equal(ke.Rows, tt.rows) || !slices.Equal(ke.Lines, tt.lines) || ke.Table != tbl.SourceName || ke.Mode != tt.mode {
				t.Errorf("got rows %v lines %v table %q mode %s, want rows %v lines %v table %q mode %s",
					ke.Rows, ke.Lines, ke.Table, ke.Mode, tt.rows, tt.lines, tbl.SourceName, tt.mode)
			}
			wantState := tt.sqlState
			if wantState == "" {
				wantState = "23505"
			}
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != wantState {
				t.Errorf("got %v, want the server's error with SQLSTATE %s", err, wantState)
			}
			if want := "load " + schema.Quote(e.schema, target) + ": " + tt.msg; err.Error() != want {
				t.Errorf("message:\ngot  %q\nwant %q", err.Error(), want)
			}
			if strings.Contains(err.Error(), "stage_") {
				t.Errorf("got %q, want no staging table name", err)
			}
			mustFailCleanly(t, e, target, before, res, "bad", tt.msg, tt.mode)
		})
	}
}
