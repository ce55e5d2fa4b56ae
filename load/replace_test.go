package load

import (
	"context"
	"errors"
	"github.com/mbiload/mbiload/schema"
	"slices"
	"strings"
	"testing"
)

const ordersCSV = "id,Customer Name,total,created\n1,Ann,12.50,2024-01-02 03:04:05\n2,Bob,,2024-02-03 00:00:00\n3,,0.01,\n"

func ordersTable(t testing.TB) *schema.Table {
	return mustTable(t, "Orders", "id*:int(11)", "Customer Name:varchar(255)", "total:decimal(12,2)", "created:datetime")
}

func TestReplaceFirstAndSecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := ordersTable(t)
	res := e.mustLoad(t, l, tbl, ordersCSV, Job{ExportID: "e1"})
	if res.Status != StatusLoaded || res.Mechanism != MechanismCreate || res.RowsLoaded != 3 || res.RowsRead != 3 {
		t.Fatalf("first load: got %+v", res)
	}
	want := [][]string{
		{"1", "Ann", "12.50", "2024-01-02 03:04:05"},
		{"2", "Bob", "<nil>", "2024-02-03 00:00:00"},
		{"3", "<nil>", "0.01", "<nil>"},
	}
	if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	res = e.mustLoad(t, l, tbl, "id,Customer Name,total,created\n7,Zed,1,2020-01-01\n", Job{ExportID: "e2"})
	if res.Status != StatusLoaded || res.Mechanism != MechanismSwap || res.RowsLoaded != 1 {
		t.Fatalf("second load: got %+v", res)
	}
	if got := e.rows(t, "orders", "id"); len(got) != 1 || got[0][1] != "Zed" {
		t.Errorf("got %v, want the one row of the second export", got)
	}
	res = e.mustLoad(t, l, tbl, "id,Customer Name,total,created\n8,Again,1,2020-01-01\n", Job{ExportID: "e2"})
	if res.Status != StatusSkipped {
		t.Errorf("same export again: got status %s, want skipped", res.Status)
	}
	if got := e.rows(t, "orders", "id"); len(got) != 1 || got[0][1] != "Zed" {
		t.Errorf("got %v after a skipped load, want it unchanged", got)
	}
	_ = context.Background
	_ = errors.New
	_ = strings.Repeat
}
