package load

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestReplaceInPlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  []string // %s is the schema
		reason string
	}{
		{"materialized view", []string{"CREATE MATERIALIZED VIEW %s.mv AS SELECT count(*) FROM %s.orders"}, "materialized view"},
		{"trigger", []string{
			"CREATE FUNCTION %s.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
			"CREATE TRIGGER t BEFORE INSERT ON %s.orders FOR EACH ROW EXECUTE FUNCTION %s.noop()"}, "trigger"},
		{"column default", []string{"ALTER TABLE %s.orders ALTER COLUMN total SET DEFAULT 0"}, "default"},
		{"row-level security", []string{"ALTER TABLE %s.orders ENABLE ROW LEVEL SECURITY"}, "row-level security"},
		{"statistics object", []string{"CREATE STATISTICS %s.st ON id, total FROM %s.orders"}, "statistics"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			e.mustOrders(t, l, tc.setup...)
			oid := mustScalar[uint32](t, e.pool, "SELECT $1::regclass::oid", e.schema+".orders")
			res := e.mustLoad(t, l, ordersTable(t), "id,Customer Name,total,created\n9,Ida,3,2020-01-01\n", Job{ExportID: "e2"})
			if res.Mechanism != MechanismInPlace || !strings.Contains(res.MechanismReason, tc.reason) {
				t.Errorf("got mechanism %s (%s), want in-place because of %s", res.Mechanism, res.MechanismReason, tc.reason)
			}
			if got := mustScalar[uint32](t, e.pool, "SELECT $1::regclass::oid", e.schema+".orders"); got != oid {
				t.Errorf("got a new table (oid %d), want the same one (%d)", got, oid)
			}
			if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, [][]string{{"9", "Ida", "3.00", "2020-01-01 00:00:00"}}, slices.Equal) {
				t.Errorf("got %v, want the new row only", got)
			}
		})
	}
}

// TestReplaceReferenced: a table other tables reference is replaced by
// key, keeping referenced rows; removing a referenced key fails cleanly.
func TestReplaceReferenced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	mustExec(t, e.pool, "CREATE TABLE "+e.schema+".notes (order_id int REFERENCES "+e.schema+".orders (id), body text)")
	mustExec(t, e.pool, "INSERT INTO "+e.schema+".notes VALUES (1, 'keep me')")
	res := e.mustLoad(t, l, ordersTable(t), "id,Customer Name,total,created\n1,Ann Changed,1,\n4,Dan,2,\n", Job{ExportID: "e2"})
	if res.Mechanism != MechanismInPlaceKeyed || res.RowsLoaded != 2 {
		t.Errorf("got %s with %d rows, want in-place-keyed with 2", res.Mechanism, res.RowsLoaded)
	}
	want := [][]string{{"1", "Ann Changed", "1.00", "<nil>"}, {"4", "Dan", "2.00", "<nil>"}}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, err := e.load(t, l, ordersTable(t), "id,Customer Name,total,created\n4,Dan,2,\n", Job{ExportID: "e3"})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23503" {
		t.Fatalf("removing a referenced row: got %v, want a foreign key violation", err)
	}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("after the failed load: got %v, want %v", got, want)
	}
}
