package load

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// additionsCSV is the export a replace loads over the owner's additions:
// it satisfies every one of them.
const additionsCSV = "id,Customer Name,total,created\n10,Xavier,5,2021-01-01\n11,Yvonne,0.5,2021-01-02\n"

// refused is a statement an addition must still refuse after the
// replace, with the SQLSTATE it refuses it with.
type refused struct {
	sql, code string
}

// query is a query and its expected first value after the replace.
type query struct {
	sql, want string
}

// additionCase is something a warehouse owner adds to a table mbiload
// replaces, and how the replace must keep it.
type additionCase struct {
	name string
	// shared names a cluster-wide object the setup needs (%u in it):
	// "tablespace", "access method", "publication" or "role".
	shared string
	// setup runs after the first load; %s is the schema.
	setup []string
	// mechanism is how the replace must publish; reason, for an in-place
	// one, is part of its MechanismReason.
	mechanism, reason string
	refused           []refused
	queries           []query
}

// additionCases are the additions a replace must keep. The table is
// orders (id primary key, customer_name, total, created).
var additionCases = []additionCase{
	{name: "NOT NULL on a column", setup: []string{"DELETE FROM %s.orders WHERE customer_name IS NULL",
		"ALTER TABLE %s.orders ALTER COLUMN customer_name SET NOT NULL"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id) VALUES (99)", "23502"}}},
	{name: "check constraint", setup: []string{"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0)"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id, total) VALUES (99, -1)", "23514"}}},
	{name: "check constraint NOT VALID", setup: []string{"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0) NOT VALID"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id, total) VALUES (99, -1)", "23514"}}},
	{name: "unique constraint", setup: []string{"ALTER TABLE %s.orders ADD CONSTRAINT orders_name_key UNIQUE (customer_name)"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id, customer_name) VALUES (99, 'Xavier')", "23505"}}},
	{name: "deferrable unique constraint", setup: []string{"ALTER TABLE %s.orders ADD CONSTRAINT orders_name_key UNIQUE (customer_name) DEFERRABLE INITIALLY DEFERRED"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id, customer_name) VALUES (99, 'Xavier')", "23505"}}},
	{name: "exclusion constraint", setup: []string{"ALTER TABLE %s.orders ADD CONSTRAINT orders_name_excl EXCLUDE USING btree (customer_name WITH =)"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id, customer_name) VALUES (99, 'Xavier')", "23P01"}}},
	{name: "foreign key to another table", setup: []string{
		"CREATE TABLE %s.ids (id int PRIMARY KEY)", "INSERT INTO %s.ids SELECT generate_series(1, 20)",
		"ALTER TABLE %s.orders ADD CONSTRAINT orders_id_fk FOREIGN KEY (id) REFERENCES %s.ids (id) ON DELETE CASCADE"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id) VALUES (99)", "23503"}},
		queries: []query{{"WITH d AS (DELETE FROM %s.ids WHERE id = 10) SELECT 1", "1"}, {"SELECT count(*) FROM %s.orders", "1"}}},
	{name: "foreign key NOT VALID", setup: []string{
		"CREATE TABLE %s.ids (id int PRIMARY KEY)", "INSERT INTO %s.ids SELECT generate_series(10, 20)",
		"ALTER TABLE %s.orders ADD CONSTRAINT orders_id_fk FOREIGN KEY (id) REFERENCES %s.ids (id) NOT VALID"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id) VALUES (99)", "23503"}}},
	{name: "unique index and index with storage parameters", setup: []string{
		"CREATE UNIQUE INDEX orders_lower_name ON %s.orders (lower(customer_name))",
		"CREATE INDEX orders_total ON %s.orders (total) WITH (fillfactor = 50)"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id, customer_name) VALUES (99, 'XAVIER')", "23505"}}},
	{name: "column statistics target, storage, compression and options", setup: []string{
		"ALTER TABLE %s.orders ALTER COLUMN total SET STATISTICS 500, ALTER COLUMN created SET STATISTICS 0",
		"ALTER TABLE %s.orders ALTER COLUMN customer_name SET STORAGE MAIN",
		"ALTER TABLE %s.orders ALTER COLUMN customer_name SET COMPRESSION pglz",
		"ALTER TABLE %s.orders ALTER COLUMN total SET (n_distinct = 100)"},
		mechanism: MechanismSwap},
	{name: "column collation", setup: []string{`ALTER TABLE %s.orders ALTER COLUMN customer_name TYPE text COLLATE "C"`},
		mechanism: MechanismSwap},
	{name: "column collation of another schema", setup: []string{`CREATE COLLATION %s."My C" FROM "C"`,
		`ALTER TABLE %s.orders ALTER COLUMN customer_name TYPE text COLLATE %s."My C"`},
		mechanism: MechanismSwap},
	{name: "unlogged table", setup: []string{"ALTER TABLE %s.orders SET UNLOGGED"},
		mechanism: MechanismSwap},
	{name: "table storage parameters", setup: []string{
		"ALTER TABLE %s.orders SET (fillfactor = 70, autovacuum_enabled = false, autovacuum_analyze_scale_factor = 0.02, toast.autovacuum_enabled = false)"},
		mechanism: MechanismSwap},
	{name: "cluster index", setup: []string{"ALTER TABLE %s.orders CLUSTER ON orders_pkey"}, mechanism: MechanismSwap},
	{name: "comments on constraints and indexes", setup: []string{
		"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0)",
		"CREATE INDEX orders_total ON %s.orders (total)",
		"COMMENT ON CONSTRAINT orders_pkey ON %s.orders IS 'the key'",
		"COMMENT ON INDEX %s.orders_pkey IS 'the key''s index'",
		"COMMENT ON CONSTRAINT total_positive ON %s.orders IS 'no refunds here'",
		"COMMENT ON INDEX %s.orders_total IS 'for the report'"},
		mechanism: MechanismSwap},
	{name: "column comment and grants", shared: "role", setup: []string{
		"COMMENT ON COLUMN %s.orders.total IS 'my own note'",
		"GRANT SELECT ON %s.orders TO %u", "GRANT UPDATE (total) ON %s.orders TO %u WITH GRANT OPTION"},
		mechanism: MechanismSwap},
	{name: "view", setup: []string{"CREATE VIEW %s.big AS SELECT id, customer_name FROM %s.orders WHERE total > 1"},
		mechanism: MechanismSwap, queries: []query{{"SELECT string_agg(customer_name, ',') FROM %s.big", "Xavier"}}},

	{name: "column default", setup: []string{"ALTER TABLE %s.orders ALTER COLUMN total SET DEFAULT 0"},
		mechanism: MechanismInPlace, reason: "default value",
		queries: []query{{"INSERT INTO %s.orders (id) VALUES (99) RETURNING total", "0.00"}}},
	{name: "identity on an export column", setup: []string{"ALTER TABLE %s.orders ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY"},
		mechanism: MechanismInPlace, reason: `column "id" is an identity column`,
		queries: []query{{"INSERT INTO %s.orders (customer_name) VALUES ('x') RETURNING id", "1"}}},
	{name: "added column", setup: []string{
		"ALTER TABLE %s.orders ADD COLUMN note text", "COMMENT ON COLUMN %s.orders.note IS 'the owner''s'",
		"UPDATE %s.orders SET note = 'old'",
		"CREATE VIEW %s.noted AS SELECT id, note FROM %s.orders"},
		mechanism: MechanismInPlaceKeyed, reason: `column "note" is not in the export`,
		queries: []query{{"SELECT count(*) FILTER (WHERE note IS NULL) || '/' || count(*) FROM %s.noted", "2/2"}}},
	{name: "added column with a default and NOT NULL", setup: []string{
		"ALTER TABLE %s.orders ADD COLUMN checked boolean NOT NULL DEFAULT false"},
		mechanism: MechanismInPlaceKeyed, reason: `column "checked" is not in the export`,
		queries: []query{{"SELECT string_agg(checked::text, ',') FROM %s.orders", "false,false"}}},
	{name: "added identity column", setup: []string{"ALTER TABLE %s.orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY"},
		mechanism: MechanismInPlaceKeyed, reason: `column "n" is not in the export`,
		queries: []query{{"SELECT string_agg(n::text, ',' ORDER BY n) FROM %s.orders", "4,5"}}},
	{name: "added generated column", setup: []string{"ALTER TABLE %s.orders ADD COLUMN twice numeric GENERATED ALWAYS AS (total * 2) STORED"},
		mechanism: MechanismInPlace, reason: `column "twice" is not in the export`,
		queries: []query{{"SELECT string_agg(twice::text, ',' ORDER BY id) FROM %s.orders", "10.00,1.00"}}},
	{name: "added constant generated column", setup: []string{"ALTER TABLE %s.orders ADD COLUMN one int GENERATED ALWAYS AS (1) STORED"},
		mechanism: MechanismInPlace, reason: `column "one" is not in the export`,
		queries: []query{{"SELECT sum(one) FROM %s.orders", "2"}}},
	{name: "self-referencing foreign key", setup: []string{
		"ALTER TABLE %s.orders ADD CONSTRAINT orders_self FOREIGN KEY (id) REFERENCES %s.orders (id)"},
		mechanism: MechanismInPlace, reason: "references the table itself"},
	{name: "table tablespace", shared: "tablespace", setup: []string{"ALTER TABLE %s.orders SET TABLESPACE %u"},
		mechanism: MechanismInPlace, reason: "tablespace"},
	{name: "index tablespace", shared: "tablespace", setup: []string{"ALTER INDEX %s.orders_pkey SET TABLESPACE %u"},
		mechanism: MechanismInPlace, reason: `index "orders_pkey" lives in tablespace`},
	{name: "storage parameters of the primary key's index", setup: []string{"ALTER INDEX %s.orders_pkey SET (fillfactor = 50)"},
		mechanism: MechanismInPlace, reason: `index "orders_pkey" has storage parameters`},
	{name: "statistics target of an index column", setup: []string{
		"CREATE INDEX orders_lower ON %s.orders (lower(customer_name))",
		"ALTER INDEX %s.orders_lower ALTER COLUMN 1 SET STATISTICS 300"},
		mechanism: MechanismInPlace, reason: `index "orders_lower" has a column statistics target`},
	{name: "replica identity full", setup: []string{"ALTER TABLE %s.orders REPLICA IDENTITY FULL"},
		mechanism: MechanismInPlace, reason: "replica identity"},
	{name: "replica identity index", setup: []string{
		"CREATE UNIQUE INDEX orders_ri ON %s.orders (id)",
		"ALTER TABLE %s.orders REPLICA IDENTITY USING INDEX orders_ri"},
		mechanism: MechanismInPlace, reason: "replica identity"},
	{name: "row-level security and a policy", setup: []string{
		"ALTER TABLE %s.orders ENABLE ROW LEVEL SECURITY", "CREATE POLICY small ON %s.orders USING (total < 100)"},
		mechanism: MechanismInPlace, reason: "row-level security"},
	{name: "forced row-level security", setup: []string{"ALTER TABLE %s.orders FORCE ROW LEVEL SECURITY"},
		mechanism: MechanismInPlace, reason: "row-level security"},
	{name: "inherits from a parent", setup: []string{
		"CREATE TABLE %s.parent (id int NOT NULL, customer_name text, total numeric(12,2), created timestamp)",
		"ALTER TABLE %s.orders INHERIT %s.parent"},
		mechanism: MechanismInPlace, reason: "inherits from",
		queries: []query{{"SELECT count(*) FROM %s.parent", "2"}}},
	{name: "parent of another table", setup: []string{"CREATE TABLE %s.child (extra int) INHERITS (%s.orders)"},
		mechanism: MechanismInPlace, reason: "inherit from it"},
	{name: "partition", setup: []string{
		"CREATE TABLE %s.parent (id int NOT NULL, customer_name text, total numeric(12,2), created timestamp) PARTITION BY RANGE (id)",
		"ALTER TABLE %s.parent ATTACH PARTITION %s.orders DEFAULT"},
		mechanism: MechanismInPlace, reason: "partition",
		queries: []query{{"SELECT count(*) FROM %s.parent", "2"}}},
	{name: "typed table", setup: []string{
		"CREATE TYPE %s.orders_t AS (id int, customer_name text, total numeric(12,2), created timestamp)",
		"ALTER TABLE %s.orders OF %s.orders_t"},
		mechanism: MechanismInPlace, reason: "of type"},
	{name: "security label", setup: []string{
		"INSERT INTO pg_seclabel VALUES ('%s.orders'::regclass, 'pg_class'::regclass, 0, 'mbiload_test', 'secret')",
		"INSERT INTO pg_seclabel VALUES ('%s.orders'::regclass, 'pg_class'::regclass, 3, 'mbiload_test', 'money')"},
		mechanism: MechanismInPlace, reason: "security label"},
	{name: "statistics object", setup: []string{"CREATE STATISTICS %s.st ON id, total FROM %s.orders"},
		mechanism: MechanismInPlace, reason: "statistics object"},
	{name: "publication", shared: "publication", setup: []string{"CREATE PUBLICATION %u FOR TABLE %s.orders"},
		mechanism: MechanismInPlace, reason: "publication"},
}

// TestReplaceKeepsAdditions: whatever a warehouse owner added to a table
// survives a replace — carried over by the swap, or kept by an in-place
// refill that says why — and still works afterwards.
func TestReplaceKeepsAdditions(t *testing.T) {
	t.Parallel()
	for _, tc := range additionCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t, newEnv(t))
		})
	}
}

// check loads orders, runs the case's setup, replaces the table and
// checks the addition survived as the case says.
func (tc additionCase) check(t *testing.T, e *env) {
	t.Helper()
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	tc.prepare(t, e)
	before := tableShape(t, e, "orders")

	res := e.mustLoad(t, l, ordersTable(t), additionsCSV, Job{ExportID: "e2"})
	if res.Mechanism != tc.mechanism || !strings.Contains(res.MechanismReason, tc.reason) {
		t.Errorf("got mechanism %s (%s), want %s (%s)", res.Mechanism, res.MechanismReason, tc.mechanism, tc.reason)
	}
	if after := tableShape(t, e, "orders"); !slices.Equal(after, before) {
		t.Errorf("after the replace:\ngot  %q\nwant %q", after, before)
	}
	got := queryText(t, e.pool, "SELECT id, customer_name, total FROM "+e.schema+".orders ORDER BY id")
	if want := [][]string{{"10", "Xavier", "5.00"}, {"11", "Yvonne", "0.50"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows: got %v, want %v", got, want)
	}
	if got := noDebris(t, e); got != "0" {
		t.Errorf("staging or old tables left: got %s, want 0", got)
	}
	for _, q := range tc.queries {
		if got := queryText(t, e.pool, tc.sql(e, q.sql)); len(got) == 0 || got[0][0] != q.want {
			t.Errorf("%s: got %v, want %s", q.sql, got, q.want)
		}
	}
	for _, r := range tc.refused {
		_, err := e.pool.Exec(context.Background(), tc.sql(e, r.sql))
		if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != r.code {
			t.Errorf("%s: got %v, want SQLSTATE %s", r.sql, err, r.code)
		}
	}
}

// prepare creates the case's shared object and runs its setup.
func (tc additionCase) prepare(t *testing.T, e *env) {
	t.Helper()
	u := ""
	switch tc.shared {
	case "tablespace":
		u = mustTablespace(t, e)
	case "access method":
		u = pgtestUnique(t, "am")
		mustExec(t, e.pool, "CREATE ACCESS METHOD "+u+" TYPE TABLE HANDLER heap_tableam_handler")
		t.Cleanup(func() { e.pool.Exec(context.Background(), "DROP ACCESS METHOD "+u+" CASCADE") })
	case "publication":
		u = pgtestUnique(t, "pub")
		t.Cleanup(func() { e.pool.Exec(context.Background(), "DROP PUBLICATION IF EXISTS "+u) })
	case "role":
		u = pgtestRole(t, e)
	}
	for _, s := range tc.setup {
		mustExec(t, e.pool, strings.ReplaceAll(tc.sql(e, s), "%u", u))
	}
}

// sql puts the schema in place of %s.
func (tc additionCase) sql(e *env, s string) string { return strings.ReplaceAll(s, "%s", e.schema) }

// mustTablespace creates a tablespace inside the server's data directory
// (allow_in_place_tablespaces, a superuser's developer option), dropped
// with the test's tables at cleanup.
func mustTablespace(t *testing.T, e *env) string {
	t.Helper()
	name := pgtestUnique(t, "ts")
	ctx := context.Background()
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET allow_in_place_tablespaces = on"); err != nil {
		t.Fatalf("allow in-place tablespaces: %v", err)
	}
	_, err = conn.Exec(ctx, "CREATE TABLESPACE "+name+" LOCATION ''")
	conn.Exec(ctx, "RESET allow_in_place_tablespaces")
	if err != nil {
		t.Fatalf("create tablespace: %v", err)
	}
	t.Cleanup(func() {
		e.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+e.schema+" CASCADE")
		if _, err := e.pool.Exec(ctx, "DROP TABLESPACE "+name); err != nil {
			t.Errorf("drop tablespace %s: %v", name, err)
		}
	})
	return name
}

// noDebris counts the staging and old tables left in the env's schemas.
func noDebris(t testing.TB, e *env) string {
	t.Helper()
	return queryText(t, e.pool, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('"+
		e.schema+"', '"+e.ledger+"') AND (c.relname LIKE 'stage%' OR c.relname LIKE 'mbiload_old%')")[0][0]
}
