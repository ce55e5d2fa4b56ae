package load

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// TestPrimaryKeyNull: a NULL in a primary key column that the metadata
// does not mark NOT NULL (the decoder lets it through) fails replace and
// append with a RowError naming the table, the CSV line (past the row
// number: records with quoted line breaks come first) and the column,
// before the server sees it; append and snapshot refuse it only when the
// existing table holds the column NOT NULL. The warehouse is left as it
// was and the ledger records the failure.
func TestPrimaryKeyNull(t *testing.T) {
	t.Parallel()
	fixture := mustReadFile(t, "testdata/merge_null_key.csv") // NULL entity_id on line 8, row 4
	const (
		replacePK = `replace sales_order: line 8, column "entity_id": primary key value is empty (NULL)`
		appendPK  = `append sales_order: line 8, column "entity_id": primary key value is empty (NULL)`
	)
	tests := []struct {
		name      string
		mode      Mode
		setup     keyedSetup
		batchRows int
		want      error  // nil: the load succeeds
		msg       string // the RowError's text
	}{
		{name: "replace, first load", mode: ModeReplace, want: ErrNullKey, msg: replacePK},
		{name: "replace, swap", mode: ModeReplace, setup: keyedSetup{mode: ModeReplace}, want: ErrNullKey, msg: replacePK},
		{name: "replace, swap, NULL in a later batch", mode: ModeReplace, setup: keyedSetup{mode: ModeReplace}, batchRows: 2, want: ErrNullKey, msg: replacePK},
		{name: "replace, in place (trigger)", mode: ModeReplace, setup: keyedSetup{mode: ModeReplace, sql: []string{
			"CREATE FUNCTION %s.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
			"CREATE TRIGGER t BEFORE INSERT ON %s.sales_order FOR EACH ROW EXECUTE FUNCTION %s.noop()"}},
			want: ErrNullKey, msg: replacePK},
		{name: "append, first load", mode: ModeAppend, want: ErrNullKey, msg: appendPK},
		{name: "append, table with the primary key", mode: ModeAppend, setup: keyedSetup{mode: ModeAppend}, want: ErrNullKey, msg: appendPK},
		{name: "append, new column (staged)", mode: ModeAppend, setup: keyedSetup{mode: ModeAppend, table: threeColumns}, want: ErrNullKey, msg: appendPK},
		{name: "append, the key column NOT NULL but no primary key", mode: ModeAppend, setup: keyedSetup{sql: []string{
			"CREATE TABLE %s.sales_order (entity_id bigint NOT NULL, increment_id text, customer_note text, grand_total numeric(12,4))"}},
			want: ErrBadValue, msg: `append sales_order: line 8, column "entity_id": value is empty (NULL) and the column is NOT NULL in the table`},
		{name: "append, table without a primary key: loaded as before", mode: ModeAppend, setup: keyedSetup{sql: []string{
			"CREATE TABLE %s.sales_order (entity_id bigint, increment_id text, customer_note text, grand_total numeric(12,4))"}}},
		{name: "snapshot, first load: a history table has no key", mode: ModeSnapshot},
		{name: "snapshot, history table given a primary key", mode: ModeSnapshot, setup: keyedSetup{mode: ModeSnapshot, sql: []string{
			"ALTER TABLE %s.sales_order_history ADD PRIMARY KEY (entity_id, _export_id)"}},
			want: ErrNullKey, msg: `snapshot sales_order: line 8, column "entity_id": primary key value is empty (NULL)`},
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
			before := warehouseState(t, e, target)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			src := csvSource(t, tbl, fixture, transform.Options{BatchRows: tt.batchRows})
			res, err := l.Load(ctx, Job{Table: tbl, Source: src, Mode: tt.mode, ExportID: "bad", ExpectedRows: -1})
			if tt.want == nil {
				if err != nil || res.RowsLoaded != 5 {
					t.Fatalf("got %d rows, %v; want the 5 rows loaded", res.RowsLoaded, err)
				}
				if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+schema.Quote(e.schema, target)+" WHERE entity_id IS NULL"); n != 1 {
					t.Errorf("got %d rows with a NULL key, want 1", n)
				}
				return
			}
			var re *RowError
			if !errors.Is(err, tt.want) || !errors.As(err, &re) {
				t.Fatalf("got %T %v, want a *RowError of %v", err, err, tt.want)
			}
			if re.Line != 8 || re.Row != 4 || re.Column != "entity_id" || re.Mode != tt.mode || re.Table != "sales_order" {
				t.Errorf("got %+v, want line 8, row 4, column entity_id, mode %s, table sales_order", *re, tt.mode)
			}
			if want := "load " + schema.Quote(e.schema, target) + ": " + tt.msg; err.Error() != want {
				t.Errorf("message: got %q, want %q", err.Error(), want)
			}
			if strings.Contains(err.Error(), "stage_") {
				t.Errorf("got %q, want no staging table name", err)
			}
			mustFailCleanly(t, e, target, before, res, "bad", tt.msg, tt.mode)
		})
	}
}
