package load

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/internal/citustest"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/schema"
)

// newCitusEnv is a test's schemas on the Citus cluster (see citustest).
func newCitusEnv(t testing.TB) *env {
	t.Helper()
	pool := citustest.Pool(t)
	return &env{pool: pool, schema: pgtest.Schema(t, pool), ledger: pgtest.Schema(t, pool)}
}

// citusKinds are the two ways an owner spreads a table, as SQL run on a
// table %s (qualified) distributed by its column id.
var citusKinds = []struct {
	name, distribute string
	// colocate makes table %[1]s colocated with %[2]s.
	colocate string
	want     string
}{
	{"distributed", "SELECT create_distributed_table('%s', 'id')",
		"SELECT create_distributed_table('%s', 'id', colocate_with => '%s')", DistributionHash},
	{"reference", "SELECT create_reference_table('%s')", "SELECT create_reference_table('%[1]s')", DistributionReference},
}

// distribute runs one of citusKinds' statements on table.
func (e *env) distribute(t testing.TB, how, table string) {
	t.Helper()
	mustExec(t, e.pool, fmt.Sprintf(how, schema.Quote(e.schema, table)))
	mustExec(t, e.pool, "SELECT truncate_local_data_after_distributing_table($1)", schema.Quote(e.schema, table))
}

// checkShards fails unless table is spread as want and its shards hold
// rows rows in all (every placement of a reference table holds them all)
// and the coordinator's query sees them.
func (e *env) checkShards(t testing.TB, table string, want citustest.Placement, rows int64) {
	t.Helper()
	q := schema.Quote(e.schema, table)
	got := citustest.TablePlacement(t, e.pool, q)
	if want.Kind == "reference" {
		// Every reference table is in Citus's one reference group, whose
		// id Citus may renumber when other sessions drop the last ones.
		got.Colocation = want.Colocation
	}
	if got != want {
		t.Errorf("%s is spread as %+v, want %+v", table, got, want)
	}
	per := citustest.ShardRows(t, e.pool, q)
	var sum int64
	for _, k := range slices.Sorted(maps.Keys(per)) {
		if want.Kind == "reference" {
			if per[k] != rows {
				t.Errorf("reference table %s: placement %s holds %d rows, want %d", table, k, per[k], rows)
			}
			continue
		}
		sum += per[k]
	}
	if want.Kind != "reference" && sum != rows {
		t.Errorf("%s: its shards hold %d rows (%v), want %d", table, sum, per, rows)
	}
	if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+q); n != rows {
		t.Errorf("%s: the coordinator counts %d rows, want %d", table, n, rows)
	}
}

// citusCSV is an export of the table "items": id (the key), a customer
// and an amount; n rows from first.
func citusCSV(first, n int, amount string) string {
	var b strings.Builder
	b.WriteString("id,customer,amount\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "%d,c%d,%s\n", i, i%7, amount)
	}
	return b.String()
}

func citusItems(t testing.TB) *schema.Table {
	return mustTable(t, "items", "id*:int(11)", "customer:varchar(20)", "amount:decimal(10,2)")
}

// spreadItems is a test's env on the Citus cluster, its loader
// (Config{}) and citusItems, loaded once with csv by job and then spread
// by how (one of citusKinds' distribute) on table (items, or a snapshot's
// items_history).
func spreadItems(t testing.TB, how, table, csv string, job Job) (*env, *Loader, *schema.Table) {
	t.Helper()
	e := newCitusEnv(t)
	l := e.loader(t, Config{})
	tbl := citusItems(t)
	e.mustLoad(t, l, tbl, csv, job)
	e.distribute(t, how, table)
	return e, l, tbl
}

// noCitusNames fails when text names Citus's internals: a shard
// (name_102008), its truncate trigger. The test's schema names (random
// hex, sometimes all digits) are left out.
func (e *env) noCitusNames(t testing.TB, what string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		s = strings.NewReplacer(e.schema, "", e.ledger, "").Replace(s)
		if shardSuffixRE.MatchString(s) || strings.Contains(s, "truncate_trigger") {
			t.Errorf("%s names Citus internals: %s", what, s)
		}
	}
}

// TestCitusReplace: a replace of a distributed and of a reference table
// keeps it so (column, colocation group), with the owner's view, grant
// and comment, swapping in a staging table built on the shards; the rows
// are on the shards, a colocated join still runs, and no warning names
// Citus's truncate trigger.
func TestCitusReplace(t *testing.T) {
	t.Parallel()
	for _, kind := range citusKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			e, l, tbl := spreadItems(t, kind.distribute, "items", citusCSV(1, 40, "1.50"), Job{ExportID: "e1"})
			// A table colocated with it, joined on the distribution column.
			mustExec(t, e.pool, "CREATE TABLE "+e.schema+".notes (id integer, note text)")
			mustExec(t, e.pool, fmt.Sprintf(kind.colocate, e.schema+".notes", e.schema+".items"))
			mustExec(t, e.pool, "INSERT INTO "+e.schema+".notes SELECT g, 'n' || g FROM generate_series(1, 100) g")
			mustExec(t, e.pool, "CREATE VIEW "+e.schema+".big AS SELECT id, amount FROM "+e.schema+".items WHERE amount > 2")
			mustExec(t, e.pool, "CREATE ROLE "+e.schema+"_reader")
			t.Cleanup(func() { _, _ = e.pool.Exec(context.Background(), "DROP ROLE IF EXISTS "+e.schema+"_reader") })
			mustExec(t, e.pool, "GRANT USAGE ON SCHEMA "+e.schema+" TO "+e.schema+"_reader")
			mustExec(t, e.pool, "GRANT SELECT ON "+e.schema+".items TO "+e.schema+"_reader")
			mustExec(t, e.pool, "COMMENT ON TABLE "+e.schema+".items IS 'the owner''s items'")
			before := citustest.TablePlacement(t, e.pool, e.schema+".items")
			if before.Kind != kind.name {
				t.Fatalf("setup: items is %+v", before)
			}

			res := e.mustLoad(t, l, tbl, citusCSV(11, 50, "2.50"), Job{ExportID: "e2"})
			if res.Mechanism != MechanismSwap || res.Distribution != kind.want || res.RowsLoaded != 50 {
				t.Errorf("replace: got mechanism %s (%s), distribution %q, %d rows; want swap, %s, 50",
					res.Mechanism, res.MechanismReason, res.Distribution, res.RowsLoaded, kind.want)
			}
			e.noCitusNames(t, "a warning", res.Warnings...)
			e.noCitusNames(t, "the mechanism's reason", res.MechanismReason)
			e.checkShards(t, "items", before, 50)
			if got := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+e.schema+".big"); got != 50 {
				t.Errorf("the view sees %d rows, want 50", got)
			}
			if !mustScalar[bool](t, e.pool, "SELECT has_table_privilege($1, $2, 'SELECT')", e.schema+"_reader", e.schema+".items") {
				t.Error("the grant was lost")
			}
			if c := mustScalar[string](t, e.pool, "SELECT obj_description($1::regclass, 'pg_class')", e.schema+".items"); c != "the owner's items" {
				t.Errorf("the table's comment: got %q", c)
			}
			// A join on the distribution column runs on the shards only
			// when the tables are still colocated.
			after := citustest.TablePlacement(t, e.pool, e.schema+".items")
			if p := citustest.TablePlacement(t, e.pool, e.schema+".notes"); p.Colocation != after.Colocation {
				t.Errorf("notes is in colocation group %d, items in %d", p.Colocation, after.Colocation)
			}
			got := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+e.schema+".items i JOIN "+e.schema+".notes n ON n.id = i.id")
			if got != 50 {
				t.Errorf("colocated join: %d rows, want 50", got)
			}
			if n := mustScalar[int64](t, e.pool, "SELECT min(id) FROM "+e.schema+".items"); n != 11 {
				t.Errorf("smallest id %d, want 11 (the new rows)", n)
			}
		})
	}
}

// TestCitusAppend: an append into a distributed and a reference table
// keeps it so; a key the table holds already fails naming the table, the
// primary key, the value and the CSV line, never a shard or its index,
// and leaves the rows as they were.
func TestCitusAppend(t *testing.T) {
	t.Parallel()
	for _, kind := range citusKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			e, l, tbl := spreadItems(t, kind.distribute, "items", citusCSV(1, 20, "1.50"), Job{Mode: ModeAppend, ExportID: "e1"})
			before := citustest.TablePlacement(t, e.pool, e.schema+".items")
			res := e.mustLoad(t, l, tbl, citusCSV(21, 10, "2.00"), Job{Mode: ModeAppend, ExportID: "e2"})
			if res.RowsLoaded != 10 || res.Distribution != kind.want {
				t.Errorf("append: %d rows, distribution %q; want 10, %s", res.RowsLoaded, res.Distribution, kind.want)
			}
			e.checkShards(t, "items", before, 30)

			// Line 4 holds id 5, which the table has.
			_, err := e.load(t, l, tbl, "id,customer,amount\n100,a,1\n101,b,1\n5,c,1\n102,d,1\n", Job{Mode: ModeAppend, ExportID: "e3"})
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("append of a key the table holds: got %v, want a KeyError", err)
			}
			e.noCitusNames(t, "the error", err.Error())
			for _, want := range []string{"items", "primary key (id)", "value 5", "line 4"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			e.checkShards(t, "items", before, 30)
		})
	}
}

// TestCitusMerge: a merge into a distributed and a reference table (which
// Citus refuses from a local staging table) keeps it so, updates the rows
// of keys it has, inserts the others, the last row of a key winning.
func TestCitusMerge(t *testing.T) {
	t.Parallel()
	for _, kind := range citusKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			e, l, tbl := spreadItems(t, kind.distribute, "items", citusCSV(1, 20, "1.00"), Job{Mode: ModeMerge, ExportID: "e1"})
			before := citustest.TablePlacement(t, e.pool, e.schema+".items")
			// ids 15..24: 15..20 updated, 21..24 new; 16 twice, the last wins.
			csv := citusCSV(15, 10, "2.00") + "16,late,9.00\n"
			res := e.mustLoad(t, l, tbl, csv, Job{Mode: ModeMerge, ExportID: "e2"})
			if res.Mechanism != MechanismMerge || res.RowsLoaded != 10 || res.Distribution != kind.want {
				t.Errorf("merge: got %s, %d rows, distribution %q; want merge, 10, %s", res.Mechanism, res.RowsLoaded, res.Distribution, kind.want)
			}
			e.checkShards(t, "items", before, 24)
			got := queryText(t, e.pool, "SELECT id, customer, amount FROM "+e.schema+".items WHERE id IN (1, 15, 16, 24) ORDER BY id")
			want := [][]string{{"1", "c1", "1.00"}, {"15", "c1", "2.00"}, {"16", "late", "9.00"}, {"24", "c3", "2.00"}}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("rows: got %v, want %v", got, want)
			}
			// A NULL key fails on its line, naming the column.
			_, err := e.load(t, l, tbl, "id,customer,amount\n30,a,1\n,b,1\n", Job{Mode: ModeMerge, ExportID: "e3"})
			if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "id") {
				t.Errorf("a NULL key: got %v, want an error naming line 3 and the column id", err)
			}
			e.checkShards(t, "items", before, 24)
		})
	}
}

// TestCitusSnapshot: snapshots append to a <table>_history the owner
// distributed (or made a reference table), which stays so; a forced
// reload of an export replaces its rows on every shard.
func TestCitusSnapshot(t *testing.T) {
	t.Parallel()
	for _, kind := range citusKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			e, l, tbl := spreadItems(t, kind.distribute, "items_history", citusCSV(1, 10, "1.00"), Job{Mode: ModeSnapshot, ExportID: "s1"})
			before := citustest.TablePlacement(t, e.pool, e.schema+".items_history")
			res := e.mustLoad(t, l, tbl, citusCSV(1, 12, "2.00"), Job{Mode: ModeSnapshot, ExportID: "s2"})
			if res.Table != "items_history" || res.RowsLoaded != 12 || res.Distribution != kind.want {
				t.Errorf("snapshot: got %s, %d rows, %q", res.Table, res.RowsLoaded, res.Distribution)
			}
			e.checkShards(t, "items_history", before, 22)
			fl := e.loader(t, Config{Force: true})
			e.mustLoad(t, fl, tbl, citusCSV(1, 5, "3.00"), Job{Mode: ModeSnapshot, ExportID: "s2"})
			e.checkShards(t, "items_history", before, 15)
			got := queryText(t, e.pool, "SELECT _export_id, count(*), min(amount) FROM "+e.schema+".items_history GROUP BY 1 ORDER BY 1")
			want := [][]string{{"s1", "10", "1.00"}, {"s2", "5", "3.00"}}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("history: got %v, want %v", got, want)
			}
		})
	}
}

// TestCitusReplaceRefill: a distributed or reference table a swap cannot
// carry (a materialized view reads it, a user added a column) is refilled
// in place from a staging table colocated with it, and stays so; the
// user's column keeps its values by key.
func TestCitusReplaceRefill(t *testing.T) {
	t.Parallel()
	for _, kind := range citusKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			e, l, tbl := spreadItems(t, kind.distribute, "items", citusCSV(1, 20, "1.00"), Job{ExportID: "e1"})
			before := citustest.TablePlacement(t, e.pool, e.schema+".items")
			mustExec(t, e.pool, "CREATE MATERIALIZED VIEW "+e.schema+".totals AS SELECT count(*) AS n FROM "+e.schema+".items")
			res := e.mustLoad(t, l, tbl, citusCSV(5, 30, "2.00"), Job{ExportID: "e2"})
			if res.Mechanism != MechanismInPlace || !strings.Contains(res.MechanismReason, "materialized view") {
				t.Errorf("replace: got %s (%s), want in-place for the materialized view", res.Mechanism, res.MechanismReason)
			}
			e.noCitusNames(t, "the mechanism's reason", res.MechanismReason)
			e.checkShards(t, "items", before, 30)

			mustExec(t, e.pool, "ALTER TABLE "+e.schema+".items ADD COLUMN flag text")
			mustExec(t, e.pool, "UPDATE "+e.schema+".items SET flag = CASE WHEN id = 5 THEN 'x5' ELSE 'x6' END WHERE id IN (5, 6)")
			res = e.mustLoad(t, l, tbl, citusCSV(6, 10, "3.00"), Job{ExportID: "e3"})
			if res.Mechanism != MechanismInPlaceKeyed {
				t.Errorf("replace with a user's column: got %s (%s), want %s", res.Mechanism, res.MechanismReason, MechanismInPlaceKeyed)
			}
			e.checkShards(t, "items", before, 10)
			got := queryText(t, e.pool, "SELECT id, flag FROM "+e.schema+".items WHERE id IN (6, 7) ORDER BY id")
			want := [][]string{{"6", "x6"}, {"7", "<nil>"}}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("the user's column: got %v, want %v", got, want)
			}
		})
	}
}

// TestCitusReplaceErrors: a replace that cannot keep the table's rows on
// their shards, or whose export repeats a key, fails naming the table,
// the column or key and the value, never a shard, and leaves the table
// as it was.
func TestCitusReplaceErrors(t *testing.T) {
	t.Parallel()
	e, l, tbl := spreadItems(t, citusKinds[0].distribute, "items", citusCSV(1, 20, "1.00"), Job{ExportID: "e1"})
	before := citustest.TablePlacement(t, e.pool, e.schema+".items")
	tests := []struct {
		name  string
		table *schema.Table
		csv   string
		want  []string
	}{
		{"repeated key", tbl, "id,customer,amount\n1,a,1\n2,b,1\n2,c,1\n", []string{"items", "primary key (id)", "value 2", "appears more than once"}},
		{"distribution column gone", mustTable(t, "items", "code*:int(11)", "customer:varchar(20)"), "code,customer\n1,a\n",
			[]string{`"id"`, "distributed by it", "no longer has it"}},
		{"distribution column retyped", mustTable(t, "items", "id*:varchar(10)", "customer:varchar(20)"), "id,customer\na,b\n",
			[]string{`"id"`, "distributed by it", "changes type from integer to text"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.load(t, l, tc.table, tc.csv, Job{ExportID: "bad " + tc.name})
			if err == nil {
				t.Fatal("the load succeeded")
			}
			e.noCitusNames(t, "the error", err.Error())
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			e.checkShards(t, "items", before, 20)
		})
	}
}

// TestCitusError: the server errors Citus re-raises lose their shard
// names, a duplicate key met during a COPY gets its SQLSTATE back, and
// the constraint's name is filled in.
func TestCitusError(t *testing.T) {
	tests := []struct {
		name                string
		in                  pgconn.PgError
		code, msg, cons, tb string
	}{
		{"duplicate in a COPY", pgconn.PgError{Code: "XX000", Message: `duplicate key value violates unique constraint "sales_order_pkey_102034"`},
			"23505", `duplicate key value violates unique constraint "sales_order_pkey"`, "sales_order_pkey", ""},
		{"check on a worker", pgconn.PgError{Code: "23514", Message: `new row for relation "items_102170" violates check constraint "vchk_102170"`, TableName: "items_102170"},
			"23514", `new row for relation "items" violates check constraint "vchk"`, "vchk", "items"},
		{"index build", pgconn.PgError{Code: "23505", Message: `could not create unique index "stage_1_102183"`},
			"23505", `could not create unique index "stage_1"`, "", ""},
		{"check in a COPY", pgconn.PgError{Code: "XX000", Message: `new row for relation "stage_c8faadde9f0d987e" violates check constraint "amount_positive"`},
			"23514", `new row for relation "stage_c8faadde9f0d987e" violates check constraint "amount_positive"`, "amount_positive", ""},
		{"worker gone", pgconn.PgError{Code: "58030", Message: "failed to COPY to shard 102042 on 127.0.0.1:27038"},
			"58030", "the COPY failed on the worker node 127.0.0.1:27038", "", ""},
		{"short numbers stay", pgconn.PgError{Code: "23514", Message: `new row for relation "t_2024" violates check constraint "c_12345"`},
			"23514", `new row for relation "t_2024" violates check constraint "c_12345"`, "c_12345", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe := tc.in
			err := citusError(fmt.Errorf("copy: %w", &pe))
			var got *pgconn.PgError
			if !errors.As(err, &got) {
				t.Fatalf("got %v", err)
			}
			if got.Code != tc.code || got.Message != tc.msg || got.ConstraintName != tc.cons || got.TableName != tc.tb {
				t.Errorf("got %s %q constraint %q table %q; want %s %q %q %q", got.Code, got.Message, got.ConstraintName, got.TableName,
					tc.code, tc.msg, tc.cons, tc.tb)
			}
		})
	}
}

// TestCitusReplaceAdditions: what an owner added to a distributed table
// survives a replace as on plain PostgreSQL: a CHECK constraint, an
// index, a unique constraint and a foreign key to a reference table keep
// their names and work; a row the CHECK refuses fails the load naming
// the table and the constraint, never a shard, and leaves the rows.
func TestCitusReplaceAdditions(t *testing.T) {
	t.Parallel()
	e, l, tbl := spreadItems(t, citusKinds[0].distribute, "items", citusCSV(1, 20, "1.00"), Job{ExportID: "e1"})
	s := e.schema
	mustExec(t, e.pool, "CREATE TABLE "+s+".customers (code text PRIMARY KEY)")
	mustExec(t, e.pool, "SELECT create_reference_table('"+s+".customers')")
	mustExec(t, e.pool, "INSERT INTO "+s+".customers SELECT 'c' || g FROM generate_series(0, 6) g")
	for _, sql := range []string{
		"ALTER TABLE %s.items ADD CONSTRAINT amount_positive CHECK (amount >= 0)",
		"CREATE INDEX items_customer ON %s.items (customer)",
		"ALTER TABLE %s.items ADD CONSTRAINT items_id_customer UNIQUE (id, customer)",
		"ALTER TABLE %s.items ADD CONSTRAINT items_customer_fk FOREIGN KEY (customer) REFERENCES %s.customers (code)",
	} {
		mustExec(t, e.pool, strings.ReplaceAll(sql, "%s", s))
	}
	before := citustest.TablePlacement(t, e.pool, s+".items")
	names := func() []string {
		var out []string
		for _, r := range queryText(t, e.pool, "SELECT conname FROM pg_constraint WHERE conrelid = '"+s+".items'::regclass UNION ALL "+
			"SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = '"+s+".items'::regclass ORDER BY 1") {
			out = append(out, r[0])
		}
		return out
	}
	want := names()
	res := e.mustLoad(t, l, tbl, citusCSV(3, 25, "2.00"), Job{ExportID: "e2"})
	if res.Mechanism != MechanismSwap {
		t.Errorf("replace: got %s (%s), want swap", res.Mechanism, res.MechanismReason)
	}
	if got := names(); !slices.Equal(got, want) {
		t.Errorf("constraints and indexes: got %v, want %v", got, want)
	}
	e.checkShards(t, "items", before, 25)
	if _, err := e.pool.Exec(context.Background(), "INSERT INTO "+s+".items VALUES (100, 'nobody', 1)"); err == nil {
		t.Error("the foreign key no longer refuses an unknown customer")
	}
	_, err := e.load(t, l, tbl, "id,customer,amount\n1,c1,1\n2,c2,-5\n", Job{ExportID: "e3"})
	var ce *ConstraintError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `check constraint "amount_positive"`) ||
		!strings.Contains(err.Error(), "amount = -5.00") || strings.Contains(err.Error(), "stage_") {
		t.Errorf("a row the CHECK refuses: got %v, want a ConstraintError naming amount_positive and amount = -5.00, not the staging table", err)
	}
	e.noCitusNames(t, "the error", fmt.Sprint(err))
	e.checkShards(t, "items", before, 25)
}

// TestCitusLocalTable: a Citus local table (in Citus's metadata, on the
// coordinator only) stays one through a replace (refilled in place) and
// an append.
func TestCitusLocalTable(t *testing.T) {
	t.Parallel()
	e := newCitusEnv(t)
	l := e.loader(t, Config{})
	tbl := citusItems(t)
	e.mustLoad(t, l, tbl, citusCSV(1, 20, "1.00"), Job{ExportID: "e1"})
	mustExec(t, e.pool, "SELECT citus_add_local_table_to_metadata('"+e.schema+".items')")
	kind := func() string {
		return mustScalar[string](t, e.pool, "SELECT partmethod::text || repmodel::text FROM pg_dist_partition WHERE logicalrelid = $1::regclass", e.schema+".items")
	}
	want := kind()
	res := e.mustLoad(t, l, tbl, citusCSV(5, 30, "2.00"), Job{ExportID: "e2"})
	if res.Mechanism != MechanismInPlace || !strings.Contains(res.MechanismReason, "Citus local table") {
		t.Errorf("replace: got %s (%s), want in-place for a Citus local table", res.Mechanism, res.MechanismReason)
	}
	e.mustLoad(t, l, tbl, citusCSV(100, 5, "3.00"), Job{Mode: ModeAppend, ExportID: "e3"})
	if got := kind(); got != want {
		t.Errorf("pg_dist_partition says %q, was %q", got, want)
	}
	if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+e.schema+".items"); n != 35 {
		t.Errorf("%d rows, want 35", n)
	}
}

// TestCitusReplaceReferenced: a distributed table another distributed
// table references (a colocated foreign key) is refilled in place by key
// on the shards: rows whose key left the export go (when nothing
// references them), the others are updated, and the referencing rows
// keep their targets.
func TestCitusReplaceReferenced(t *testing.T) {
	t.Parallel()
	e, l, tbl := spreadItems(t, citusKinds[0].distribute, "items", citusCSV(1, 20, "1.00"), Job{ExportID: "e1"})
	s := e.schema
	mustExec(t, e.pool, "CREATE TABLE "+s+".notes (id integer, note text)")
	mustExec(t, e.pool, "SELECT create_distributed_table('"+s+".notes', 'id', colocate_with => '"+s+".items')")
	mustExec(t, e.pool, "ALTER TABLE "+s+".notes ADD CONSTRAINT notes_item FOREIGN KEY (id) REFERENCES "+s+".items (id)")
	mustExec(t, e.pool, "INSERT INTO "+s+".notes VALUES (5, 'five'), (6, 'six')")
	before := citustest.TablePlacement(t, e.pool, s+".items")
	res := e.mustLoad(t, l, tbl, citusCSV(4, 10, "2.00"), Job{ExportID: "e2"})
	if res.Mechanism != MechanismInPlaceKeyed {
		t.Errorf("replace: got %s (%s), want %s", res.Mechanism, res.MechanismReason, MechanismInPlaceKeyed)
	}
	e.checkShards(t, "items", before, 10)
	got := queryText(t, e.pool, "SELECT n.id, i.amount FROM "+s+".notes n JOIN "+s+".items i ON i.id = n.id ORDER BY 1")
	want := [][]string{{"5", "2.00"}, {"6", "2.00"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("referencing rows: got %v, want %v", got, want)
	}
}
