package load

import (
	"os"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(envChild); spec != "" {
		os.Exit(childMain(spec))
	}
	os.Exit(m.Run())
}

// ordersTableFor is ordersTable without a testing.TB.
func ordersTableFor() *schema.Table {
	f := schema.Flag(false)
	tbl, err := schema.NewTable("", "Orders", []schema.Column{
		{Name: "id", Type: "int(11)", IsPrimaryKey: true, Nullable: &f},
		{Name: "Customer Name", Type: "varchar(255)"},
		{Name: "total", Type: "decimal(12,2)"},
		{Name: "created", Type: "datetime"},
	}, schema.Options{})
	if err != nil {
		panic(err)
	}
	return tbl
}
