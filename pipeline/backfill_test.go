package pipeline

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
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
			if w := strings.Join(rep.Tables[i].Warnings, ";"); !strings.Contains(w, "not newer than") {
				t.Errorf("entry %d: got warnings %q, want one saying it is older", i, w)
			}
		}
		ref = e.mustRef(t, tbl, refName(), mustCSV(t, f.data))
		mustSameRows(t, e.pool, "after merging f", "TABLE "+schema.Quote(e.target, tbl.Name), "TABLE "+ref)
	})
}

// TestBackfillSeries checks which exports a backfill takes: Completed and
// not expired (expiry read on the account's clock), within the window (on
// the account's clock), grouped by table, oldest first.
func TestBackfillSeries(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	ts := func(s string) extract.Timestamp {
		v, err := extract.ParseTimestamp(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	exp := func(id, table, status, created, expires string) extract.Export {
		return extract.Export{ID: schema.ID(id), TableID: schema.ID(table), Status: extract.Status(status),
			CreatedAt: ts(created), ExpiresAt: ts(expires)}
	}
	exports := []extract.Export{
		exp("1", "1", "Completed", "2026-11-20 10:00:00", "2026-11-27 10:00:00"),
		exp("2", "1", "Completed", "2026-11-19 10:00:00", "2026-11-26 10:00:00"),
		exp("3", "1", "Error", "2026-11-21 10:00:00", "2026-11-28 10:00:00"),
		exp("4", "1", "Pending", "2026-11-22 10:00:00", "2026-11-29 10:00:00"),
		exp("5", "2", "Completed", "2026-11-22 10:00:00", ""),
		exp("6", "1", "Completed", "2026-11-26 07:00:00", "2026-11-26 09:00:00"),
	}
	// 13:00 UTC: 08:00 in New York.
	now := time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC)
	ids := func(list []extract.Export) string {
		var out []string
		for _, e := range list {
			out = append(out, string(e.ID))
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name         string
		since, until time.Time
		loc          *time.Location
		want         map[schema.ID]string
	}{
		{name: "UTC account: exports 2 and 6 expired", want: map[schema.ID]string{"1": "1", "2": "5"}},
		{name: "New York account: exports 2 and 6 expire later in UTC", loc: ny, want: map[schema.ID]string{"1": "2,1,6", "2": "5"}},
		{name: "since, on the account's clock", loc: ny, since: time.Date(2026, 11, 20, 0, 0, 0, 0, ny),
			want: map[schema.ID]string{"1": "1,6", "2": "5"}},
		{name: "until, inclusive", loc: ny, until: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), want: map[schema.ID]string{"1": "2,1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := backfillSeries(exports, BackfillOptions{Since: tt.since, Until: tt.until}, tt.loc, now)
			gotIDs := map[schema.ID]string{}
			for table, list := range got {
				gotIDs[table] = ids(list)
			}
			if !reflect.DeepEqual(gotIDs, tt.want) {
				t.Errorf("got %v, want %v", gotIDs, tt.want)
			}
		})
	}
}

// TestBackfillFiles loads local zip files of a table, oldest first by
// modification time: snapshot appends each once, with its digest as the
// export id and its time; merge leaves the newest file's data and skips a
// file not newer than the table's latest load.
func TestBackfillFiles(t *testing.T) {
	t.Parallel()
	e := fileEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	base := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	type file struct {
		path string
		at   time.Time
		gen  *magentogen.Table
	}
	mk := func(name string, seed int64, at time.Time) file {
		gen := magentogen.Find(magentogen.Warehouse(backfillScale, seed), "sales_order")
		// The entry records the export's time, as the API's zips do; the
		// file's mtime is set too, and must not be what orders them.
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "sales_order.csv", Method: zip.Deflate, Modified: at.UTC()})
		if err != nil {
			t.Fatal(err)
		}
		if err := gen.WriteCSV(ctx, w); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		path := mustWriteFile(t, dir, name, buf.Bytes())
		mtime := base.Add(-time.Duration(seed) * time.Hour) // c, b, a: not the export order
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return file{path, at, gen}
	}
	// Names in another order than times.
	a := mk("a.zip", 1, base.Add(2*time.Hour))
	b := mk("b.zip", 2, base)
	c := mk("c.zip", 3, base.Add(time.Hour))
	tbl, err := schema.NewTable("1", "sales_order", a.gen.Columns, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cols := strings.Join(tbl.ColumnNames(), ", ")
	refOf := func(f file) string {
		var buf bytes.Buffer
		if err := f.gen.WriteCSV(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		return e.mustRef(t, tbl, refName(), buf.Bytes())
	}
	statuses := func(rep *Report) string {
		var out []string
		for _, tr := range rep.Tables {
			out = append(out, tr.Status)
		}
		return strings.Join(out, ",")
	}
	files := []string{a.path, b.path, c.path}

	opts := Options{Mode: load.ModeSnapshot}
	rep, err := e.runner.BackfillFiles(ctx, opts, tbl, files)
	if err != nil || rep.Status != RunSucceeded || statuses(rep) != "loaded,loaded,loaded" {
		t.Fatalf("BackfillFiles snapshot: got %v, %q %q %v", err, rep.Status, statuses(rep), failures(rep))
	}
	hist := schema.Quote(e.target, "sales_order_history")
	for i, f := range []file{b, c, a} {
		if rep.Tables[i].File != f.path || rep.Tables[i].Source != "sales_order" {
			t.Errorf("entry %d: got file %q source %q, want %s of sales_order (oldest first)", i, rep.Tables[i].File, rep.Tables[i].Source, f.path)
		}
		at := f.at.UTC().Format("2006-01-02 15:04:05")
		mustSameRows(t, e.pool, f.path, "SELECT "+cols+" FROM "+hist+" WHERE _exported_at = '"+at+"'", "TABLE "+refOf(f))
	}
	ids := mustScalar[int64](t, e.pool, "SELECT count(DISTINCT _export_id) FROM "+hist+" WHERE _export_id LIKE 'sha256:%'")
	if ids != 3 {
		t.Errorf("distinct sha256 export ids: got %d, want 3", ids)
	}
	rep, err = e.runner.BackfillFiles(ctx, opts, tbl, files)
	if err != nil || statuses(rep) != "skipped,skipped,skipped" {
		t.Errorf("BackfillFiles snapshot again: got %v, %q", err, statuses(rep))
	}

	opts.Mode = load.ModeMerge
	rep, err = e.runner.BackfillFiles(ctx, opts, tbl, []string{a.path, c.path})
	if err != nil || statuses(rep) != "loaded,loaded" {
		t.Fatalf("BackfillFiles merge: got %v, %q %v", err, statuses(rep), failures(rep))
	}
	mustSameRows(t, e.pool, "after merging c, a", "TABLE "+schema.Quote(e.target, "sales_order"), "TABLE "+refOf(a))
	rep, err = e.runner.BackfillFiles(ctx, opts, tbl, []string{b.path})
	if err != nil || statuses(rep) != "skipped" || !strings.Contains(strings.Join(rep.Tables[0].Warnings, ";"), "not newer") {
		t.Errorf("BackfillFiles merge of an older file: got %v, %q %v", err, statuses(rep), rep.Tables)
	}
	mustSameRows(t, e.pool, "after the older file", "TABLE "+schema.Quote(e.target, "sales_order"), "TABLE "+refOf(a))
}
