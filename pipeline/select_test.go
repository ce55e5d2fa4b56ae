package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// warehouse is a table list as the API gives it (not in id order).
var warehouse = []extract.Table{
	{ID: "3", Name: "customer_entity"},
	{ID: "1", Name: "sales_order"},
	{ID: "2", Name: "sales_order_item"},
	{ID: "10", Name: "Sales Order"},
	{ID: "5", Name: "orders_~_line_items-mps"},
	{ID: "7", Name: "Customer Entity"},
	{ID: "abc", Name: "   "},
}

func names(tables []extract.Table) []string {
	out := make([]string, len(tables))
	for i, t := range tables {
		out[i] = t.Name
	}
	return out
}

// TestSelect checks table selection by names, ids and globs, exactly then
// case-insensitively, with excludes, keeping the API's order.
func TestSelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
		wantErr          string
		noTables         bool // the error wraps ErrNoTables
	}{
		{name: "all by default", want: names(warehouse)},
		{name: "by name", include: []string{"sales_order"}, want: []string{"sales_order"}},
		{name: "by id", include: []string{"5"}, want: []string{"orders_~_line_items-mps"}},
		{name: "exact name before case-insensitive", include: []string{"Customer Entity"}, want: []string{"Customer Entity"}},
		{name: "case-insensitive when nothing is exact", include: []string{"SALES_ORDER_ITEM"}, want: []string{"sales_order_item"}},
		{name: "case-insensitive is not snake-insensitive", include: []string{"CUSTOMER_ENTITY"}, want: []string{"customer_entity"}},
		{name: "glob", include: []string{"sales_*"}, want: []string{"sales_order", "sales_order_item"}},
		{name: "glob case-insensitively", include: []string{"SALES*"}, want: []string{"sales_order", "sales_order_item", "Sales Order"}},
		{name: "glob with a question mark", include: []string{"sales_orde?"}, want: []string{"sales_order"}},
		{name: "hostile name by name", include: []string{"orders_~_line_items-mps"}, want: []string{"orders_~_line_items-mps"}},
		{name: "several, in the API's order", include: []string{"1", "customer_entity"}, want: []string{"customer_entity", "sales_order"}},
		{name: "surrounding spaces are trimmed", include: []string{" sales_order "}, want: []string{"sales_order"}},
		{name: "exclude by glob", include: []string{"sales*"}, exclude: []string{"*item"}, want: []string{"sales_order", "Sales Order"}},
		{name: "exclude from all", exclude: []string{"sales_*", "3", "7", "abc"}, want: []string{"Sales Order", "orders_~_line_items-mps"}},
		{name: "unknown name", include: []string{"sales_ordr"}, wantErr: `table pattern "sales_ordr"`, noTables: true},
		{name: "unknown exclude", exclude: []string{"nope"}, wantErr: `excluded table pattern "nope"`, noTables: true},
		{name: "glob matching nothing", include: []string{"zz*"}, wantErr: "no table has that id or name", noTables: true},
		{name: "bad glob", include: []string{"sales_["}, wantErr: "bad pattern"},
		{name: "empty name", include: []string{""}, wantErr: "empty table name"},
		{name: "everything excluded", include: []string{"sales_order"}, exclude: []string{"1"}, wantErr: "the exclusions leave out every table"},
		{name: "everything excluded by a glob", exclude: []string{"*"}, wantErr: "the exclusions leave out every table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := selectTables(warehouse, tt.include, tt.exclude)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %q, %v; want an error holding %q", names(got), err, tt.wantErr)
				}
				if errors.Is(err, ErrNoTables) != tt.noTables {
					t.Errorf("errors.Is(%v, ErrNoTables): got %v, want %v", err, !tt.noTables, tt.noTables)
				}
				return
			}
			if err != nil {
				t.Fatalf("selectTables: %v", err)
			}
			if !reflect.DeepEqual(names(got), tt.want) {
				t.Errorf("got %q, want %q", names(got), tt.want)
			}
		})
	}
}

// TestTargetNames checks target names: snake case or preserved, distinct
// when two source names map to one identifier (the lower id keeps the
// plain name, numeric ids compared as numbers), a fallback for a name with
// nothing left, and the same name for a table whatever the selection.
func TestTargetNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mode schema.IdentifierMode
		want map[schema.ID]string
	}{
		{name: "snake", mode: schema.IdentifiersSnake, want: map[schema.ID]string{
			"1": "sales_order", "2": "sales_order_item", "3": "customer_entity", "5": "orders_line_items_mps",
			"7": "customer_entity_2", "10": "sales_order_2", "abc": "table_abc",
		}},
		{name: "preserve", mode: schema.IdentifiersPreserve, want: map[schema.ID]string{
			"1": "sales_order", "2": "sales_order_item", "3": "customer_entity", "5": "orders_~_line_items-mps",
			"7": "Customer Entity", "10": "Sales Order", "abc": "   ", // quoted, it is a name
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := targetNames(warehouse, tt.mode)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			reversed := append([]extract.Table(nil), warehouse...)
			for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
				reversed[i], reversed[j] = reversed[j], reversed[i]
			}
			if again := targetNames(reversed, tt.mode); !reflect.DeepEqual(again, got) {
				t.Errorf("in another order: got %v, want %v", again, got)
			}
		})
	}
}

// tinyTable is a simulator table of three rows whose note column says
// which table it is.
func tinyTable(id schema.ID, name string) simulator.Table {
	cols := []schema.Column{{ID: "1", Name: "id", Type: "Integer", IsPrimaryKey: true}, {ID: "2", Name: "note", Type: "String"}}
	return simulator.Table{ID: id, Name: name, Columns: cols, Rows: 3, WriteCSV: func(ctx context.Context, w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "note"})
		for i := 1; i <= 3; i++ {
			cw.Write([]string{fmt.Sprint(i), name})
		}
		cw.Flush()
		return cw.Error()
	}}
}

// TestSyncNameCollision syncs two tables whose names map to the same
// identifier, first one alone, then both: each keeps its own target, the
// one named from the whole warehouse, whatever the selection.
func TestSyncNameCollision(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Tables: []simulator.Table{tinyTable("10", "Sales Order"), tinyTable("1", "sales_order")}})
	ctx := context.Background()
	for _, tables := range [][]string{{"Sales Order"}, nil} {
		opts := e.opts()
		opts.Tables = tables
		rep, err := e.runner.Sync(ctx, opts)
		if err != nil || rep.Status != RunSucceeded {
			t.Fatalf("Sync %v: %v %v", tables, err, failures(rep))
		}
		if got := bySource(rep)["Sales Order"].TargetTable; got != "sales_order_2" {
			t.Errorf("Sync %v: Sales Order loaded into %q, want sales_order_2", tables, got)
		}
	}
	for table, source := range map[string]string{"sales_order": "sales_order", "sales_order_2": "Sales Order"} {
		got := mustScalar[string](t, e.pool, "SELECT string_agg(DISTINCT note, ',') FROM "+schema.Quote(e.target, table))
		if got != source {
			t.Errorf("%s holds the rows of %q, want %q", table, got, source)
		}
	}
	e.mustEqualSim(t, schema.Options{})
}
