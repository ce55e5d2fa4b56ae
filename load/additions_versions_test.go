package load

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// versionedAddition is an addition that only some PostgreSQL majors
// have: since is the first server_version_num that has it.
type versionedAddition struct {
	additionCase
	since int
}

// versionedAdditions are the additions of PostgreSQL 15 to 18 (the
// table is orders, as for additionCases).
var versionedAdditions = []versionedAddition{
	// ALTER TABLE SET ACCESS METHOD is 15's (a replace keeps the access
	// method on 14 as well: the staging table is created USING it).
	{since: 150000, additionCase: additionCase{name: "table access method", shared: "access method",
		setup: []string{"ALTER TABLE %s.orders SET ACCESS METHOD %u"}, mechanism: MechanismSwap}},
	{since: 170000, additionCase: additionCase{name: "MAINTAIN granted", shared: "role",
		setup:     []string{"GRANT MAINTAIN ON %s.orders TO %u", "GRANT SELECT, MAINTAIN ON %s.orders TO %u WITH GRANT OPTION"},
		mechanism: MechanismSwap,
		queries:   []query{{"SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = '%s.orders'::regclass AND a.privilege_type = 'MAINTAIN' AND a.is_grantable", "1"}}}},
	{since: 180000, additionCase: additionCase{name: "named NOT NULL of the owner", setup: []string{
		"DELETE FROM %s.orders WHERE customer_name IS NULL", "ALTER TABLE %s.orders ADD CONSTRAINT owner_name_nn NOT NULL customer_name"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id) VALUES (99)", "23502"}},
		queries: []query{{"SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = '%s.orders'::regclass AND contype = 'n'",
			"orders_id_not_null,owner_name_nn"}}}},
	{since: 180000, additionCase: additionCase{name: "NOT NULL NOT VALID", setup: []string{
		"ALTER TABLE %s.orders ADD CONSTRAINT name_nn NOT NULL customer_name NOT VALID"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id) VALUES (99)", "23502"}},
		queries: []query{{"SELECT convalidated FROM pg_constraint WHERE conrelid = '%s.orders'::regclass AND conname = 'name_nn'", "f"}}}},
	{since: 180000, additionCase: additionCase{name: "NOT NULL NO INHERIT", setup: []string{
		"DELETE FROM %s.orders WHERE customer_name IS NULL", "ALTER TABLE %s.orders ADD CONSTRAINT name_nn NOT NULL customer_name NO INHERIT"},
		mechanism: MechanismSwap, refused: []refused{{"INSERT INTO %s.orders (id) VALUES (99)", "23502"}},
		queries: []query{{"SELECT connoinherit FROM pg_constraint WHERE conrelid = '%s.orders'::regclass AND conname = 'name_nn'", "t"}}}},
	{since: 180000, additionCase: additionCase{name: "named NOT NULL NOT VALID kept in place", setup: []string{
		"ALTER TABLE %s.orders ALTER COLUMN total SET DEFAULT 0",
		"ALTER TABLE %s.orders ADD CONSTRAINT name_nn NOT NULL customer_name NOT VALID",
		"DELETE FROM %s.orders WHERE created IS NULL", "ALTER TABLE %s.orders ADD CONSTRAINT created_nn NOT NULL created NO INHERIT"},
		mechanism: MechanismInPlace, reason: "default value", refused: []refused{{"INSERT INTO %s.orders (id) VALUES (99)", "23502"}},
		queries: []query{{"SELECT string_agg(conname || ' ' || convalidated || ' ' || connoinherit, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = '%s.orders'::regclass AND contype = 'n'",
			"created_nn true true,name_nn false false,orders_id_not_null true false"}}}},
	{since: 180000, additionCase: additionCase{name: "added virtual generated column", setup: []string{
		"ALTER TABLE %s.orders ADD COLUMN twice numeric GENERATED ALWAYS AS (total * 2) VIRTUAL"},
		mechanism: MechanismInPlace, reason: `column "twice" is not in the export`,
		queries: []query{{"SELECT string_agg(twice::text, ',' ORDER BY id) FROM %s.orders", "10.00,1.00"}}}},
	{since: 180000, additionCase: additionCase{name: "added generated column of the default kind", setup: []string{
		"ALTER TABLE %s.orders ADD COLUMN twice numeric GENERATED ALWAYS AS (total * 2)"},
		mechanism: MechanismInPlace, reason: `column "twice" is not in the export`,
		queries: []query{{"SELECT string_agg(twice::text, ',' ORDER BY id) FROM %s.orders", "10.00,1.00"}}}},
	{since: 180000, additionCase: additionCase{name: "check constraint NOT ENFORCED", setup: []string{
		"ALTER TABLE %s.orders ADD CONSTRAINT total_positive CHECK (total >= 0) NOT ENFORCED"},
		mechanism: MechanismSwap,
		queries:   []query{{"INSERT INTO %s.orders (id, total) VALUES (99, -1) RETURNING total", "-1.00"}}}},
	{since: 180000, additionCase: additionCase{name: "foreign key NOT ENFORCED", setup: []string{
		"CREATE TABLE %s.ids (id int PRIMARY KEY)",
		"ALTER TABLE %s.orders ADD CONSTRAINT orders_id_fk FOREIGN KEY (id) REFERENCES %s.ids (id) NOT ENFORCED"},
		mechanism: MechanismSwap,
		queries:   []query{{"INSERT INTO %s.orders (id) VALUES (99) RETURNING id", "99"}}}},
}

// TestReplaceKeepsVersionedAdditions: the additions newer majors allow
// survive a replace as the others do (see TestReplaceKeepsAdditions). On
// an older server, the server refuses the case's setup: the addition
// cannot exist there, which the test checks instead.
func TestReplaceKeepsVersionedAdditions(t *testing.T) {
	t.Parallel()
	version := serverVersionNum(t, newEnv(t))
	for _, tc := range versionedAdditions {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if version >= tc.since {
				tc.check(t, e)
				return
			}
			l := e.loader(t, Config{})
			e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
			var err error
			for _, s := range tc.setup {
				sql := strings.ReplaceAll(tc.sql(e, s), "%u", "public")
				if _, err = e.pool.Exec(context.Background(), sql); err != nil {
					break
				}
			}
			if err == nil {
				t.Errorf("server %d (older than %d) took the setup %q; the case must run here", version, tc.since, tc.setup)
			}
		})
	}
}

// serverVersionNum is the test server's server_version_num.
func serverVersionNum(t testing.TB, e *env) int {
	t.Helper()
	var v int
	if err := e.pool.QueryRow(context.Background(), "SELECT current_setting('server_version_num')::int").Scan(&v); err != nil {
		t.Fatal(fmt.Errorf("read the server version: %w", err))
	}
	return v
}
