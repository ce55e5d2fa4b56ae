package load

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestReplaceUserColumnAndDroppedColumn: a column the export drops (an
// earlier load wrote it) goes, a column a user added stays, in the same
// replace; a dry run says so too.
func TestReplaceUserColumnAndDroppedColumn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	mustExec(t, e.pool, "ALTER TABLE "+e.schema+".orders ADD COLUMN note text DEFAULT 'new'")
	changed := mustTable(t, "Orders", "id*:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)")
	csv := "id,Customer Name,total\n5,Eve,1\n"

	plan, err := l.Plan(context.Background(), changed, ModeReplace)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`dropped column "created" (timestamp without time zone)`}
	if !slices.Equal(plan.Changes, want) {
		t.Errorf("plan: got %q, want %q", plan.Changes, want)
	}
	res := e.mustLoad(t, l, changed, csv, Job{ExportID: "e2"})
	if !slices.Equal(res.SchemaChanges, want) {
		t.Errorf("changes: got %q, want %q", res.SchemaChanges, want)
	}
	if res.Mechanism != MechanismInPlaceKeyed || !strings.HasPrefix(res.MechanismReason, `column "note" is not in the export (a user added it);`) {
		t.Errorf("got %s (%s), want in-place because of the user's column", res.Mechanism, res.MechanismReason)
	}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, [][]string{{"5", "Eve", "1.00", "new"}}, slices.Equal) {
		t.Errorf("got %v, want the export's row with the user's column's default", got)
	}
	// The next replace with the same metadata keeps the user's column again.
	res = e.mustLoad(t, l, changed, "id,Customer Name,total\n6,Fay,2\n", Job{ExportID: "e3"})
	if len(res.SchemaChanges) != 0 || res.Mechanism != MechanismInPlaceKeyed {
		t.Errorf("again: got %q, %s, want no changes, in place by key", res.SchemaChanges, res.Mechanism)
	}
}

// TestReplaceNotNullKept: a swap keeps the NOT NULLs of the old table
// but those the metadata of an earlier load made and no longer asks for,
// and the one the old primary key gave a column that the metadata's new
// key leaves out (TestNotNullFollowsMetadata has the owner's).
func TestReplaceNotNullKept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		first, second []string // column metadata as mustTable takes it
		want          []string // the columns NOT NULL after the second load
	}{
		{"metadata no longer says NOT NULL",
			[]string{"id*:int(11)", "name!:varchar(20)"}, []string{"id*:int(11)", "name:varchar(20)"}, []string{"id"}},
		{"primary key moves to another column",
			[]string{"id*:int(11)", "name:varchar(20)"}, []string{"id:int(11)", "name*:varchar(20)"}, []string{"name"}},
		{"no primary key any more",
			[]string{"id*:int(11)", "name:varchar(20)"}, []string{"id:int(11)", "name:varchar(20)"}, []string{"id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			e.mustLoad(t, l, mustTable(t, "people", tc.first...), "id,name\n1,a\n", Job{ExportID: "e1"})
			res := e.mustLoad(t, l, mustTable(t, "people", tc.second...), "id,name\n2,b\n", Job{ExportID: "e2"})
			if res.Mechanism != MechanismSwap {
				t.Errorf("got %s (%s), want swap", res.Mechanism, res.MechanismReason)
			}
			var got []string
			for _, r := range queryText(t, e.pool, "SELECT attname FROM pg_attribute WHERE attrelid = '"+e.schema+".people'::regclass AND attnum > 0 AND attnotnull ORDER BY attnum") {
				got = append(got, r[0])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("NOT NULL columns: got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestReplaceTableNotLoadedBefore: a table the ledger has no load of
// (made by hand) keeps the columns the export does not have: nothing says
// mbiload wrote them.
func TestReplaceTableNotLoadedBefore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	mustExec(t, e.pool, "CREATE TABLE "+e.schema+".orders (id int PRIMARY KEY, customer_name text, total numeric(12,2), created timestamp, legacy text)")
	mustExec(t, e.pool, "INSERT INTO "+e.schema+".orders VALUES (1, 'old', 1, NULL, 'x')")
	res := e.mustLoad(t, l, ordersTable(t), additionsCSV, Job{ExportID: "e1"})
	if res.Mechanism != MechanismInPlaceKeyed || !strings.Contains(res.MechanismReason, `column "legacy"`) || len(res.SchemaChanges) != 0 {
		t.Errorf("got %s (%s), changes %q, want in-place by key because of column legacy, no changes", res.Mechanism, res.MechanismReason, res.SchemaChanges)
	}
	want := [][]string{{"10", "Xavier", "5.00", "2021-01-01 00:00:00", "<nil>"}, {"11", "Yvonne", "0.50", "2021-01-02 00:00:00", "<nil>"}}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
}
