package load

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestReplaceDuplicateKeyFails: the primary key is built after the COPY
// (a sorted build, faster than maintaining it row by row), so a duplicate
// key surfaces there; either way the load fails as a unique violation and
// publishes nothing.
func TestReplaceDuplicateKeyFails(t *testing.T) {
	t.Parallel()
	const dupCSV = "id,Customer Name,total,created\n1,Ann,1,2024-01-01\n2,Bob,2,2024-01-02\n2,Bob again,3,2024-01-03\n"
	tests := []struct {
		name     string
		first    string // loaded before the duplicate, "" for none
		wantRows int    // rows of the target afterwards, -1: no table
	}{
		{name: "first load (create)", wantRows: -1},
		{name: "later load (swap)", first: ordersCSV, wantRows: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tbl := ordersTable(t)
			if tt.first != "" {
				e.mustLoad(t, l, tbl, tt.first, Job{ExportID: "good"})
			}
			res, err := e.load(t, l, tbl, dupCSV, Job{ExportID: "dup"})
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "23505" {
				t.Fatalf("got %v, want a unique violation (23505)", err)
			}
			if res.Status != StatusFailed {
				t.Errorf("got status %s, want %s", res.Status, StatusFailed)
			}
			exists := mustScalar[bool](t, e.pool, "SELECT to_regclass($1) IS NOT NULL", e.schema+".orders")
			switch {
			case tt.wantRows < 0 && exists:
				t.Errorf("got a table after a failed first load, want none")
			case tt.wantRows >= 0:
				if got := e.rows(t, "orders", "id"); len(got) != tt.wantRows {
					t.Errorf("got %d rows, want the old table's %d intact", len(got), tt.wantRows)
				}
			}
			status := mustScalar[string](t, e.pool, "SELECT status FROM "+e.ledger+".loads WHERE export_id = 'dup'")
			if status != StatusFailed {
				t.Errorf("ledger: got status %q, want %q", status, StatusFailed)
			}
		})
	}
}
