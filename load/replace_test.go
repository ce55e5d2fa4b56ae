package load

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

const ordersCSV = "id,Customer Name,total,created\n1,Ann,12.50,2024-01-02 03:04:05\n2,Bob,,2024-02-03 00:00:00\n3,,0.01,\n"

func ordersTable(t testing.TB) *schema.Table { return ordersTableFor() }

func TestReplaceFirstAndSecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := ordersTable(t)
	res := e.mustLoad(t, l, tbl, ordersCSV, Job{ExportID: "e1"})
	if res.Status != StatusLoaded || res.Mechanism != MechanismCreate || res.RowsLoaded != 3 || res.RowsRead != 3 {
		t.Fatalf("first load: got %+v", res)
	}
	want := [][]string{
		{"1", "Ann", "12.50", "2024-01-02 03:04:05"},
		{"2", "Bob", "<nil>", "2024-02-03 00:00:00"},
		{"3", "<nil>", "0.01", "<nil>"},
	}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	res = e.mustLoad(t, l, tbl, "id,Customer Name,total,created\n7,Zed,1,2020-01-01\n", Job{ExportID: "e2"})
	if res.Status != StatusLoaded || res.Mechanism != MechanismSwap || res.RowsLoaded != 1 {
		t.Fatalf("second load: got %+v", res)
	}
	if got := e.rows(t, "orders", "id"); len(got) != 1 || got[0][1] != "Zed" {
		t.Errorf("got %v, want the one row of the second export", got)
	}
	res = e.mustLoad(t, l, tbl, "id,Customer Name,total,created\n8,Again,1,2020-01-01\n", Job{ExportID: "e2"})
	if res.Status != StatusSkipped {
		t.Errorf("same export again: got status %s, want skipped", res.Status)
	}
	if got := e.rows(t, "orders", "id"); len(got) != 1 || got[0][1] != "Zed" {
		t.Errorf("got %v after a skipped load, want it unchanged", got)
	}
	_ = context.Background
	_ = errors.New
	_ = strings.Repeat
}

func TestReplaceForceAndLocalFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tbl := ordersTable(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, tbl, ordersCSV, Job{SHA256: "aa"})
	if res := e.mustLoad(t, l, tbl, ordersCSV, Job{SHA256: "aa"}); res.Status != StatusSkipped {
		t.Errorf("same file: got %s, want skipped", res.Status)
	}
	if res := e.mustLoad(t, l, tbl, ordersCSV, Job{SHA256: "bb"}); res.Status != StatusLoaded {
		t.Errorf("other file: got %s, want loaded", res.Status)
	}
	forced := e.loader(t, Config{Force: true})
	if res := e.mustLoad(t, forced, tbl, ordersCSV, Job{SHA256: "bb"}); res.Status != StatusLoaded {
		t.Errorf("forced: got %s, want loaded", res.Status)
	}
	if res := e.mustLoad(t, l, tbl, ordersCSV, Job{}); res.Status != StatusLoaded {
		t.Errorf("no export id and no sha: got %s, want loaded", res.Status)
	}
	note, err := l.AlreadyPublished(context.Background(), Job{Table: tbl, SHA256: "bb"})
	if err != nil || note != "" {
		t.Errorf("AlreadyPublished(bb) after a load without sha: got %q, %v, want not published", note, err)
	}
}

// TestReplaceKeepsDependents: views, indexes, constraints, grants, owner
// and comments survive a swap; the view reads the new rows.
func TestReplaceKeepsDependents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := ordersTable(t)
	e.mustLoad(t, l, tbl, ordersCSV, Job{ExportID: "e1"})
	role := pgtestRole(t, e)
	q := e.schema + ".orders"
	mustExec(t, e.pool, "CREATE INDEX orders_name_idx ON "+q+" (lower(customer_name)) WHERE total > 0")
	mustExec(t, e.pool, "CREATE UNIQUE INDEX orders_created_uq ON "+q+" (created, id)")
	mustExec(t, e.pool, "ALTER TABLE "+q+" ADD CONSTRAINT total_positive CHECK (total >= 0)")
	mustExec(t, e.pool, "CREATE VIEW "+e.schema+".big_orders WITH (security_barrier) AS SELECT id, customer_name FROM "+q+" WHERE total > 1")
	mustExec(t, e.pool, "CREATE VIEW "+e.schema+".big_names AS SELECT customer_name FROM "+e.schema+".big_orders")
	mustExec(t, e.pool, "GRANT SELECT ON "+q+" TO "+role)
	mustExec(t, e.pool, "GRANT UPDATE (total) ON "+q+" TO "+role)
	mustExec(t, e.pool, "GRANT SELECT ON "+e.schema+".big_orders TO "+role)
	mustExec(t, e.pool, "COMMENT ON COLUMN "+q+".total IS 'my own note'")
	mustExec(t, e.pool, "ALTER TABLE "+q+" SET (fillfactor = 70)")
	mustExec(t, e.pool, "CREATE TABLE "+e.schema+".ids (id int PRIMARY KEY)")
	mustExec(t, e.pool, "INSERT INTO "+e.schema+".ids SELECT generate_series(1, 20)")
	mustExec(t, e.pool, "ALTER TABLE "+q+" ADD CONSTRAINT orders_id_fk FOREIGN KEY (id) REFERENCES "+e.schema+".ids (id)")

	res := e.mustLoad(t, l, tbl, "id,Customer Name,total,created\n10,Xavier,5,2021-01-01\n11,Yvonne,0.5,2021-01-02\n", Job{ExportID: "e2"})
	if res.Mechanism != MechanismSwap {
		t.Fatalf("got mechanism %s (%s), want swap", res.Mechanism, res.MechanismReason)
	}
	if got := queryText(t, e.pool, "SELECT * FROM "+e.schema+".big_names"); len(got) != 1 || got[0][0] != "Xavier" {
		t.Errorf("nested view: got %v, want [[Xavier]]", got)
	}
	got := queryText(t, e.pool, "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = '"+q+"'::regclass ORDER BY 1")
	var names []string
	for _, r := range got {
		names = append(names, strings.TrimPrefix(r[0], e.schema+"."))
	}
	if want := []string{"orders_created_uq", "orders_name_idx", "orders_pkey"}; !slices.Equal(names, want) {
		t.Errorf("indexes: got %v, want %v", names, want)
	}
	checks := []struct {
		name, sql, want string
	}{
		{"check constraint", "SELECT conname FROM pg_constraint WHERE conrelid = '" + q + "'::regclass AND contype = 'c'", "total_positive"},
		{"foreign key", "SELECT conname FROM pg_constraint WHERE conrelid = '" + q + "'::regclass AND contype = 'f'", "orders_id_fk"},
		{"table grant", "SELECT has_table_privilege('" + role + "', '" + q + "', 'SELECT')::text", "true"},
		{"no extra grant", "SELECT has_table_privilege('" + role + "', '" + q + "', 'INSERT')::text", "false"},
		{"column grant", "SELECT has_column_privilege('" + role + "', '" + q + "', 'total', 'UPDATE')::text", "true"},
		{"view grant", "SELECT has_table_privilege('" + role + "', '" + e.schema + ".big_orders', 'SELECT')::text", "true"},
		{"view option", "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = '" + e.schema + ".big_orders'::regclass", "security_barrier=true"},
		{"table option", "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = '" + q + "'::regclass", "fillfactor=70"},
		{"table comment", "SELECT obj_description('" + q + "'::regclass, 'pg_class')", "Orders"},
		{"column comment", "SELECT col_description('" + q + "'::regclass, 2)", "Customer Name"},
		{"user's comment", "SELECT col_description('" + q + "'::regclass, 3)", "my own note"},
		{"no debris", "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('" + e.schema + "', '" + e.ledger + "') AND (c.relname LIKE 'stage%' OR c.relname LIKE 'mbiload_old%')", "0"},
	}
	for _, c := range checks {
		if got := queryText(t, e.pool, c.sql); len(got) != 1 || got[0][0] != c.want {
			t.Errorf("%s: got %v, want %s", c.name, got, c.want)
		}
	}
}

// pgtestRole creates a role for grant tests, dropped at cleanup.
func pgtestRole(t *testing.T, e *env) string {
	t.Helper()
	role := pgtestUnique(t, "r")
	mustExec(t, e.pool, "CREATE ROLE "+role)
	t.Cleanup(func() {
		ctx := context.Background()
		e.pool.Exec(ctx, "DROP OWNED BY "+role)
		e.pool.Exec(ctx, "DROP ROLE "+role)
	})
	return role
}

// TestReplaceSchemaChange: added, dropped and retyped columns are reported
// and applied; a view on a dropped column stops the publish.
func TestReplaceSchemaChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	mustExec(t, e.pool, "CREATE VIEW "+e.schema+".names AS SELECT customer_name FROM "+e.schema+".orders")
	changed := mustTable(t, "Orders", "id*:bigint", "total:decimal(12,2)", "Customer Name:varchar(255)", "note:text")
	res := e.mustLoad(t, l, changed, "id,total,Customer Name,note\n5,1.00,Eve,hi\n", Job{ExportID: "e2"})
	want := []string{`retyped column "id" from integer to bigint`, `added column "note" (text)`, `dropped column "created" (timestamp without time zone)`, "reordered columns"}
	if !slices.Equal(res.SchemaChanges, want) {
		t.Errorf("changes: got %q, want %q", res.SchemaChanges, want)
	}
	if res.Mechanism != MechanismSwap {
		t.Errorf("got mechanism %s, want swap", res.Mechanism)
	}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, [][]string{{"5", "1.00", "Eve", "hi"}}, slices.Equal) {
		t.Errorf("got %v, want the new columns in the new order", got)
	}
	if got := queryText(t, e.pool, "SELECT * FROM "+e.schema+".names"); len(got) != 1 || got[0][0] != "Eve" {
		t.Errorf("view: got %v, want [[Eve]]", got)
	}
}

func TestReplaceViewOnDroppedColumn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	mustExec(t, e.pool, "CREATE VIEW "+e.schema+".recent AS SELECT id FROM "+e.schema+".orders WHERE created > '2024-01-01'")
	changed := mustTable(t, "Orders", "id*:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)")
	_, err := e.load(t, l, changed, "id,Customer Name,total\n5,Eve,1\n", Job{ExportID: "e2"})
	var ce *ColumnError
	if !errors.As(err, &ce) || !errors.Is(err, ErrDependentView) || ce.Column != "created" || !strings.Contains(ce.View, "recent") {
		t.Fatalf("got %v, want a dependent-view error naming recent and created", err)
	}
	if got := e.rows(t, "orders", "id"); len(got) != 3 {
		t.Errorf("got %d rows, want the old table's 3 intact", len(got))
	}
	if got := queryText(t, e.pool, "SELECT count(*) FROM "+e.schema+".recent"); got[0][0] != "2" {
		t.Errorf("view: got %v, want 2 rows", got)
	}
}

func TestReplaceNotATable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	mustExec(t, e.pool, "CREATE VIEW "+e.schema+".orders AS SELECT 1 AS one")
	_, err := e.load(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	if !errors.Is(err, ErrNotATable) || !strings.Contains(err.Error(), "view") {
		t.Errorf("got %v, want ErrNotATable saying it is a view", err)
	}
}
