package magentogen

import (
	"context"
	"iter"
	"strconv"

	"github.com/mbiload/mbiload/schema"
)

// Table is one generated table: its metadata in the Export API's shape and a
// deterministic generator of its rows. A Table is safe for concurrent use.
type Table struct {
	// ID is the table's id in the API.
	ID schema.ID
	// Name is the table's name as the API lists it.
	Name string
	// Columns is the column metadata in the API's shape, in CSV column order.
	Columns []schema.Column
	// Rows is the number of rows.
	Rows int64

	newGen func() rowGen
}

// Minimum row counts of the small tables, so that even a tiny warehouse has
// customers and products to refer to.
const (
	minCustomers = 5
	minProducts  = 5
	minLines     = 3
)

// Warehouse returns the generated tables for a scale (the number of
// sales_order rows; negative counts as 0) and a seed, in a fixed order:
// sales_order, sales_order_item, customer_entity, catalog_product_entity,
// orders_~_line_items-mps. Table ids are 1, 2, ... in that order and column
// ids run on across tables from 1. The same (scale, seed) always gives the
// same metadata and byte-identical rows; another seed gives other values
// with the same metadata and row counts.
func Warehouse(scale int64, seed int64) []*Table {
	scale = max(scale, 0)
	wd := &world{
		seed:      seed,
		orders:    scale,
		items:     2 * scale,
		customers: max(scale/4, minCustomers),
		products:  max(scale/50, minProducts),
		lines:     max(scale/10, minLines),
	}
	tables := []*Table{
		salesOrder.table(wd),
		salesOrderItem.table(wd),
		customerEntity.table(wd),
		catalogProductEntity.table(wd),
		lineItems.table(wd),
	}
	colID := 1
	for k, t := range tables {
		t.ID = schema.ID(strconv.Itoa(k + 1))
		for c := range t.Columns {
			t.Columns[c].ID = schema.ID(strconv.Itoa(colID))
			colID++
		}
	}
	return tables
}

// Find returns the table whose id or name is key, or nil.
func Find(tables []*Table, key string) *Table {
	for _, t := range tables {
		if string(t.ID) == key || t.Name == key {
			return t
		}
	}
	return nil
}

// Header returns the column names in metadata order, as the CSV header row
// holds them.
func (t *Table) Header() []string {
	out := make([]string, len(t.Columns))
	for k, c := range t.Columns {
		out[k] = c.Name
	}
	return out
}

// Row returns row i (0-based) of the table. It is computed on its own, from
// the seed, the table and i, and equals what [Table.WriteCSV] writes for that
// row. It returns nil when i is out of range.
func (t *Table) Row(i int64) []Value {
	if i < 0 || i >= t.Rows {
		return nil
	}
	w := &rowWriter{vals: make([]Value, 0, len(t.Columns))}
	t.newGen().fill(w, i)
	return w.vals
}

// All yields every row in order with its 0-based number, generating them one
// at a time (faster than calling [Table.Row] for each). The yielded slice is
// reused for the next row; its strings are not. It stops early when ctx is
// done; check ctx.Err() afterwards to tell that from the end of the table.
func (t *Table) All(ctx context.Context) iter.Seq2[int64, []Value] {
	return func(yield func(int64, []Value) bool) {
		g := t.newGen()
		w := &rowWriter{vals: make([]Value, 0, len(t.Columns))}
		for i := int64(0); i < t.Rows; i++ {
			if i%ctxCheckRows == 0 && ctx.Err() != nil {
				return
			}
			w.vals = w.vals[:0]
			g.fill(w, i)
			if !yield(i, w.vals) {
				return
			}
		}
	}
}
