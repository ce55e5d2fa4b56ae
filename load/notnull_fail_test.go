package load

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// TestNotNullAndConstraintsRefuse: an append or snapshot into a table
// with a NOT NULL column the export does not have, without a default,
// fails before the COPY naming the column and the fix; a merge whose rows
// hold a NULL in a column NOT NULL in the target fails with a RowError
// naming the CSV line (past the row number: records with quoted line
// breaks come first) and the column; a CHECK, foreign key or unique index
// of the target the MERGE breaks names the table and the constraint. The
// warehouse is left as it was (rows and shape, no debris) and the ledger
// records the failure.
func TestNotNullAndConstraintsRefuse(t *testing.T) {
	t.Parallel()
	fixture := mustReadFile(t, "testdata/merge_null_value.csv") // NULL grand_total on line 8, row 4
	const unfilled = `load: the export breaks a constraint of the table: column "note" of "%s".%q: it is not in the export and is NOT NULL without a default; give it a default, or drop its NOT NULL or the column`
	addNote := func(table string) []string {
		return []string{"ALTER TABLE %s." + table + " ADD COLUMN note text NOT NULL DEFAULT 'x'", "ALTER TABLE %s." + table + " ALTER COLUMN note DROP DEFAULT"}
	}
	tests := []struct {
		name   string
		mode   Mode
		setup  keyedSetup
		want   error
		as     any    // a pointer to the error type errors.As must find
		msg    string // the ledger's error; %s is the schema, %q the table
		row    int64  // the RowError's row and line, 0: no RowError
		line   int64
		column string
	}{
		{name: "append, NOT NULL column not in the export", mode: ModeAppend,
			setup: keyedSetup{mode: ModeAppend, sql: addNote("sales_order")},
			want:  ErrConstraint, as: new(*ColumnError), msg: unfilled},
		{name: "snapshot, NOT NULL column not in the export", mode: ModeSnapshot,
			setup: keyedSetup{mode: ModeSnapshot, sql: addNote("sales_order_history")},
			want:  ErrConstraint, as: new(*ColumnError), msg: unfilled},
		{name: "merge, NULL in a NOT NULL column of the target", mode: ModeMerge,
			setup: keyedSetup{mode: ModeMerge, sql: []string{"ALTER TABLE %s.sales_order ALTER COLUMN grand_total SET NOT NULL"}},
			want:  ErrBadValue, as: new(*RowError), row: 4, line: 8, column: "grand_total",
			msg: `merge sales_order: line 8, column "grand_total": value is empty (NULL) and the column is NOT NULL in the table`},
		{name: "merge, check constraint", mode: ModeMerge,
			setup: keyedSetup{mode: ModeMerge, sql: []string{"ALTER TABLE %s.sales_order ADD CONSTRAINT total_small CHECK (grand_total < 45)"}},
			want:  ErrConstraint, as: new(*ConstraintError),
			msg: `merge sales_order: line 9: check constraint "total_small" (CHECK ((grand_total < (45)::numeric))) refuses grand_total = 50.0000 (SQLSTATE 23514)`},
		{name: "merge, check constraint on a column the export lacks: no line", mode: ModeMerge,
			setup: keyedSetup{mode: ModeMerge, sql: []string{"ALTER TABLE %s.sales_order ADD COLUMN discount numeric DEFAULT 0",
				"ALTER TABLE %s.sales_order ADD CONSTRAINT discount_small CHECK (discount + 15 < grand_total) NOT VALID"}},
			want: ErrConstraint, as: new(*ConstraintError),
			msg: `merge sales_order: check constraint "discount_small" (CHECK (((discount + (15)::numeric) < grand_total)) NOT VALID) refuses discount = 0, grand_total = 10.0000 (SQLSTATE 23514)`},
		{name: "merge, foreign key", mode: ModeMerge,
			setup: keyedSetup{mode: ModeMerge, sql: []string{
				"CREATE TABLE %s.ids (id bigint PRIMARY KEY)", "INSERT INTO %s.ids VALUES (1), (2), (3), (4), (6), (9)",
				"ALTER TABLE %s.sales_order ADD CONSTRAINT so_fk FOREIGN KEY (entity_id) REFERENCES %s.ids (id)"}},
			want: ErrConstraint, as: new(*ConstraintError),
			msg: `merge sales_order: foreign key "so_fk" (FOREIGN KEY (entity_id) REFERENCES %s.ids(id)) refuses the export: key (entity_id)=(5) is not present in table "ids" (SQLSTATE 23503)`},
		{name: "merge, unique constraint", mode: ModeMerge,
			setup: keyedSetup{mode: ModeMerge, sql: []string{
				"UPDATE %s.sales_order SET increment_id = '100003' WHERE entity_id = 6",
				"ALTER TABLE %s.sales_order ADD CONSTRAINT so_inc UNIQUE (increment_id)"}},
			want: ErrDuplicateKey, as: new(*KeyError),
			msg: `merge sales_order: unique index "so_inc" (increment_id) value 100003 is already in the table or earlier in the export (SQLSTATE 23505)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tt.setup.run(t, e, l)
			tbl := mustNullableKeyTable(t, "sales_order")
			target := tbl.Name
			if tt.mode == ModeSnapshot {
				target = HistoryTableName(tbl.Name)
			}
			before, shape := warehouseState(t, e, target), tableShape(t, e, target)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			src := csvSource(t, tbl, fixture, transform.Options{})
			res, err := l.Load(ctx, Job{Table: tbl, Source: src, Mode: tt.mode, ExportID: "bad", ExpectedRows: -1})
			msg := strings.ReplaceAll(strings.ReplaceAll(tt.msg, "%s", e.schema), "%q", `"`+target+`"`)
			if !errors.Is(err, tt.want) || !errors.As(err, tt.as) {
				t.Fatalf("got %T %v, want a %T of %v", err, err, tt.as, tt.want)
			}
			if want := "load " + schema.Quote(e.schema, target) + ": " + msg; err.Error() != want {
				t.Errorf("message: got %q, want %q", err.Error(), want)
			}
			if strings.Contains(err.Error(), "stage_") {
				t.Errorf("got %q, want no staging table name", err)
			}
			if tt.row > 0 {
				re := *tt.as.(**RowError)
				if re.Line != tt.line || re.Row != tt.row || re.Column != tt.column || re.Mode != tt.mode || re.Table != "sales_order" {
					t.Errorf("got %+v, want line %d, row %d, column %s, mode %s, table sales_order", *re, tt.line, tt.row, tt.column, tt.mode)
				}
			}
			mustFailCleanly(t, e, target, before, res, "bad", msg, tt.mode)
			if after := tableShape(t, e, target); !slices.Equal(after, shape) {
				t.Errorf("the table after the failed load:\ngot  %q\nwant %q", after, shape)
			}
		})
	}
}
