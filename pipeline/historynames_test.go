package pipeline

import (
	"context"
	"encoding/csv"
	"io"
	"reflect"
	"strconv"
	"testing"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// TestHistoryNames checks that history names take part in the target name
// assignment: a table's <target>_history that another table's target has
// (Magento's sales_order_status beside sales_order_status_history) becomes
// <target>_history_<id>; no name is shared by two tables, whatever the
// list's order.
func TestHistoryNames(t *testing.T) {
	t.Parallel()
	tables := []extract.Table{
		{ID: "12", Name: "sales_order_status_history"},
		{ID: "5", Name: "sales_order_status"},
		{ID: "7", Name: "sales_order"},
		{ID: "8", Name: "sales_order_history_7"}, // the suffixed name too is taken
		{ID: "9", Name: "sales_order_history"},
	}
	want := map[schema.ID]string{
		"5":  "sales_order_status_history_5",
		"7":  "sales_order_history_7_2",
		"8":  "sales_order_history_7_history",
		"9":  "sales_order_history_history",
		"12": "sales_order_status_history_history",
	}
	historyNames := func(tables []extract.Table, mode schema.IdentifierMode) map[schema.ID]string {
		out := map[schema.ID]string{}
		for id, t := range tableTargets(tables, mode) {
			out[id] = t.history
		}
		return out
	}
	got := historyNames(tables, schema.IdentifiersSnake)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	reversed := append([]extract.Table(nil), tables...)
	for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
		reversed[i], reversed[j] = reversed[j], reversed[i]
	}
	if again := historyNames(reversed, schema.IdentifiersSnake); !reflect.DeepEqual(again, got) {
		t.Errorf("in another order: got %v, want %v", again, got)
	}
	seen := map[string]schema.ID{}
	for id, name := range targetNames(tables, schema.IdentifiersSnake) {
		seen[name] = id
	}
	for id, name := range got {
		if other, dup := seen[name]; dup {
			t.Errorf("tables %s and %s share the name %s", other, id, name)
		}
		seen[name] = id
	}
}

// TestSnapshotBesideHistoryTable runs the Magento case end to end: a
// snapshot of sales_order_status, then a replace of
// sales_order_status_history. The snapshot must not write the other
// table (before, it appended its rows there and added its columns), and
// the replace must not take the snapshot rows away.
func TestSnapshotBesideHistoryTable(t *testing.T) {
	t.Parallel()
	status := plainTable("1", "sales_order_status", []string{"status", "label"},
		[][]string{{"pending", "Pending"}, {"complete", "Complete"}, {"canceled", "Canceled"}})
	history := plainTable("2", "sales_order_status_history", []string{"entity_id", "status"},
		[][]string{{"1", "pending"}, {"2", "complete"}, {"3", "complete"}})
	e := newEnv(t, simulator.Config{Tables: []simulator.Table{status, history}})
	ctx := context.Background()
	run := func(mode load.Mode, tables ...string) *Report {
		t.Helper()
		opts := e.opts()
		opts.Mode, opts.Tables = mode, tables
		rep, err := e.runner.Sync(ctx, opts)
		if err != nil || rep.Status != RunSucceeded {
			t.Fatalf("sync --mode %s %v: got %v, status %q %v", mode, tables, err, rep.Status, failures(rep))
		}
		return rep
	}
	run(load.ModeReplace)
	snap := run(load.ModeSnapshot, "sales_order_status")
	if got, want := snap.Tables[0].TargetTable, "sales_order_status_history_1"; got != want {
		t.Errorf("snapshot target: got %s, want %s", got, want)
	}
	run(load.ModeReplace, "sales_order_status_history")

	hist := schema.Quote(e.target, "sales_order_status_history")
	if n := mustScalar[int](t, e.pool, "SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped", hist); n != 2 {
		t.Errorf("%s has %d columns, want its own 2", hist, n)
	}
	if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+hist); n != 3 {
		t.Errorf("%s: got %d rows, want its own 3", hist, n)
	}
	snaps := schema.Quote(e.target, "sales_order_status_history_1")
	if !tableExists(t, e.pool, e.target, "sales_order_status_history_1") {
		t.Fatalf("%s does not exist: the snapshot rows went elsewhere", snaps)
	}
	if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+snaps+" WHERE label IS NOT NULL AND _export_id IS NOT NULL"); n != 3 {
		t.Errorf("%s: got %d snapshot rows, want 3", snaps, n)
	}
}

// plainTable is a simulator table of text columns without a key or NOT
// NULL, serving rows.
func plainTable(id schema.ID, name string, header []string, rows [][]string) simulator.Table {
	cols := make([]schema.Column, len(header))
	for i, h := range header {
		cols[i] = schema.Column{ID: schema.ID(strconv.Itoa(i + 1)), Name: h, Type: "String"}
	}
	return simulator.Table{ID: id, Name: name, Columns: cols, Rows: int64(len(rows)), WriteCSV: func(ctx context.Context, w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(header)
		cw.WriteAll(rows)
		return cw.Error()
	}}
}
