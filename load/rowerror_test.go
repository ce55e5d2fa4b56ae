package load

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/schema"
)

// linedBatches is a sliceBatches that knows lines, as transform.Decoder
// does: row i of batch k starts on line lines[k][i].
type linedBatches struct {
	*sliceBatches
	lines [][]int64
}

var _ LineSource = (*linedBatches)(nil)

func (s *linedBatches) Line(i int) int64 { return s.lines[s.k-1][i] }

func TestRowErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *RowError
		want string
	}{
		{"NULL key with a line", &RowError{Mode: ModeMerge, Table: "sales_order", Line: 1043, Row: 1001, Column: "entity_id", Detail: "key value is empty", Err: ErrNullKey},
			`merge sales_order: line 1043, column "entity_id": key value is empty`},
		{"NULL key without a line", &RowError{Mode: ModeMerge, Table: "sales_order", Row: 1001, Column: "entity_id", Detail: "key value is empty", Err: ErrNullKey},
			`merge sales_order: row 1001 of the export, column "entity_id": key value is empty`},
		{"NULL primary key, replace", &RowError{Mode: ModeReplace, Table: "sales_order", Line: 8, Row: 4, Column: "entity_id", Detail: "primary key value is empty (NULL)", Err: ErrNullKey},
			`replace sales_order: line 8, column "entity_id": primary key value is empty (NULL)`},
		{"no mode", &RowError{Table: "sales_order", Line: 8, Row: 4, Column: "entity_id", Detail: "primary key value is empty (NULL)", Err: ErrNullKey},
			`table sales_order: line 8, column "entity_id": primary key value is empty (NULL)`},
		{"bad value, name quoted", &RowError{Table: "Sales Order", Line: 7, Row: 4, Column: "Grand Total", Detail: `value "x" is bad`, Err: ErrBadValue},
			`table "Sales Order": line 7, column "Grand Total": value "x" is bad`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if err := fmt.Errorf("load x: %w", tc.err); !errors.Is(err, tc.err.Err) {
				t.Errorf("errors.Is(%v, %v): got false, want true", err, tc.err.Err)
			}
		})
	}
}

// TestCopyRowErrors: the COPY's own value errors name the CSV line when the
// source knows it, the row of the export when it does not, and the
// column's source name.
func TestCopyRowErrors(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	sch := pgtest.Schema(t, pool)
	null := "<null>"
	tests := []struct {
		name    string
		pgType  string
		oid     uint32
		notNull nullRule
		batches [][]string
		lines   [][]int64 // nil: the source does not know lines
		want    error
		line    int64
		row     int64
		msg     string
	}{
		{name: "bad decimal text, lines known", pgType: "numeric", oid: oidNumeric, batches: [][]string{{"1", "2"}, {"3", "1e5"}},
			lines: [][]int64{{2, 3}, {4, 9}}, want: ErrBadValue, line: 9, row: 4,
			msg: `table prices: line 9, column "Amount": value "1e5" is not a decimal PostgreSQL can store`},
		{name: "bad decimal text, lines unknown", pgType: "numeric", oid: oidNumeric, batches: [][]string{{"1", "2"}, {"3", "1e5"}},
			want: ErrBadValue, row: 4,
			msg: `table prices: row 4 of the export, column "Amount": value "1e5" is not a decimal PostgreSQL can store`},
		{name: "NULL in a merge key, lines known", pgType: "text", oid: oidText, notNull: nullMergeKey, batches: [][]string{{"a"}, {"b", "c", null}},
			lines: [][]int64{{2}, {3, 6, 8}}, want: ErrNullKey, line: 8, row: 4,
			msg: `table prices: line 8, column "Amount": key value is empty (NULL); merge needs a key in every row`},
		{name: "NULL in a merge key, lines unknown", pgType: "text", oid: oidText, notNull: nullMergeKey, batches: [][]string{{null, "a"}},
			want: ErrNullKey, row: 1,
			msg: `table prices: row 1 of the export, column "Amount": key value is empty (NULL); merge needs a key in every row`},
		{name: "NULL in a primary key", pgType: "text", oid: oidText, notNull: nullPrimaryKey, batches: [][]string{{"a", null}},
			lines: [][]int64{{2, 5}}, want: ErrNullKey, line: 5, row: 2,
			msg: `table prices: line 5, column "Amount": primary key value is empty (NULL)`},
		{name: "NULL in a NOT NULL column of the target", pgType: "text", oid: oidText, notNull: nullNotNull, batches: [][]string{{"a"}, {null}},
			lines: [][]int64{{2}, {3}}, want: ErrBadValue, line: 3, row: 2,
			msg: `table prices: line 3, column "Amount": value is empty (NULL) and the column is NOT NULL in the table`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			md := arrow.NewMetadata([]string{schema.MetaSourceName}, []string{"prices"})
			fmd := arrow.NewMetadata([]string{schema.MetaSourceName}, []string{"Amount"})
			as := arrow.NewSchema([]arrow.Field{{Name: "amount", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: fmd}}, &md)
			slice := &sliceBatches{}
			for _, vals := range tc.batches {
				rb := array.NewRecordBuilder(mem, as)
				for _, v := range vals {
					if v == null {
						rb.Field(0).AppendNull()
					} else {
						rb.Field(0).(*array.StringBuilder).Append(v)
					}
				}
				slice.recs = append(slice.recs, rb.NewRecordBatch())
				rb.Release()
			}
			defer slice.close()
			var src Batches = slice
			if tc.lines != nil {
				src = &linedBatches{sliceBatches: slice, lines: tc.lines}
			}
			table := schema.Quote(sch, pgtest.UniqueName(t, "re"))
			mustExec(t, pool, fmt.Sprintf("CREATE TABLE %s (amount %s)", table, tc.pgType))
			ctx := context.Background()
			conn, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Release()
			cols := []copyColumn{{Name: "amount", Src: 0, OID: tc.oid, NumericScale: -1, NotNull: tc.notNull}}
			_, err = copyBatches(ctx, conn.Conn().PgConn(), table, copyPlain, src, as, cols, nil)
			var re *RowError
			if !errors.Is(err, tc.want) || !errors.As(err, &re) {
				t.Fatalf("got %v, want a RowError of %v", err, tc.want)
			}
			if re.Line != tc.line || re.Row != tc.row || re.Error() != tc.msg {
				t.Errorf("got line %d row %d %q, want line %d row %d %q", re.Line, re.Row, re.Error(), tc.line, tc.row, tc.msg)
			}
			if n := mustScalar[int64](t, pool, "SELECT count(*) FROM "+table); n != 0 {
				t.Errorf("got %d rows stored, want none", n)
			}
		})
	}
}
