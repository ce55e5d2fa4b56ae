package simulator_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

func TestExportLifeCycle(t *testing.T) {
	clock := newFakeClock()
	_, ts := mustServer(t, simulator.Config{
		Now: clock.Now, ExportDelay: time.Minute, ExportTTL: 24 * time.Hour, FirstExportID: 51,
	})
	d := mustCreateExport(t, ts, "3")
	wantDesc := map[string]string{
		"export_id": "51", "name": "sales_order 2026-11-26 02:00:04", "client_id": "12", "table_id": "3",
		"status": "Pending", "created_at": "2026-11-26 02:00:04", "expires_at": "2026-11-27 02:00:04", "row_count": "5",
	}
	for k, want := range wantDesc {
		if got := idText(d[k]); got != want {
			t.Errorf("got %s %q, want %q", k, got, want)
		}
	}
	if d["completed_at"] != nil {
		t.Errorf("got completed_at %v, want null while Pending", d["completed_at"])
	}

	steps := []struct {
		name         string
		advance      time.Duration
		wantStatus   string
		wantDownload int
	}{
		{name: "pending before the delay", advance: 0, wantStatus: "Pending", wantDownload: http.StatusNotFound},
		{name: "still pending just before", advance: 59 * time.Second, wantStatus: "Pending", wantDownload: http.StatusNotFound},
		{name: "completed after the delay", advance: time.Second, wantStatus: "Completed", wantDownload: http.StatusOK},
		{name: "still there before expiry", advance: 23*time.Hour + 58*time.Minute, wantStatus: "Completed", wantDownload: http.StatusOK},
		{name: "gone after expiry", advance: time.Minute, wantStatus: "Completed", wantDownload: http.StatusGone},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clock.Advance(st.advance)
			if st.wantStatus == "Completed" {
				mustWaitStatus(t, ts, "51", "Completed") // the zip may still be building
			}
			info := mustObject(t, do(t, ts, http.MethodGet, "/0.1/export/51/info", nil).body)
			if info["status"] != st.wantStatus {
				t.Errorf("got status %v, want %s", info["status"], st.wantStatus)
			}
			r := do(t, ts, http.MethodGet, "/0.1/export/51", nil)
			if r.status != st.wantDownload {
				t.Fatalf("got download %d %s, want %d", r.status, r.body, st.wantDownload)
			}
			if st.wantDownload == http.StatusOK {
				if got := info["completed_at"]; got != "2026-11-26 02:01:04" {
					t.Errorf("got completed_at %v, want 2026-11-26 02:01:04", got)
				}
				if got := r.header.Get("Content-Length"); got != strconv.Itoa(len(r.body)) {
					t.Errorf("got Content-Length %s, want %d", got, len(r.body))
				}
			}
		})
	}

	t.Run("copy of an expired export", func(t *testing.T) {
		r := do(t, ts, http.MethodPost, "/0.1/export/51/copy", url.Values{"name": {"New Copied Export"}})
		if r.status != http.StatusCreated {
			t.Fatalf("got %d %s, want 201", r.status, r.body)
		}
		c := mustObject(t, r.body)
		if got := idText(c["export_id"]); got != "52" {
			t.Errorf("got id %s, want 52", got)
		}
		if c["name"] != "New Copied Export" || idText(c["table_id"]) != "3" || c["status"] != "Pending" {
			t.Errorf("got %v, want a Pending copy of table 3 named New Copied Export", c)
		}
		clock.Advance(time.Minute)
		mustWaitStatus(t, ts, "52", "Completed")
		name, _ := mustUnzipOne(t, do(t, ts, http.MethodGet, "/0.1/export/52", nil).body)
		if name != "New Copied Export.csv" {
			t.Errorf("got entry %q, want New Copied Export.csv", name)
		}
	})
}

func TestExportZipHoldsTheTableCSV(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{})
	for _, tc := range []struct{ name, table, file string }{
		{name: "hostile names and quoting", table: "1", file: "customers.csv"},
		{name: "utf-8 and a hostile table name", table: "2", file: "orders_~_line_items-mps.csv"},
		{name: "sales order", table: "3", file: "sales_order.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := os.ReadFile("testdata/warehouse/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 { // the second export reuses the cached compressed bytes
				d := mustCreateExport(t, ts, tc.table)
				id := idText(d["export_id"])
				mustWaitStatus(t, ts, id, "Completed")
				name, got := mustUnzipOne(t, do(t, ts, http.MethodGet, "/0.1/export/"+id, nil).body)
				if name != d["name"].(string)+".csv" {
					t.Errorf("export %d: got entry %q, want %q", i, name, d["name"].(string)+".csv")
				}
				if string(got) != string(want) {
					t.Errorf("export %d: got csv %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestExportErrors(t *testing.T) {
	huge := memTable("7", "huge", "a\n1\n")
	huge.Rows = simulator.MaxExportRows + 1
	tests := []struct {
		name  string
		cfg   simulator.Config
		table string
	}{
		{name: "injected error", cfg: simulator.Config{ExportErrorRate: 1}, table: "3"},
		{name: "above the row cap", cfg: simulator.Config{Tables: []simulator.Table{huge}}, table: "7"},
		{name: "generation fails", cfg: simulator.Config{Tables: []simulator.Table{failingTable("9")}}, table: "9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := mustServer(t, tt.cfg)
			id := idText(mustCreateExport(t, ts, tt.table)["export_id"])
			mustWaitStatus(t, ts, id, "Error")
			if r := do(t, ts, http.MethodGet, "/0.1/export/"+id, nil); r.status != http.StatusNotFound {
				t.Errorf("got download %d, want 404 for an export in Error", r.status)
			}
		})
	}
}

func TestConcurrentExportsBuildOnce(t *testing.T) {
	tbl := countingTable("5", "counted", 1000)
	_, ts := mustServer(t, simulator.Config{Tables: []simulator.Table{tbl.Table}})
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Go(func() { ids[i] = idText(mustCreateExport(t, ts, "5")["export_id"]) })
	}
	wg.Wait()
	close(tbl.gate) // every export was asked for while the CSV was being generated
	var first []byte
	for _, id := range ids {
		mustWaitStatus(t, ts, id, "Completed")
		_, got := mustUnzipOne(t, do(t, ts, http.MethodGet, "/0.1/export/"+id, nil).body)
		if first == nil {
			first = got
		}
		if string(got) != string(first) {
			t.Errorf("export %s: csv differs from the first export's", id)
		}
	}
	if n := tbl.calls.Load(); n != 1 {
		t.Errorf("got %d CSV generations, want 1", n)
	}
}

// countedTable is a table that counts how often its CSV is generated. A
// generation waits for gate to be closed before it writes.
type countedTable struct {
	simulator.Table
	calls *atomic.Int64
	gate  chan struct{}
}

func countingTable(id, name string, rows int) countedTable {
	calls, gate := new(atomic.Int64), make(chan struct{})
	return countedTable{
		calls: calls,
		gate:  gate,
		Table: simulator.Table{
			ID: schema.ID(id), Name: name, Rows: int64(rows),
			Columns: []schema.Column{{Name: "n", Type: "Integer"}, {Name: "s", Type: "String"}},
			WriteCSV: func(ctx context.Context, w io.Writer) error {
				calls.Add(1)
				select {
				case <-gate:
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(30 * time.Second):
					return errors.New("the test never opened the gate")
				}
				if _, err := io.WriteString(w, "n,s\n"); err != nil {
					return err
				}
				for i := range rows {
					if _, err := io.WriteString(w, strconv.Itoa(i)+",\"x,\"\"y\"\"\"\n"); err != nil {
						return err
					}
				}
				return nil
			},
		},
	}
}

func failingTable(id string) simulator.Table {
	return simulator.Table{
		ID: schema.ID(id), Name: "failing", Rows: -1,
		Columns: []schema.Column{{Name: "a", Type: "Integer"}},
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, "a\n1\n")
			return io.ErrUnexpectedEOF
		},
	}
}

func TestExportCountedAboveTheRowCap(t *testing.T) {
	// Rows unknown (-1): the cap is found by counting while building.
	_, ts := mustServer(t, simulator.Config{RowCap: 2, Tables: []simulator.Table{memTable("4", "three", "n\n1\n2\n3\n")}})
	id := idText(mustCreateExport(t, ts, "4")["export_id"])
	info := mustWaitStatus(t, ts, id, "Error")
	if got := idText(info["row_count"]); got != "3" {
		t.Errorf("got row_count %s, want 3", got)
	}
}

func TestZipEntryHeader(t *testing.T) {
	clock := newFakeClock()
	_, ts := mustServer(t, simulator.Config{Now: clock.Now, FirstExportID: 51})
	mustCreateExport(t, ts, "2")
	if r := do(t, ts, http.MethodPost, "/0.1/export/51/copy", url.Values{"name": {"Verkäufe/2026"}}); r.status != http.StatusCreated {
		t.Fatalf("copy: got %d, want 201", r.status)
	}
	mustWaitStatus(t, ts, "52", "Completed")
	data := do(t, ts, http.MethodGet, "/0.1/export/52", nil).body
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	f := zr.File[0]
	if f.Name != "Verkäufe_2026.csv" || f.Flags&0x800 == 0 {
		t.Errorf("got entry %q flags %#x, want Verkäufe_2026.csv with the UTF-8 flag", f.Name, f.Flags)
	}
	if want := clock.Now(); !f.Modified.Equal(want) {
		t.Errorf("got modified %v, want %v", f.Modified, want)
	}
	if f.Method != zip.Deflate {
		t.Errorf("got method %d, want deflate", f.Method)
	}
}
