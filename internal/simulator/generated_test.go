package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
)

func TestGeneratedWarehouse(t *testing.T) {
	const scale, seed = 300, 5
	_, ts := mustServer(t, simulator.Config{Tables: simulator.Generated(scale, seed)})
	gen := magentogen.Find(magentogen.Warehouse(scale, seed), "sales_order")
	var want bytes.Buffer
	if err := gen.WriteCSV(context.Background(), &want); err != nil {
		t.Fatal(err)
	}

	d := mustCreateExport(t, ts, string(gen.ID))
	id := idText(d["export_id"])
	info := mustWaitStatus(t, ts, id, "Completed")
	if got := idText(info["row_count"]); got != strconv.Itoa(scale) {
		t.Errorf("got row_count %s, want %d", got, scale)
	}
	_, got := mustUnzipOne(t, do(t, ts, http.MethodGet, "/0.1/export/"+id, nil).body)
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("got %d bytes of csv, want the generator's %d bytes", len(got), want.Len())
	}

	// Revenue by Month adds up to the sum of grand_total over all orders.
	recs := mustReadCSV(t, want.Bytes())
	col := -1
	for i, h := range recs[0] {
		if h == "grand_total" {
			col = i
		}
	}
	var wantCents int64
	for _, rec := range recs[1:] {
		whole, frac, _ := strings.Cut(rec[col], ".")
		w, _ := strconv.ParseInt(whole, 10, 64)
		f, _ := strconv.ParseInt((frac + "0000")[:2], 10, 64)
		if strings.HasPrefix(whole, "-") {
			f = -f
		}
		wantCents += w*100 + f
	}
	r := do(t, ts, http.MethodPost, "/0.1/figure/360531/export", url.Values{"format": {"json"}})
	var gotCents, gotOrders int64
	for _, item := range mustList(t, r.body, "rows") {
		row := item.([]any)
		whole, frac, _ := strings.Cut(idText(row[1]), ".")
		w, _ := strconv.ParseInt(whole, 10, 64)
		f, _ := strconv.ParseInt(frac, 10, 64)
		gotCents += w*100 + f
		n, _ := row[2].(json.Number).Int64()
		gotOrders += n
	}
	if gotOrders != scale {
		t.Errorf("got %d orders in the figure, want %d", gotOrders, scale)
	}
	if gotCents != wantCents {
		t.Errorf("got revenue %d cents, want %d", gotCents, wantCents)
	}
}
