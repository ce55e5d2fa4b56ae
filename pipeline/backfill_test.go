package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract/simulator"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// backfillScale is the generated sales_order's row count in the backfill
// tests.
const backfillScale = 150

// export is an export made by a test, with the data it holds.
type madeExport struct {
	id   string
	at   time.Time
	data simulator.Table // the sales_order it was made from
}

// mustExportAt makes the simulator serve the warehouse of seed (completing
// an update cycle when it changes) and exports sales_order at the given
// time, waiting for the export.
func mustExportAt(t *testing.T, e *env, clock *fakeClock, at time.Time, seed int64) madeExport {
	t.Helper()
	clock.Set(at)
	e.complete(t, simulator.Generated(backfillScale, seed))
	ctx := context.Background()
	exp, err := e.client.CreateTableExport(ctx, "1")
	if err != nil {
		t.Fatalf("CreateTableExport: %v", err)
	}
	if _, err := e.client.WaitExport(ctx, exp.ID); err != nil {
		t.Fatalf("WaitExport: %v", err)
	}
	return madeExport{id: string(exp.ID), at: at, data: e.tables[0]}
}

// mustExportIDs checks the export ids of a backfill's report entries and
// their statuses, in order.
func mustReportSeries(t *testing.T, rep *Report, want []madeExport, statuses []string) {
	t.Helper()
	if len(rep.Tables) != len(want) {
		t.Fatalf("report entries: got %d, want %d", len(rep.Tables), len(want))
	}
	for i, tr := range rep.Tables {
		if tr.ExportID != want[i].id || tr.Status != statuses[i] {
			t.Errorf("entry %d: got export %s %s, want %s %s (%s)", i, tr.ExportID, tr.Status, want[i].id, statuses[i], tr.Error)
		}
	}
}

// TestBackfill loads a series of exports of sales_order, each made from
// different data and created out of id order, in chronological order:
// snapshot mode appends each to sales_order_history with its export id and
// time, idempotently; merge mode leaves the newest export's data, and skips
// exports older than the table's latest load.
func TestBackfill(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	base := clock.Now().Add(-6 * time.Hour)
	e := newEnv(t, simulator.Config{Tables: simulator.Generated(backfillScale, 1), Now: clock.Now})
	ctx := context.Background()

	// Made out of chronological order: ids a < b < c, times b < c < a.
	a := mustExportAt(t, e, clock, base.Add(2*time.Hour), 1)
	b := mustExportAt(t, e, clock, base, 2)
	c := mustExportAt(t, e, clock, base.Add(time.Hour), 3)
	clock.Set(base.Add(2 * time.Hour))
	if _, err := e.client.CreateTableExport(ctx, "3"); err != nil { // customer_entity: not selected
		t.Fatal(err)
	}
	chrono := []madeExport{b, c, a}
	bo := BackfillOptions{Options: e.opts()}
	bo.Tables = []string{"sales_order"}
	tbl := mustResolve(t, a.data, e.tables, schema.Options{})
	cols := make([]string, len(tbl.Fields))
	for i, f := range tbl.Fields {
		cols[i] = schema.Quote(f.Name)
	}
	hist := schema.Quote(e.target, load.HistoryTableName(tbl.Name))

	t.Run("snapshot", func(t *testing.T) {
		bo := bo
		bo.Mode = load.ModeSnapshot
		rep, err := e.runner.Backfill(ctx, bo)
		if err != nil || rep.Status != RunSucceeded {
			t.Fatalf("Backfill: got %v, status %q %v", err, rep.Status, failures(rep))
		}
		mustReportSeries(t, rep, chrono, []string{StatusLoaded, StatusLoaded, StatusLoaded})
		for _, x := range chrono {
			ref := e.mustRef(t, tbl, refName(), mustCSV(t, x.data))
			mustSameRows(t, e.pool, "export "+x.id, "SELECT "+strings.Join(cols, ", ")+" FROM "+hist+" WHERE _export_id = '"+x.id+"'", "TABLE "+ref)
			at := mustScalar[string](t, e.pool, "SELECT string_agg(DISTINCT _exported_at::text, ',') FROM "+hist+" WHERE _export_id = $1", x.id)
			if want := x.at.UTC().Format("2006-01-02 15:04:05"); at != want {
				t.Errorf("export %s: _exported_at got %s, want %s", x.id, at, want)
			}
		}
		order := mustScalar[string](t, e.pool, "SELECT string_agg(export_id, ',' ORDER BY id) FROM "+schema.Quote(e.ledger, "loads")+
			" WHERE status = 'loaded'")
		if want := b.id + "," + c.id + "," + a.id; order != want {
			t.Errorf("ledger order: got %s, want %s", order, want)
		}
		if tableExists(t, e.pool, e.target, "customer_entity_history") {
			t.Error("customer_entity_history exists, want only the selected table backfilled")
		}

		loads := e.ledgerCount(t, "")
		rec := newRecorder()
		e.runner.Observer = rec
		defer func() { e.runner.Observer = nil }()
		rep, err = e.runner.Backfill(ctx, bo)
		if err != nil || rep.Status != RunSucceeded {
			t.Fatalf("second Backfill: got %v, status %q %v", err, rep.Status, failures(rep))
		}
		mustReportSeries(t, rep, chrono, []string{StatusSkipped, StatusSkipped, StatusSkipped})
		if got := rec.count(StageDownload); got != 0 {
			t.Errorf("downloads of a re-run: got %d, want none", got)
		}
		if got := e.ledgerCount(t, ""); got != loads {
			t.Errorf("ledger rows: got %d, want %d as before", got, loads)
		}
		if tr := rep.Tables[0]; tr.TargetTable != load.HistoryTableName(tbl.Name) {
			t.Errorf("skipped entry's target: got %q, want %q", tr.TargetTable, load.HistoryTableName(tbl.Name))
		}
	})

	t.Run("merge", func(t *testing.T) {
		bo := bo
		bo.Mode = load.ModeMerge
		rep, err := e.runner.Backfill(ctx, bo)
		if err != nil || rep.Status != RunSucceeded {
			t.Fatalf("Backfill: got %v, status %q %v", err, rep.Status, failures(rep))
		}
		mustReportSeries(t, rep, chrono, []string{StatusLoaded, StatusLoaded, StatusLoaded})
		ref := e.mustRef(t, tbl, refName(), mustCSV(t, a.data))
		mustSameRows(t, e.pool, "after merging b, c, a", "TABLE "+schema.Quote(e.target, tbl.Name), "TABLE "+ref)

		// An export older than the latest load (a) is skipped; a newer one
		// is merged.
		d := mustExportAt(t, e, clock, base.Add(30*time.Minute), 4)
		f := mustExportAt(t, e, clock, base.Add(3*time.Hour), 5)
		rep, err = e.runner.Backfill(ctx, bo)
		if err != nil || rep.Status != RunSucceeded {
			t.Fatalf("second Backfill: got %v, status %q %v", err, rep.Status, failures(rep))
		}
		mustReportSeries(t, rep, []madeExport{b, d, c, a, f},
			[]string{StatusSkipped, StatusSkipped, StatusSkipped, StatusSkipped, StatusLoaded})
		for i := range 3 { // b, d, c: older than a
			if w := strings.Join(rep.Tables[i].Warnings, ";"); !strings.Contains(w, "older than") {
				t.Errorf("entry %d: got warnings %q, want one saying it is older", i, w)
			}
		}
		ref = e.mustRef(t, tbl, refName(), mustCSV(t, f.data))
		mustSameRows(t, e.pool, "after merging f", "TABLE "+schema.Quote(e.target, tbl.Name), "TABLE "+ref)
	})
}
