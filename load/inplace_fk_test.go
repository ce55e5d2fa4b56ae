package load

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestInPlaceForeignKeyErrorNamesKey: a replace that would delete a row
// another table references fails with a ConstraintError naming the
// foreign key and the key value still referenced.
func TestInPlaceForeignKeyErrorNamesKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustOrders(t, l, "CREATE TABLE %s.notes (order_id int CONSTRAINT notes_order REFERENCES %s.orders (id))",
		"INSERT INTO %s.notes VALUES (2)")
	_, err := e.load(t, l, ordersTable(t), "id,Customer Name,total,created\n1,A,1,\n", Job{ExportID: "e2"})
	var ce *ConstraintError
	var pe *pgconn.PgError
	if !errors.As(err, &ce) || !errors.As(err, &pe) || pe.Code != codeForeignKeyViolate {
		t.Fatalf("got %v, want a ConstraintError of the foreign key", err)
	}
	for _, want := range []string{`"notes_order"`, "(id)=(2)", "notes", "Orders"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %s", err, want)
		}
	}
	t.Logf("error: %v", err)
	if got := len(e.rows(t, "orders", "id")); got != 3 {
		t.Errorf("got %d rows, want the old 3", got)
	}
}
