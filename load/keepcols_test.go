package load

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// TestReplaceKeepsUserColumnValues: the values of a column an owner added
// survive a replace, carried by the primary key (or the job's key with a
// unique constraint on it) from each old row to the new row of the same
// key; a new key gets the column's default, a key that left the export
// goes. Without a key, a replace that would empty them fails naming the
// columns and leaves the table as it was; the console (the log) and the
// result's warnings say what happened.
func TestReplaceKeepsUserColumnValues(t *testing.T) {
	t.Parallel()
	const second = "id,Customer Name,total,created\n2,Bob Changed,5,\n3,Cy,6,\n4,Dee,7,\n"
	tests := []struct {
		name    string
		cols    []string // the metadata, as mustTable takes it
		key     []string // Job.Key
		setup   []string // %s is the schema
		want    [][]string
		refused []string // the columns the error names; nil: the load succeeds
	}{
		{name: "primary key", cols: []string{"id*:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)", "created:datetime"},
			setup: []string{"ALTER TABLE %s.orders ADD COLUMN note text, ADD COLUMN flag int DEFAULT 7",
				"UPDATE %s.orders SET note = 'note ' || id, flag = id"},
			want: [][]string{{"2", "Bob Changed", "5.00", "<nil>", "note 2", "2"}, {"3", "Cy", "6.00", "<nil>", "note 3", "3"}, {"4", "Dee", "7.00", "<nil>", "<nil>", "7"}}},
		{name: "identity column by primary key", cols: []string{"id*:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)", "created:datetime"},
			setup: []string{"ALTER TABLE %s.orders ADD COLUMN n int GENERATED ALWAYS AS IDENTITY (START WITH 100)"},
			want:  [][]string{{"2", "Bob Changed", "5.00", "<nil>", "101"}, {"3", "Cy", "6.00", "<nil>", "102"}, {"4", "Dee", "7.00", "<nil>", "103"}}},
		{name: "job key with a unique constraint", cols: []string{"id:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)", "created:datetime"},
			key:   []string{"id"},
			setup: []string{"ALTER TABLE %s.orders ADD COLUMN note text, ADD CONSTRAINT orders_id_key UNIQUE (id)", "UPDATE %s.orders SET note = 'note ' || id"},
			want:  [][]string{{"2", "Bob Changed", "5.00", "<nil>", "note 2"}, {"3", "Cy", "6.00", "<nil>", "note 3"}, {"4", "Dee", "7.00", "<nil>", "<nil>"}}},
		{name: "no key", cols: []string{"id:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)", "created:datetime"},
			setup:   []string{"ALTER TABLE %s.orders ADD COLUMN note text, ADD COLUMN tag text", "UPDATE %s.orders SET note = 'x' WHERE id = 3"},
			refused: []string{"note", "tag"}},
		{name: "job key without a unique constraint", cols: []string{"id:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)", "created:datetime"},
			key:     []string{"id"},
			setup:   []string{"ALTER TABLE %s.orders ADD COLUMN note text", "UPDATE %s.orders SET note = 'x'"},
			refused: []string{"note"}},
		{name: "no key, the user's column empty", cols: []string{"id:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)", "created:datetime"},
			setup: []string{"ALTER TABLE %s.orders ADD COLUMN note text"},
			want:  [][]string{{"2", "Bob Changed", "5.00", "<nil>", "<nil>"}, {"3", "Cy", "6.00", "<nil>", "<nil>"}, {"4", "Dee", "7.00", "<nil>", "<nil>"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var logs bytes.Buffer
			l := e.loader(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			tbl := mustTable(t, "Orders", tc.cols...)
			e.mustLoad(t, l, tbl, ordersCSV, Job{ExportID: "e1", Key: tc.key})
			for _, s := range tc.setup {
				mustExec(t, e.pool, strings.ReplaceAll(s, "%s", e.schema))
			}
			before := e.rows(t, "orders", "id")
			res, err := e.load(t, l, tbl, second, Job{ExportID: "e2", Key: tc.key})
			if tc.refused != nil {
				var ue *UserColumnsError
				if !errors.As(err, &ue) || !errors.Is(err, ErrUserColumns) || !slices.Equal(ue.Columns, tc.refused) {
					t.Fatalf("got %v, want a UserColumnsError naming %q", err, tc.refused)
				}
				for _, c := range tc.refused {
					if !strings.Contains(err.Error(), `"`+c+`"`) || !strings.Contains(err.Error(), "orders") {
						t.Errorf("error %q does not name the table and column %q", err, c)
					}
				}
				if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, before, slices.Equal) {
					t.Errorf("after the refused replace: got %v, want the old rows %v", got, before)
				}
				if got := mustScalar[string](t, e.pool, "SELECT status FROM "+e.ledger+".loads ORDER BY id DESC LIMIT 1"); got != StatusFailed {
					t.Errorf("ledger: got %s, want a failed row", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if res.RowsLoaded != 3 {
				t.Errorf("rows loaded: got %d, want 3", res.RowsLoaded)
			}
			if tc.key != nil || strings.Contains(tc.cols[0], "*") {
				if res.Mechanism != MechanismInPlaceKeyed {
					t.Errorf("got %s (%s), want in-place-keyed", res.Mechanism, res.MechanismReason)
				}
				w := strings.Join(res.Warnings, "\n")
				if !strings.Contains(w, "keeping the values") || !strings.Contains(logs.String(), "keeping the values") {
					t.Errorf("warnings %q / log %q: want the kept columns said", res.Warnings, logs.String())
				}
			}
		})
	}
}

// TestReplaceKeepsUserColumnValuesRetyped: an export that retypes a
// column (here an owner's NOT NULL one) while the owner's column is kept
// by key: the kept rows get the new values in the new type, the owner's
// column keeps its values and the NOT NULL stays. A retyped key column
// cannot be matched on and fails naming it.
func TestReplaceKeepsUserColumnValuesRetyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustOrders(t, l, "ALTER TABLE %s.orders ADD COLUMN note text", "UPDATE %s.orders SET note = 'note ' || id, total = coalesce(total, 0)",
		"ALTER TABLE %s.orders ALTER COLUMN total SET NOT NULL")
	retyped := mustTable(t, "Orders", "id*:int(11)", "Customer Name:varchar(255)", "total:varchar(20)", "created:datetime")
	res := e.mustLoad(t, l, retyped, "id,Customer Name,total,created\n2,Bob,five,\n4,Dee,six,\n", Job{ExportID: "e2"})
	if res.Mechanism != MechanismInPlaceKeyed {
		t.Errorf("got %s (%s), want in-place-keyed", res.Mechanism, res.MechanismReason)
	}
	want := [][]string{{"2", "Bob", "five", "<nil>", "note 2"}, {"4", "Dee", "six", "<nil>", "<nil>"}}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := mustScalar[bool](t, e.pool, "SELECT attnotnull FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'total'", e.schema+".orders"); !got {
		t.Error("the owner's NOT NULL on total is gone")
	}
	rekeyed := mustTable(t, "Orders", "id*:varchar(20)", "Customer Name:varchar(255)", "total:varchar(20)", "created:datetime")
	_, err := e.load(t, l, rekeyed, "id,Customer Name,total,created\n2,Bob,five,\n", Job{ExportID: "e3"})
	var ce *ColumnError
	if !errors.As(err, &ce) || ce.Column != "id" || !strings.Contains(err.Error(), "key") {
		t.Errorf("retyped key: got %v, want a ColumnError naming id", err)
	}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("after the refused load: got %v, want %v", got, want)
	}
}
