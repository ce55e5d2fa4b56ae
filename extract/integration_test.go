package extract_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// tourResult is everything a tour of the API through the client returned.
type tourResult struct {
	Tables             []extract.Table
	Columns            [][]schema.Column
	ByName, ByID       extract.Table
	Figures            []extract.Figure
	Figure             extract.Figure
	Charts             []extract.Chart
	Chart              extract.Chart
	Reports            map[string]string // "figure csv" → body
	Status             extract.UpdateStatus
	Created, Done      extract.Export
	Copied, CopyDone   extract.Export
	Exports            []extract.Export
	Entry, CopyEntry   string
	CSV                string
	SHA256, CopySHA256 string
}

// tourNoise is what a tour met that depends on timing and faults, kept
// apart from the comparable [tourResult].
type tourNoise struct {
	// Resumes counts the downloads' resumes.
	Resumes int
	// FirstStatus and CopyFirst are the statuses of the new export and the
	// copy when created: Pending or, for a tiny table built at once,
	// already Completed (then with a completed_at, also left out).
	FirstStatus, CopyFirst extract.Status
}

// tour calls every endpoint through the client: tables, columns, table
// lookup, figures and charts (info and both formats), the update status,
// then creates, waits for, copies, lists and downloads exports of
// sales_order.
func tour(t testing.TB, c *extract.Client) (tourResult, tourNoise) {
	t.Helper()
	ctx := context.Background()
	var r tourResult
	var n tourNoise
	var err error
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	r.Tables, err = c.Tables(ctx)
	check("Tables", err)
	for _, tb := range r.Tables {
		cols, err := c.Columns(ctx, tb.ID)
		check("Columns "+string(tb.ID), err)
		r.Columns = append(r.Columns, cols)
	}
	r.ByName, err = c.FindTable(ctx, "orders_~_line_items-mps")
	check("FindTable by name", err)
	r.ByID, err = c.FindTable(ctx, "1")
	check("FindTable by id", err)

	r.Figures, err = c.Figures(ctx)
	check("Figures", err)
	r.Figure, err = c.Figure(ctx, schema.ID(fmt.Sprint(simulator.FigureRevenueByMonth)))
	check("Figure", err)
	r.Charts, err = c.Charts(ctx)
	check("Charts", err)
	r.Chart, err = c.Chart(ctx, schema.ID(fmt.Sprint(simulator.ChartCustomerCohorts)))
	check("Chart", err)
	r.Reports = map[string]string{}
	for _, f := range []struct {
		kind    string
		format  extract.Format
		headers bool
	}{{"figure", extract.FormatCSV, true}, {"figure", extract.FormatCSV, false}, {"figure", extract.FormatJSON, false},
		{"chart", extract.FormatCSV, true}, {"chart", extract.FormatJSON, true}} {
		key := fmt.Sprintf("%s %s headers=%t", f.kind, f.format, f.headers)
		if f.kind == "figure" {
			body, err := c.ExportFigure(ctx, schema.ID(fmt.Sprint(simulator.FigureRevenueByMonth)), f.format, f.headers)
			r.Reports[key] = readAll(t, body, err)
		} else {
			body, err := c.ExportChart(ctx, schema.ID(fmt.Sprint(simulator.ChartCustomerCohorts)), f.format, f.headers)
			r.Reports[key] = readAll(t, body, err)
		}
	}
	r.Status, err = c.FullUpdateStatus(ctx)
	check("FullUpdateStatus", err)

	r.Created, err = c.CreateTableExport(ctx, r.ByID.ID)
	check("CreateTableExport", err)
	r.Done, err = c.WaitExport(ctx, r.Created.ID)
	check("WaitExport", err)
	r.Copied, err = c.CopyExport(ctx, r.Done.ID, "copied export")
	check("CopyExport", err)
	r.CopyDone, err = c.WaitExport(ctx, r.Copied.ID)
	check("WaitExport of the copy", err)
	r.Exports, err = c.Exports(ctx)
	check("Exports", err)

	dl, entry, content := mustDownload(t, c, r.Done.ID)
	r.Entry, r.CSV, r.SHA256 = entry, content, dl.SHA256
	dl2, entry2, _ := mustDownload(t, c, r.CopyDone.ID)
	r.CopyEntry, r.CopySHA256 = entry2, dl2.SHA256
	n.Resumes = dl.Resumes + dl2.Resumes

	n.FirstStatus, r.Created.Status, r.Created.CompletedAt = r.Created.Status, "", extract.Timestamp{}
	n.CopyFirst, r.Copied.Status, r.Copied.CompletedAt = r.Copied.Status, "", extract.Timestamp{}
	return r, n
}

// tourDiff names the fields of two tour results that differ, with a short
// view of each value.
func tourDiff(got, want tourResult) []string {
	var out []string
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			short := func(v any) string { s := fmt.Sprintf("%+v", v); return s[:min(len(s), 300)] }
			out = append(out, fmt.Sprintf("%s: got %s, want %s", gv.Type().Field(i).Name, short(g), short(w)))
		}
	}
	return out
}

// TestIntegrationEndpoints tours every endpoint against the simulator with
// canonical shapes and checks each answer against the generated warehouse.
func TestIntegrationEndpoints(t *testing.T) {
	clock := newSimClock()
	env := mustSim(t, simulator.Config{Now: clock.Now}, nil)
	r, noise := tour(t, env.c)
	gen := simulator.Generated(simScale, 1)

	t.Run("tables", func(t *testing.T) {
		if len(r.Tables) != len(gen) {
			t.Fatalf("tables: got %d, want %d", len(r.Tables), len(gen))
		}
		for i, g := range gen {
			want := extract.Table{ID: g.ID, Name: g.Name, RowCount: schema.Count(g.Rows)}
			if r.Tables[i] != want {
				t.Errorf("table %d: got %+v, want %+v", i, r.Tables[i], want)
			}
			if !reflect.DeepEqual(r.Columns[i], g.Columns) {
				t.Errorf("columns of %s: got %+v, want %+v", g.Name, r.Columns[i], g.Columns)
			}
		}
		if r.ByName.ID != "5" || r.ByID.Name != "sales_order" {
			t.Errorf("FindTable: got %+v and %+v, want id 5 and sales_order", r.ByName, r.ByID)
		}
	})
	t.Run("figures and charts", func(t *testing.T) {
		wantFigs := []extract.Figure{
			{ID: "360531", Name: "Revenue by Month", Type: "visual", OwnerEmail: "analyst@example.com"},
			{ID: "360532", Name: "Orders by Status (SQL)", Type: "sql", OwnerEmail: "dba@example.com"},
		}
		if !reflect.DeepEqual(r.Figures, wantFigs) {
			t.Errorf("figures: got %+v, want %+v", r.Figures, wantFigs)
		}
		if r.Figure != wantFigs[0] {
			t.Errorf("figure: got %+v, want %+v", r.Figure, wantFigs[0])
		}
		wantChart := extract.Chart{ID: "2038112", Name: "Customer cohorts", OwnerEmail: "analyst@example.com"}
		if len(r.Charts) != 1 || r.Charts[0] != wantChart || r.Chart != wantChart {
			t.Errorf("charts: got %+v and %+v, want [%+v]", r.Charts, r.Chart, wantChart)
		}
		figCSV := mustRecords(t, r.Reports["figure csv headers=true"])
		if got := strings.Join(figCSV[0], ","); got != "month,revenue,orders" || len(figCSV) < 2 {
			t.Errorf("figure csv: got header %q and %d records, want month,revenue,orders and data", got, len(figCSV))
		}
		if got := mustRecords(t, r.Reports["figure csv headers=false"]); !reflect.DeepEqual(got, figCSV[1:]) {
			t.Errorf("figure csv without headers: got %d records, want the %d data records", len(got), len(figCSV)-1)
		}
		var figJSON struct {
			Columns []string `json:"columns"`
			Rows    [][]any  `json:"rows"`
		}
		if err := json.Unmarshal([]byte(r.Reports["figure json headers=false"]), &figJSON); err != nil {
			t.Fatalf("figure json: %v", err)
		}
		if !reflect.DeepEqual(figJSON.Columns, figCSV[0]) || len(figJSON.Rows) != len(figCSV)-1 {
			t.Errorf("figure json: got columns %q and %d rows, want %q and %d", figJSON.Columns, len(figJSON.Rows), figCSV[0], len(figCSV)-1)
		}
		if got := mustRecords(t, r.Reports["chart csv headers=true"])[0]; strings.Join(got, ",") != "cohort_month,customers,orders,revenue" {
			t.Errorf("chart csv header: got %q", got)
		}
		if !json.Valid([]byte(r.Reports["chart json headers=true"])) {
			t.Errorf("chart json: got %q, want JSON", r.Reports["chart json headers=true"])
		}
	})
	t.Run("update status", func(t *testing.T) {
		job := r.Status.LastCompletedUpdateJob
		if r.Status.ClientID != simClient || job == nil || job.Type.Name != "Full Update" ||
			job.Status.Name != "Completed Successfully" || !job.End.After(job.Start.Time) || r.Status.TimezoneAbbreviation != "UTC" {
			t.Errorf("update status: got %+v (job %+v)", r.Status, job)
		}
	})
	t.Run("exports", func(t *testing.T) {
		created := clock.Now()
		want := extract.Export{
			ID: "500", Name: "sales_order 2026-11-26 02:00:04", ClientID: simClient, TableID: "1",
			Status: extract.StatusCompleted, CreatedAt: extract.Timestamp{Time: created}, CompletedAt: extract.Timestamp{Time: created},
			ExpiresAt: extract.Timestamp{Time: created.Add(simulator.DefaultExportTTL)}, RowCount: simScale,
		}
		if r.Done != want {
			t.Errorf("export: got %+v, want %+v", r.Done, want)
		}
		for _, st := range []extract.Status{noise.FirstStatus, noise.CopyFirst} {
			if st != extract.StatusPending && st != extract.StatusCompleted {
				t.Errorf("new export status: got %q, want Pending (or Completed)", st)
			}
		}
		if r.Created.ID != "500" || r.Created.TableID != "1" {
			t.Errorf("created: got %+v, want id 500 of table 1", r.Created)
		}
		wantCopy := want
		wantCopy.ID, wantCopy.Name = "501", "copied export"
		if r.CopyDone != wantCopy {
			t.Errorf("copy: got %+v, want %+v", r.CopyDone, wantCopy)
		}
		if len(r.Exports) != 2 || r.Exports[0] != want || r.Exports[1] != wantCopy {
			t.Errorf("exports: got %+v, want [%+v %+v]", r.Exports, want, wantCopy)
		}
		if copies := env.net.exchanges("/export/500/copy"); len(copies) != 1 || copies[0].status != 201 {
			t.Errorf("copy answer: got %+v, want one 201", copies)
		}
		if creates := env.net.exchanges("/table/1/export"); len(creates) != 1 || creates[0].status != 201 {
			t.Errorf("create answer: got %+v, want one 201", creates)
		}
	})
	t.Run("download", func(t *testing.T) {
		if r.Entry != "sales_order 2026-11-26 02:00:04.csv" || r.CopyEntry != "copied export.csv" {
			t.Errorf("zip entries: got %q and %q", r.Entry, r.CopyEntry)
		}
		if want := mustTableCSV(t, "sales_order"); r.CSV != want {
			t.Errorf("csv: got %d bytes, want the generated %d bytes", len(r.CSV), len(want))
		}
		if recs := mustRecords(t, r.CSV); len(recs) != simScale+1 {
			t.Errorf("csv records: got %d, want %d and a header", len(recs), simScale)
		}
		if noise.Resumes != 0 {
			t.Errorf("resumes: got %d, want 0 without faults", noise.Resumes)
		}
	})
	t.Run("key not logged", func(t *testing.T) {
		for name, logs := range map[string]string{"client": env.log.String(), "simulator": env.simLog.String()} {
			if strings.Contains(logs, simKey) {
				t.Errorf("%s log holds the API key", name)
			}
		}
	})
}

// TestIntegrationQuirks tours the API with each lenient shape the contract
// allows switched on, and with all at once: the client must return exactly
// what it returns for the canonical shapes, and the CSV must differ only as
// the quirk says.
func TestIntegrationQuirks(t *testing.T) {
	run := func(t *testing.T, q simulator.Quirks) tourResult {
		env := mustSim(t, simulator.Config{Now: newSimClock().Now, Quirks: q}, nil)
		r, _ := tour(t, env.c)
		return r
	}
	canonical := run(t, simulator.Quirks{})
	all, err := simulator.ParseQuirks("all")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		quirks simulator.Quirks
	}{
		{name: "bare arrays", quirks: simulator.Quirks{BareArrays: true}},
		{name: "string ids", quirks: simulator.Quirks{StringIDs: true}},
		{name: "lowercase status", quirks: simulator.Quirks{LowercaseStatus: true}},
		{name: "extra fields", quirks: simulator.Quirks{ExtraFields: true}},
		{name: "crlf", quirks: simulator.Quirks{CRLF: true}},
		{name: "bom", quirks: simulator.Quirks{BOM: true}},
		{name: "ignore range", quirks: simulator.Quirks{IgnoreRange: true}},
		{name: "keyed reports", quirks: simulator.Quirks{KeyedReports: true}},
		{name: "legacy reports", quirks: simulator.Quirks{LegacyReports: true}},
		{name: "keyed legacy reports, bare", quirks: simulator.Quirks{KeyedReports: true, LegacyReports: true, BareArrays: true}},
		{name: "all", quirks: all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.quirks)
			want := canonical
			if tt.quirks.BOM != strings.HasPrefix(got.CSV, "\ufeff") {
				t.Errorf("csv starts %q, want a BOM only under the bom quirk", got.CSV[:min(len(got.CSV), 8)])
			}
			lines := func(s string) int { return strings.Count(s, "\r\n") }
			if tt.quirks.CRLF != (lines(got.CSV) > lines(want.CSV)+simScale/2) {
				t.Errorf("csv CRLF line ends: got %d, canonical %d, want many more only under the crlf quirk", lines(got.CSV), lines(want.CSV))
			}
			if !reflect.DeepEqual(mustRecords(t, got.CSV), mustRecords(t, want.CSV)) {
				t.Errorf("csv records differ from the canonical ones")
			}
			if tt.quirks.CRLF || tt.quirks.BOM {
				// The bytes differ by design; the records were compared.
				got.CSV, want.CSV = "", ""
				got.SHA256, want.SHA256, got.CopySHA256, want.CopySHA256 = "", "", "", ""
			}
			if tt.quirks.LegacyReports {
				// The older shape has no owners; everything else must agree.
				want.Figures, want.Charts = slices.Clone(want.Figures), slices.Clone(want.Charts)
				for i := range want.Figures {
					want.Figures[i].OwnerEmail = ""
				}
				for i := range want.Charts {
					want.Charts[i].OwnerEmail = ""
				}
				want.Figure.OwnerEmail, want.Chart.OwnerEmail = "", ""
			}
			for _, d := range tourDiff(got, want) {
				t.Errorf("differs from the canonical tour: %s", d)
			}
		})
	}
}

// TestIntegrationErrors provokes every error status the simulator answers
// (but 410 and 429, which have their own tests) and checks the sentinel, the
// status, a message that names the cause, and that no key is in the text.
func TestIntegrationErrors(t *testing.T) {
	const wrongKey = "sk-WRONGKEY-77aa-not-the-right-one"
	ctx := context.Background()
	tables := func(c *extract.Client) error { _, err := c.Tables(ctx); return err }
	tests := []struct {
		name     string
		sim      simulator.Config
		tune     func(*extract.Config)
		call     func(c *extract.Client) error
		wantErr  error
		status   int    // 0: not an HTTP answer
		wantText string // in the error text
	}{
		{
			name: "403 wrong key", tune: func(c *extract.Config) { c.APIKey = wrongKey }, call: tables,
			wantErr: extract.ErrForbidden, status: 403, wantText: "invalid API key",
		},
		{
			name: "403 IP not allowed", sim: simulator.Config{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, call: tables,
			wantErr: extract.ErrForbidden, status: 403, wantText: "IP address 127.0.0.1 is not allowed",
		},
		{
			name: "403 wrong client id", tune: func(c *extract.Config) { c.ClientID = "13" }, call: tables,
			wantErr: extract.ErrForbidden, status: 403, wantText: "not valid for client 13",
		},
		{
			name: "403 wrong client id on export", tune: func(c *extract.Config) { c.ClientID = "13" },
			call:    func(c *extract.Client) error { _, err := c.CreateTableExport(ctx, "1"); return err },
			wantErr: extract.ErrForbidden, status: 403, wantText: "allow-list",
		},
		{
			name: "403 wrong key on download", tune: func(c *extract.Config) { c.APIKey = wrongKey },
			call:    func(c *extract.Client) error { _, err := c.Download(ctx, "500", t.TempDir()); return err },
			wantErr: extract.ErrForbidden, status: 403, wantText: "download export 500",
		},
		{
			name: "404 export info", call: func(c *extract.Client) error { _, err := c.Export(ctx, "999"); return err },
			wantErr: extract.ErrNotFound, status: 404, wantText: "no export 999",
		},
		{
			name: "404 download of an unknown export", call: func(c *extract.Client) error { _, err := c.Download(ctx, "999", t.TempDir()); return err },
			wantErr: extract.ErrNotFound, status: 404, wantText: "not complete yet, or there is no such export",
		},
		{
			name: "404 download of a pending export", sim: simulator.Config{ExportDelay: time.Hour},
			call: func(c *extract.Client) error {
				exp, err := c.CreateTableExport(ctx, "3")
				if err != nil {
					return err
				}
				_, err = c.Download(ctx, exp.ID, t.TempDir())
				return err
			},
			wantErr: extract.ErrNotFound, status: 404, wantText: "is not complete (status Pending)",
		},
		{
			name: "404 columns", call: func(c *extract.Client) error { _, err := c.Columns(ctx, "99"); return err },
			wantErr: extract.ErrNotFound, status: 404, wantText: "no table 99",
		},
		{
			name: "404 figure", call: func(c *extract.Client) error { _, err := c.Figure(ctx, "1"); return err },
			wantErr: extract.ErrNotFound, status: 404, wantText: "no figure 1",
		},
		{
			name: "404 chart export", call: func(c *extract.Client) error { _, err := c.ExportChart(ctx, "1", extract.FormatCSV, true); return err },
			wantErr: extract.ErrNotFound, status: 404, wantText: "no chart 1",
		},
		{
			name: "404 copy", call: func(c *extract.Client) error { _, err := c.CopyExport(ctx, "999", ""); return err },
			wantErr: extract.ErrNotFound, status: 404, wantText: "copy export 999",
		},
		{
			name: "no table of that name", call: func(c *extract.Client) error { _, err := c.FindTable(ctx, "sales_flat_quote"); return err },
			wantErr: extract.ErrNotFound, wantText: "no table has that id or name",
		},
		{
			name: "400 SQL figure as json",
			call: func(c *extract.Client) error {
				_, err := c.ExportFigure(ctx, schema.ID(fmt.Sprint(simulator.FigureOrdersByStatus)), extract.FormatJSON, true)
				return err
			},
			wantErr: extract.ErrBadRequest, status: 400, wantText: "can only be exported as csv",
		},
		{
			name: "400 copy name too long",
			call: func(c *extract.Client) error {
				exp, err := c.CreateTableExport(ctx, "3")
				if err != nil {
					return err
				}
				_, err = c.CopyExport(ctx, exp.ID, strings.Repeat("n", 300))
				return err
			},
			wantErr: extract.ErrBadRequest, status: 400, wantText: "at most 255 bytes",
		},
		{
			name: "export ends in Error", sim: simulator.Config{ExportErrorRate: 1},
			call: func(c *extract.Client) error {
				exp, err := c.CreateTableExport(ctx, "3")
				if err != nil {
					return err
				}
				_, err = c.WaitExport(ctx, exp.ID)
				return err
			},
			wantErr: extract.ErrExportFailed, wantText: "its status is Error",
		},
		{
			name: "export above the row cap ends in Error", sim: simulator.Config{RowCap: 10},
			call: func(c *extract.Client) error {
				exp, err := c.CreateTableExport(ctx, "1")
				if err != nil {
					return err
				}
				_, err = c.WaitExport(ctx, exp.ID)
				return err
			},
			wantErr: extract.ErrExportFailed, wantText: "its status is Error",
		},
		{
			name: "410 when the export expires under the download", sim: simulator.Config{ExpireRate: 1},
			call: func(c *extract.Client) error {
				exp, err := c.CreateTableExport(ctx, "3")
				if err == nil {
					_, err = c.WaitExport(ctx, exp.ID)
				}
				if err == nil {
					_, err = c.Download(ctx, exp.ID, t.TempDir())
				}
				return err
			},
			wantErr: extract.ErrExpired, status: 410, wantText: "copy it or export the table again",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustSim(t, tt.sim, tt.tune)
			err := tt.call(env.c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tt.wantErr)
			}
			var apiErr *extract.APIError
			switch {
			case tt.status == 0 && errors.As(err, &apiErr):
				t.Errorf("err: got an HTTP %d answer, want none", apiErr.Status)
			case tt.status != 0 && !errors.As(err, &apiErr):
				t.Errorf("err: got %T, want an *extract.APIError", err)
			case tt.status != 0 && apiErr.Status != tt.status:
				t.Errorf("status: got %d, want %d", apiErr.Status, tt.status)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err: got %q, want it to hold %q", err, tt.wantText)
			}
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), env.log.String(), env.simLog.String()} {
				if strings.Contains(text, simKey) || strings.Contains(text, wrongKey) {
					t.Errorf("an API key leaked: %q", text)
				}
			}
			if tt.status == 403 {
				if !strings.Contains(err.Error(), "not in the key's allow-list") {
					t.Errorf("err: got %q, want the likely causes of a 403", err)
				}
				if n := len(env.net.exchanges("")); n != 1 {
					t.Errorf("requests: got %d, want 1 (a 403 is not retried)", n)
				}
			}
		})
	}
}

// TestIntegrationExpiry lets an export expire on the simulator's clock: its
// download answers 410, and RecreateExport copies it into a new export that
// downloads to the same data.
func TestIntegrationExpiry(t *testing.T) {
	ctx := context.Background()
	clock := newSimClock()
	env := mustSim(t, simulator.Config{Now: clock.Now, ExportTTL: 24 * time.Hour}, nil)
	exp := mustCompletedExport(t, env.c, "5")
	_, _, before := mustDownload(t, env.c, exp.ID)

	clock.Advance(24 * time.Hour)
	dir := t.TempDir()
	_, err := env.c.Download(ctx, exp.ID, dir)
	if !errors.Is(err, extract.ErrExpired) {
		t.Fatalf("download after expiry: got %v, want ErrExpired", err)
	}
	if !strings.Contains(err.Error(), "HTTP 410") || !strings.Contains(err.Error(), "expired") {
		t.Errorf("err: got %q, want it to say HTTP 410 and expired", err)
	}
	if gone := env.net.exchanges("/export/" + string(exp.ID)); gone[len(gone)-1].status != 410 || len(gone) != 2 {
		t.Errorf("download requests: got %+v, want one 200 then one 410 (not retried)", gone)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}

	fresh, err := env.c.RecreateExport(ctx, exp)
	if err != nil {
		t.Fatalf("RecreateExport: %v", err)
	}
	if fresh.ID == exp.ID || fresh.Status != extract.StatusCompleted || fresh.TableID != exp.TableID {
		t.Errorf("re-created: got %+v, want a new Completed export of table %s", fresh, exp.TableID)
	}
	if !fresh.ExpiresAt.After(clock.Now()) {
		t.Errorf("re-created expires at %v, want after now %v", fresh.ExpiresAt, clock.Now())
	}
	_, _, after := mustDownload(t, env.c, fresh.ID)
	if after != before {
		t.Errorf("re-created export's csv: got %d bytes, want the original %d bytes", len(after), len(before))
	}
}
