package load

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// keyedBefore is what the key tests load before the bad export: two rows
// (keys the bad exports do not repeat but 9), one with a quoted line break.
const keyedBefore = "entity_id,increment_id,customer_note,grand_total\n6,100006,old,6.00\n9,100009,\"kept\nnote\",9.00\n"

// keyedSetup prepares the warehouse before the bad load: nothing, or
// keyedBefore loaded in a mode, then SQL statements (%s is the target
// schema).
type keyedSetup struct {
	mode  Mode // "": no table
	table func(t testing.TB) *schema.Table
	sql   []string
}

func (s keyedSetup) run(t testing.TB, e *env, l *Loader) {
	t.Helper()
	if s.mode != "" {
		tbl := mustNullableKeyTable(t, "sales_order")
		if s.table != nil {
			tbl = s.table(t)
		}
		csv := keyedBefore
		if len(tbl.Fields) == 3 {
			csv = "entity_id,increment_id,customer_note\n6,100006,old\n9,100009,\"kept\nnote\"\n"
		}
		e.mustLoad(t, l, tbl, csv, Job{Mode: s.mode, ExportID: "before"})
	}
	for _, q := range s.sql {
		mustExec(t, e.pool, strings.ReplaceAll(q, "%s", e.schema))
	}
}

// threeColumns is sales_order without grand_total, so that a later load
// adds it (an append then stages its rows).
func threeColumns(t testing.TB) *schema.Table {
	t.Helper()
	tbl, err := schema.NewTable("", "sales_order", []schema.Column{
		{Name: "entity_id", Type: "int(10) unsigned", IsPrimaryKey: true},
		{Name: "increment_id", Type: "varchar(50)"},
		{Name: "customer_note", Type: "text"},
	}, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// warehouseState is everything a failed load must leave as it was: the
// relations of the target and ledger schemas (a staging table or an old
// table left behind would show), the constraints and indexes, and the
// rows of the target table (ordered by its first column).
func warehouseState(t testing.TB, e *env, table string) []string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `
SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ($1, $2)
UNION ALL
SELECT 'constraint ' || con.conname || ' ' || pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE n.nspname IN ($1, $2)
UNION ALL
SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname IN ($1, $2)
ORDER BY 1`, e.schema, e.ledger)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	exists := mustScalar[bool](t, e.pool, "SELECT to_regclass($1) IS NOT NULL", schema.Quote(e.schema, table))
	if exists {
		for _, r := range e.rows(t, table, "1") {
			out = append(out, "row "+strings.Join(r, "|"))
		}
	}
	return out
}

// mustFailCleanly checks what a failed load leaves: the warehouse as it
// was (before, from warehouseState), a failed Result, and one failed
// ledger row with the message msg and the load's mode.
func mustFailCleanly(t testing.TB, e *env, table string, before []string, res Result, exportID, msg string, mode Mode) {
	t.Helper()
	if res.Status != StatusFailed {
		t.Errorf("status: got %s, want %s", res.Status, StatusFailed)
	}
	if after := warehouseState(t, e, table); !slices.Equal(after, before) {
		t.Errorf("warehouse after the failed load:\ngot  %q\nwant %q", after, before)
	}
	ledger := queryText(t, e.pool, "SELECT status, error, mode FROM "+schema.Quote(e.ledger)+".loads WHERE export_id = "+schema.QuoteLiteral(exportID))
	if want := []string{StatusFailed, msg, string(mode)}; len(ledger) != 1 || !slices.Equal(ledger[0], want) {
		t.Errorf("ledger: got %q, want one row %q", ledger, want)
	}
}
