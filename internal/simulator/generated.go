package simulator

import "github.com/mbiload/mbiload/internal/simulator/magentogen"

// Generated returns the deterministic Magento-like warehouse of package
// magentogen at a scale (sales_order rows) and seed. Tables stream their CSV,
// so any scale fits in bounded memory.
func Generated(scale, seed int64) []Table {
	gen := magentogen.Warehouse(scale, seed)
	tables := make([]Table, 0, len(gen))
	for _, g := range gen {
		tables = append(tables, Table{ID: g.ID, Name: g.Name, Columns: g.Columns, Rows: g.Rows, WriteCSV: g.WriteCSV})
	}
	return tables
}
