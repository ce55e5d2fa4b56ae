package load

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// inPlaceTrigger makes the replace refill orders in place (a trigger is
// something a swap cannot carry).
var inPlaceTrigger = []string{
	"CREATE FUNCTION %s.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
	"CREATE TRIGGER t BEFORE INSERT ON %s.orders FOR EACH ROW EXECUTE FUNCTION %s.noop()",
}

// TestReplaceAdditionRefuses: an export that breaks something the owner
// added fails the load with an error naming the table, the constraint
// and the value (and the line, where the COPY found it); the old table
// and its additions are left as they were, with nothing left behind, and
// the ledger has the failure.
func TestReplaceAdditionRefuses(t *testing.T) {
	t.Parallel()
	const checkDef = `check constraint "total_positive" (CHECK ((total >= (0)::numeric))`
	negative := "id,Customer Name,total,created\n10,Xavier,5,2021-01-01\n11,Yvonne,-0.5,2021-01-02\n"
	unknownID := "id,Customer Name,total,created\n10,Xavier,5,2021-01-01\n99,Yvonne,0.5,2021-01-02\n"
	retyped := func(t testing.TB) *schema.Table {
		return mustTable(t, "Orders", "id*:int(11)", "Customer Name:varchar(255)", "total:decimal(14,2)", "created:datetime")
	}
	tests := []struct {
		name  string
		setup []string // %s is the schema
		csv   string
		err   error
		msg   string                           // the ledger's error; %s is the schema
		table func(t testing.TB) *schema.Table // nil: orders as it was
	}{
		{"NOT NULL, swap", []string{"DELETE FROM %s.orders WHERE customer_name IS NULL", "ALTER TABLE %s.orders ALTER COLUMN customer_name SET NOT NULL"},
			"id,Customer Name,total,created\n10,Xavier,5,2021-01-01\n11,,0.5,2021-01-02\n", ErrBadValue,
			`replace Orders: line 3, column "Customer Name": value is empty (NULL) and the column is NOT NULL in the table`, nil},
		{"NOT NULL, in place", append([]string{"DELETE FROM %s.orders WHERE customer_name IS NULL", "ALTER TABLE %s.orders ALTER COLUMN customer_name SET NOT NULL"}, inPlaceTrigger...),
			"id,Customer Name,total,created\n10,Xavier,5,2021-01-01\n11,,0.5,2021-01-02\n", ErrBadValue,
			`replace Orders: line 3, column "Customer Name": value is empty (NULL) and the column is NOT NULL in the table`, nil},
		{"check constraint, swap", []string{"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0)"},
			negative, ErrConstraint,
			"replace Orders: line 3: " + checkDef + ") refuses total = -0.50 (SQLSTATE 23514)", nil},
		{"check constraint on a retyped column, swap", []string{"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0)"},
			negative, ErrConstraint,
			"replace Orders: " + checkDef + ") refuses the export (SQLSTATE 23514)", retyped},
		{"check constraint NOT VALID, swap", []string{"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0) NOT VALID"},
			negative, ErrConstraint,
			"replace Orders: line 3: " + checkDef + " NOT VALID) refuses total = -0.50 (SQLSTATE 23514)", nil},
		{"check constraint, in place", append([]string{"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0)"}, inPlaceTrigger...),
			negative, ErrConstraint,
			"replace Orders: line 3: " + checkDef + ") refuses total = -0.50 (SQLSTATE 23514)", nil},
		{"foreign key, swap", []string{
			"CREATE TABLE %s.ids (id int PRIMARY KEY)", "INSERT INTO %s.ids SELECT generate_series(1, 20)",
			"ALTER TABLE %s.orders ADD CONSTRAINT orders_id_fk FOREIGN KEY (id) REFERENCES %s.ids (id)"},
			unknownID, ErrConstraint,
			`replace Orders: foreign key "orders_id_fk" (FOREIGN KEY (id) REFERENCES %s.ids(id)) refuses the export: key (id)=(99) is not present in table "ids" (SQLSTATE 23503)`, nil},
		{"foreign key NOT VALID, swap", []string{
			"CREATE TABLE %s.ids (id int PRIMARY KEY)", "INSERT INTO %s.ids SELECT generate_series(10, 20)",
			"ALTER TABLE %s.orders ADD CONSTRAINT orders_id_fk FOREIGN KEY (id) REFERENCES %s.ids (id) NOT VALID"},
			unknownID, ErrConstraint,
			`replace Orders: foreign key "orders_id_fk" (FOREIGN KEY (id) REFERENCES %s.ids(id) NOT VALID) refuses the export: key (id)=(99) is not present in table "ids" (SQLSTATE 23503)`, nil},
		{"foreign key, in place", append([]string{
			"CREATE TABLE %s.ids (id int PRIMARY KEY)", "INSERT INTO %s.ids SELECT generate_series(1, 20)",
			"ALTER TABLE %s.orders ADD CONSTRAINT orders_id_fk FOREIGN KEY (id) REFERENCES %s.ids (id)"}, inPlaceTrigger...),
			unknownID, ErrConstraint,
			`replace Orders: foreign key "orders_id_fk" (FOREIGN KEY (id) REFERENCES %s.ids(id)) refuses the export: key (id)=(99) is not present in table "ids" (SQLSTATE 23503)`, nil},
		{"exclusion constraint, swap", []string{"ALTER TABLE %s.orders ADD CONSTRAINT orders_name_excl EXCLUDE USING btree (customer_name WITH =)"},
			"id,Customer Name,total,created\n10,Xavier,5,2021-01-01\n11,Xavier,0.5,2021-01-02\n", ErrConstraint,
			`replace Orders: exclusion constraint "orders_name_excl" (EXCLUDE USING btree (customer_name WITH =)) refuses the export: key (customer_name)=(Xavier) conflicts with key (customer_name)=(Xavier) (SQLSTATE 23P01)`, nil},
		{"check constraint on a user's column, in place", []string{"ALTER TABLE %s.orders ADD COLUMN discount numeric DEFAULT 0",
			"ALTER TABLE %s.orders ADD CONSTRAINT discount_le_total CHECK (discount <= total)"},
			negative, ErrConstraint,
			`replace Orders: check constraint "discount_le_total" (CHECK ((discount <= total))) refuses discount = 0, total = -0.50 (SQLSTATE 23514)`, nil},
		{"added NOT NULL column without a default", []string{"ALTER TABLE %s.orders ADD COLUMN note text", "UPDATE %s.orders SET note = 'x'",
			"ALTER TABLE %s.orders ALTER COLUMN note SET NOT NULL"},
			additionsCSV, ErrConstraint,
			`load: the export breaks a constraint of the table: column "note" of "%s"."orders": it is not in the export and is NOT NULL without a default; give it a default, or drop its NOT NULL or the column`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			e.mustOrders(t, l, tc.setup...)
			before, shape := warehouseState(t, e, "orders"), tableShape(t, e, "orders")

			tbl := ordersTable(t)
			if tc.table != nil {
				tbl = tc.table(t)
			}
			res, err := e.load(t, l, tbl, tc.csv, Job{ExportID: "bad"})
			msg := strings.ReplaceAll(tc.msg, "%s", e.schema)
			if !errors.Is(err, tc.err) || !strings.HasSuffix(err.Error(), ": "+msg) {
				t.Errorf("got %v, want %v: %s", err, tc.err, msg)
			}
			mustFailCleanly(t, e, "orders", before, res, "bad", msg, ModeReplace)
			if after := tableShape(t, e, "orders"); !slices.Equal(after, shape) {
				t.Errorf("the table after the failed load:\ngot  %q\nwant %q", after, shape)
			}
		})
	}
}
