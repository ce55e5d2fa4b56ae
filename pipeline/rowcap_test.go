package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

func TestRowCapChecks(t *testing.T) {
	const rowCap = 100
	tests := []struct {
		name         string
		listed, rows int64
		wantListed   bool // checkListedRows fails
		wantRows     bool // the export's row check fails
	}{
		{name: "well under the cap", listed: 10, rows: 10},
		{name: "grew a little since listing", listed: 10, rows: 12},
		{name: "exactly the cap, listed so", listed: 100, rows: 100},
		{name: "listed above the cap", listed: 101, rows: 100, wantListed: true, wantRows: true},
		{name: "at the cap, listed below it", listed: 99, rows: 100, wantRows: true},
		{name: "at the cap, count unknown", listed: -1, rows: 100, wantRows: true},
		{name: "above the cap (a vendor that does not cap)", listed: 101, rows: 101, wantListed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := extract.Table{Name: "sales_order", RowCount: schema.Count(tt.listed)}
			err := checkListedRows(tbl, rowCap)
			if got := err != nil; got != tt.wantListed || got && !errors.Is(err, ErrExportCap) {
				t.Errorf("checkListedRows: got %v, want failure %v (ErrExportCap)", err, tt.wantListed)
			}
			err = exportRowCheck(tbl, rowCap)(tt.rows)
			if got := err != nil; got != tt.wantRows || got && !errors.Is(err, ErrExportCap) {
				t.Errorf("export row check: got %v, want failure %v (ErrExportCap)", err, tt.wantRows)
			}
			if err != nil && !strings.Contains(err.Error(), `"sales_order"`) {
				t.Errorf("error %q does not name the table", err)
			}
		})
	}
}

// TestSyncExportRowCap runs the Export API's row cap end to end: a table
// the API lists above the cap fails before any export is created, and an
// export holding exactly the cap while the listing says otherwise (the
// listing lags a table that grew past the cap, or the export was cut
// short) is not published. Either way the published table keeps its
// previous contents and the ledger records the failure; an export of
// exactly the cap that the listing agrees with loads.
func TestSyncExportRowCap(t *testing.T) {
	t.Parallel()
	var understate atomic.Bool
	var sim http.Handler
	// The front lowers every row count of the table list by one while
	// understate is set.
	front := func(w http.ResponseWriter, r *http.Request) bool {
		if !understate.Load() || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/table") {
			return false
		}
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, r)
		var list struct {
			Tables []map[string]any `json:"tables"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Tables) == 0 {
			t.Errorf("table list %q: %v", rec.Body.String(), err)
			return false
		}
		for _, tb := range list.Tables {
			tb["row_count"] = tb["row_count"].(float64) - 1
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(list); err != nil {
			t.Errorf("encode table list: %v", err)
		}
		return true
	}
	e := newEnvFront(t, simulator.Config{Tables: simulator.Generated(100, 1)}, front)
	sim = e.sim
	ctx := context.Background()
	if rep, err := e.runner.Sync(ctx, e.opts()); err != nil || rep.Failed() != 0 {
		t.Fatalf("first Sync: got %v with failures %v, want none", err, failures(rep))
	}
	digest := func() string {
		return mustScalar[string](t, e.pool, "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM "+
			schema.Quote(e.target, "sales_order")+" t")
	}
	before := digest()
	next := simulator.Generated(100, 2)
	e.complete(t, next)
	var rows int64
	for _, tb := range next {
		if tb.Name == "sales_order" {
			rows = tb.Rows
		}
	}

	tests := []struct {
		name       string
		rowCap     int64
		understate bool
		wantErr    string // "" means it loads
		wantCreate int
	}{
		{name: "listed above the cap", rowCap: rows - 1, wantErr: "more than the", wantCreate: 0},
		{name: "export at the cap, listed below it", rowCap: rows, understate: true, wantErr: "may have been cut short", wantCreate: 1},
		{name: "export at the cap, listed so", rowCap: rows, wantCreate: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			understate.Store(tt.understate)
			defer understate.Store(false)
			opts := e.opts()
			opts.Tables, opts.exportRowCap = []string{"sales_order"}, tt.rowCap
			creates := e.requests.createCount()
			rep, err := e.runner.Sync(ctx, opts)
			if err != nil || len(rep.Tables) != 1 {
				t.Fatalf("Sync: got %v with %d entries, want 1 entry", err, len(rep.Tables))
			}
			if got := e.requests.createCount() - creates; got != tt.wantCreate {
				t.Errorf("exports created: got %d, want %d", got, tt.wantCreate)
			}
			tr := rep.Tables[0]
			last := mustLastLoad(t, e.loader, "sales_order")
			if tt.wantErr == "" {
				if tr.Status != StatusLoaded || tr.RowsRead != rows {
					t.Fatalf("got %s (%s) with %d rows, want loaded with %d", tr.Status, tr.Error, tr.RowsRead, rows)
				}
				if digest() == before {
					t.Errorf("sales_order still holds the first update's rows, want the second's")
				}
				if got := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+schema.Quote(e.target, "sales_order")); got != rows {
					t.Errorf("sales_order rows: got %d, want %d", got, rows)
				}
				return
			}
			if tr.Status != StatusFailed || !strings.Contains(tr.Error, tt.wantErr) || !strings.Contains(tr.Error, ErrExportCap.Error()) {
				t.Errorf("got %s (%s), want failed with %q", tr.Status, tr.Error, tt.wantErr)
			}
			if got := digest(); got != before {
				t.Errorf("sales_order changed (digest %s, want %s): the previous contents must stay", got, before)
			}
			if last.Status != load.StatusFailed || !strings.Contains(last.Error, tt.wantErr) {
				t.Errorf("ledger's last sales_order load: got %s (%s), want failed with %q", last.Status, last.Error, tt.wantErr)
			}
		})
	}
}

// mustLastLoad returns the ledger's newest load of target.
func mustLastLoad(t testing.TB, l *load.Loader, target string) load.LedgerEntry {
	t.Helper()
	hist, err := l.History(context.Background(), 100)
	if err != nil {
		t.Fatalf("History: %v", err)
	}
	for _, le := range hist {
		if le.TargetTable == target {
			return le
		}
	}
	t.Fatalf("no load of %s in the ledger", target)
	return load.LedgerEntry{}
}
