package magentogen

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

func TestWarehouseRowCounts(t *testing.T) {
	tests := []struct {
		name  string
		scale int64
		want  map[string]int64
	}{
		{name: "1000", scale: 1000, want: map[string]int64{"sales_order": 1000, "sales_order_item": 2000,
			"customer_entity": 250, "catalog_product_entity": 20, "orders_~_line_items-mps": 100}},
		{name: "empty", scale: 0, want: map[string]int64{"sales_order": 0, "sales_order_item": 0,
			"customer_entity": minCustomers, "catalog_product_entity": minProducts, "orders_~_line_items-mps": minLines}},
		{name: "negative", scale: -5, want: map[string]int64{"sales_order": 0, "sales_order_item": 0,
			"customer_entity": minCustomers, "catalog_product_entity": minProducts, "orders_~_line_items-mps": minLines}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tables := Warehouse(tt.scale, 1)
			if got, want := len(tables), len(tt.want); got != want {
				t.Fatalf("tables: got %d, want %d", got, want)
			}
			for name, want := range tt.want {
				if got := mustTable(t, tables, name).Rows; got != want {
					t.Errorf("%s rows: got %d, want %d", name, got, want)
				}
			}
		})
	}
}

func TestWarehouseIDs(t *testing.T) {
	tables := Warehouse(100, 1)
	tableIDs, colIDs := map[schema.ID]bool{}, map[schema.ID]bool{}
	for _, tb := range tables {
		if tb.ID == "" || tableIDs[tb.ID] {
			t.Fatalf("table %s id %q: got empty or repeated, want unique", tb.Name, tb.ID)
		}
		tableIDs[tb.ID] = true
		if got := Find(tables, string(tb.ID)); got != tb {
			t.Fatalf("Find(%q): got %v, want table %s", tb.ID, got, tb.Name)
		}
		if got := Find(tables, tb.Name); got != tb {
			t.Fatalf("Find(%q): got %v, want table %s", tb.Name, got, tb.Name)
		}
		for _, c := range tb.Columns {
			if c.ID == "" || colIDs[c.ID] {
				t.Fatalf("column %q id %q: got empty or repeated, want unique", c.Name, c.ID)
			}
			colIDs[c.ID] = true
		}
	}
	if got := Find(tables, "nope"); got != nil {
		t.Fatalf("Find(nope): got %s, want nil", got.Name)
	}
	// Metadata is the same whatever the seed and scale.
	other := Warehouse(7, 99)
	for k, tb := range tables {
		if got, want := strings.Join(other[k].Header(), "|"), strings.Join(tb.Header(), "|"); got != want {
			t.Fatalf("%s header at another seed: got %q, want %q", tb.Name, got, want)
		}
	}
}

// TestHostileNames checks that the names from the contract are present and
// that schema.NewTable turns every table into distinct identifiers.
func TestHostileNames(t *testing.T) {
	tables := Warehouse(100, 1)
	where := map[string]string{}
	for _, tb := range tables {
		for _, c := range tb.Columns {
			where[c.Name] = tb.Name
		}
	}
	tests := []struct {
		name   string
		column string
	}{
		{name: "apostrophe", column: "Customer's lifetime revenue"},
		{name: "brackets", column: "Variant ID [pk]"},
		{name: "tilde", column: "customer_~_id"},
		{name: "leading underscore", column: "_id_of_parent"},
		{name: "quotes", column: `Customer's first "Showroom_HG" order date`},
		{name: "trailing space", column: "Order Notes "},
		{name: "snake collision first", column: "Ship-To City"},
		{name: "snake collision second", column: "ship to city"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if where[tt.column] == "" {
				t.Fatalf("column %q: got none, want it in some table", tt.column)
			}
		})
	}
	if Find(tables, "orders_~_line_items-mps") == nil {
		t.Fatalf("table orders_~_line_items-mps: got none, want it")
	}
	if where["Ship-To City"] != where["ship to city"] {
		t.Fatalf("snake collision: got tables %q and %q, want one table", where["Ship-To City"], where["ship to city"])
	}

	targets := map[string]string{}
	collided := false
	for _, tb := range tables {
		for _, mode := range []schema.IdentifierMode{schema.IdentifiersSnake, schema.IdentifiersPreserve} {
			st, err := schema.NewTable(tb.ID, tb.Name, tb.Columns, schema.Options{Identifiers: mode})
			if err != nil {
				t.Fatalf("NewTable %s (%s): %v", tb.Name, mode, err)
			}
			seen := map[string]bool{}
			snakeSeen := map[string]bool{}
			for _, f := range st.Fields {
				if seen[f.Name] || f.Name == "" {
					t.Fatalf("%s (%s): identifier %q: got repeated or empty, want distinct", tb.Name, mode, f.Name)
				}
				seen[f.Name] = true
				s := schema.Identifier(f.Source.Name, schema.IdentifiersSnake, "x")
				if snakeSeen[s] {
					collided = true
				}
				snakeSeen[s] = true
			}
			if mode == schema.IdentifiersSnake {
				if prev, dup := targets[st.Name]; dup {
					t.Fatalf("table identifier %q: got it for %s and %s, want distinct", st.Name, prev, tb.Name)
				}
				targets[st.Name] = tb.Name
			}
		}
	}
	if !collided {
		t.Fatalf("snake-case collision inside a table: got none, want one")
	}
}

// TestForeignKeys checks that references stay within the referenced tables
// and that sales orders add up.
func TestForeignKeys(t *testing.T) {
	tables := Warehouse(4000, 9)
	orders := mustTable(t, tables, "sales_order")
	items := mustTable(t, tables, "sales_order_item")
	customers := mustTable(t, tables, "customer_entity")
	products := mustTable(t, tables, "catalog_product_entity")
	lines := mustTable(t, tables, "orders_~_line_items-mps")

	checkRef := func(t *testing.T, from *Table, column string, to *Table) {
		t.Helper()
		k := colIndex(t, from, column)
		refs := 0
		for i := int64(0); i < from.Rows; i++ {
			v := from.Row(i)[k]
			if v.Null {
				continue
			}
			n, err := strconv.ParseInt(v.Text, 10, 64)
			if err != nil || n < 1 || n > to.Rows {
				t.Fatalf("%s row %d %s: got %q, want an id in [1, %d]", from.Name, i, column, v.Text, to.Rows)
			}
			refs++
		}
		if refs == 0 {
			t.Fatalf("%s.%s: got no references, want some", from.Name, column)
		}
	}
	t.Run("references", func(t *testing.T) {
		checkRef(t, items, "order_id", orders)
		checkRef(t, items, "product_id", products)
		checkRef(t, orders, "customer_id", customers)
		checkRef(t, lines, "_id_of_parent", orders)
		checkRef(t, lines, "customer_~_id", customers)
	})

	t.Run("customer email", func(t *testing.T) {
		idK, emailK := colIndex(t, orders, "customer_id"), colIndex(t, orders, "customer_email")
		custEmailK := colIndex(t, customers, "email")
		for i := int64(0); i < orders.Rows; i++ {
			row := orders.Row(i)
			if row[idK].Null {
				continue
			}
			id, _ := strconv.ParseInt(row[idK].Text, 10, 64)
			if got, want := row[emailK].Text, customers.Row(id - 1)[custEmailK].Text; got != want {
				t.Fatalf("order %d customer %d email: got %q, want %q", i+1, id, got, want)
			}
		}
	})

	t.Run("grand total", func(t *testing.T) {
		ks := []int{colIndex(t, orders, "subtotal"), colIndex(t, orders, "tax_amount"),
			colIndex(t, orders, "shipping_amount"), colIndex(t, orders, "discount_amount")}
		gk := colIndex(t, orders, "grand_total")
		for i := int64(0); i < orders.Rows; i++ {
			row := orders.Row(i)
			var sum int64
			for _, k := range ks {
				sum += mustUnits(t, row[k].Text)
			}
			if got := mustUnits(t, row[gk].Text); got != sum {
				t.Fatalf("order %d grand_total: got %s, want the sum %d/10000", i+1, row[gk].Text, sum)
			}
		}
	})

	t.Run("created_at by month", func(t *testing.T) {
		k := colIndex(t, orders, "created_at")
		months := map[string]int{}
		prev := ""
		for i := int64(0); i < orders.Rows; i++ {
			ts := orders.Row(i)[k].Text
			if ts[:7] < prev[:min(len(prev), 7)] {
				t.Fatalf("order %d created_at %s: got a month before the previous order's %s, want time order", i+1, ts, prev)
			}
			prev = ts
			months[ts[:7]]++
		}
		if len(months) < 60 {
			t.Fatalf("months with orders: got %d, want most of 2019-2025", len(months))
		}
		if months["2025-12"] <= months["2019-06"] {
			t.Fatalf("orders in 2025-12 (%d) vs 2019-06 (%d): got no growth, want a growing shop", months["2025-12"], months["2019-06"])
		}
	})
}

// colIndex returns the index of the named column.
func colIndex(t testing.TB, tb *Table, name string) int {
	t.Helper()
	for k, c := range tb.Columns {
		if c.Name == name {
			return k
		}
	}
	t.Fatalf("%s: no column %q", tb.Name, name)
	return -1
}

// mustUnits parses a decimal with 4 fractional digits into units of 10^-4.
func mustUnits(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.Replace(s, ".", "", 1), 10, 64)
	if err != nil || len(s) < 6 || s[len(s)-5] != '.' {
		t.Fatalf("decimal %q: want 4 fractional digits", s)
	}
	return n
}
