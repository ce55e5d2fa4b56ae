package load

import (
	"errors"
	"slices"
	"testing"
)

// TestEveryRowRejected: an export whose every row is rejected publishes
// nothing, however large the error budget: the load fails with
// ErrAllRejected naming the first reject, the table keeps its rows and
// the ledger records the failure, in every mode. An export with no rows
// at all (a header only) is not that: a replace publishes an empty table.
func TestEveryRowRejected(t *testing.T) {
	t.Parallel()
	const bad = "id,Customer Name,total,created\nx,Ann,1,\ny,Bob,2,\nz,Cy,3,\n"
	for _, mode := range []Mode{ModeReplace, ModeAppend, ModeMerge} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{MaxBadRows: 1000})
			e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
			before := e.rows(t, "orders", "id")
			res, err := e.load(t, l, ordersTable(t), bad, Job{ExportID: "e2", Mode: mode})
			if !errors.Is(err, ErrAllRejected) || res.Status != StatusFailed {
				t.Fatalf("got %s, %v, want a failure with ErrAllRejected", res.Status, err)
			}
			if res.RowsRejected != 3 {
				t.Errorf("rows rejected: got %d, want 3", res.RowsRejected)
			}
			if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, before, slices.Equal) {
				t.Errorf("got %v, want the old rows %v", got, before)
			}
			if got := mustScalar[string](t, e.pool, "SELECT status FROM "+e.ledger+".loads ORDER BY id DESC LIMIT 1"); got != StatusFailed {
				t.Errorf("ledger: got %s, want failed", got)
			}
		})
	}
	t.Run("header only", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		l := e.loader(t, Config{MaxBadRows: 1000})
		e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
		res := e.mustLoad(t, l, ordersTable(t), "id,Customer Name,total,created\n", Job{ExportID: "e2", ExpectedRows: 0})
		if res.RowsLoaded != 0 || len(e.rows(t, "orders", "id")) != 0 {
			t.Errorf("got %d rows loaded, want an empty table", res.RowsLoaded)
		}
	})
}
