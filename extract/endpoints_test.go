package extract

import (
	"context"
	"io"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// TestEndpoints checks, for every endpoint, the method, path, headers and
// form body sent, and the decoding of the contract's response shape.
func TestEndpoints(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		call     func(ctx context.Context, c *Client) (any, error)
		method   string
		path     string
		form     url.Values // nil: no body expected
		wantType string     // expected Content-Type of the request
		want     any
	}{
		{
			name: "tables", status: 200, body: string(mustFixture(t, "tables.json")),
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Tables(ctx) },
			method: "GET", path: "/0.1/client/12/table",
			want: []Table{
				{ID: "3", Name: "sales_flat_order", RowCount: 1250000},
				{ID: "4", Name: "orders_~_line_items-mps", RowCount: 17},
				{ID: "5", Name: "Customer's lifetime revenue ", RowCount: 0},
			},
		},
		{
			name: "find table by name", status: 200, body: string(mustFixture(t, "tables.json")),
			call:   func(ctx context.Context, c *Client) (any, error) { return c.FindTable(ctx, "orders_~_line_items-mps") },
			method: "GET", path: "/0.1/client/12/table",
			want: Table{ID: "4", Name: "orders_~_line_items-mps", RowCount: 17},
		},
		{
			name: "columns", status: 200, body: string(mustFixture(t, "columns.json")),
			call: func(ctx context.Context, c *Client) (any, error) {
				cols, err := c.Columns(ctx, "3")
				names := []string{}
				for _, col := range cols {
					names = append(names, col.Name+":"+col.Type)
				}
				return names, err
			},
			method: "GET", path: "/0.1/client/12/table/3",
			want: []string{"entity_id:Integer", "grand_total:Decimal", "created_at:Datetime", "Customer's lifetime revenue:Decimal"},
		},
		{
			name: "create table export", status: 201, body: `{"export_id":52,"name":"sales_flat_order","status":"Pending"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.CreateTableExport(ctx, "3") },
			method: "POST", path: "/0.1/client/12/table/3/export", form: url.Values{},
			wantType: "application/x-www-form-urlencoded",
			want:     Export{ID: "52", Name: "sales_flat_order", Status: StatusPending, TableID: "3", ClientID: "12"},
		},
		{
			name: "exports", status: 200, body: string(mustFixture(t, "exports.json")),
			call: func(ctx context.Context, c *Client) (any, error) {
				exps, err := c.Exports(ctx)
				ids := []string{}
				for _, e := range exps {
					ids = append(ids, string(e.ID)+":"+string(e.Status)+":"+e.ExpiresAt.String())
				}
				return ids, err
			},
			method: "GET", path: "/0.1/export",
			want: []string{"51:Completed:2026-12-03 02:00:04", "52:Pending:"},
		},
		{
			name: "export info", status: 200, body: string(mustFixture(t, "export.json")),
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			method: "GET", path: "/0.1/export/51/info",
			want: Export{
				ID: "51", Name: "sales_flat_order 2026-11-26", ClientID: "12", TableID: "3", Status: StatusCompleted,
				CreatedAt:   Timestamp{time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC)},
				CompletedAt: Timestamp{time.Date(2026, 11, 26, 2, 3, 40, 0, time.UTC)},
				ExpiresAt:   Timestamp{time.Date(2026, 12, 3, 2, 0, 4, 0, time.UTC)},
				RowCount:    1250000,
			},
		},
		{
			name: "copy export with name", status: 201, body: `{"export_id":"60","name":"New Copied Export","status":"Pending"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.CopyExport(ctx, "51", "New Copied Export") },
			method: "POST", path: "/0.1/export/51/copy", form: url.Values{"name": {"New Copied Export"}},
			wantType: "application/x-www-form-urlencoded",
			want:     Export{ID: "60", Name: "New Copied Export", Status: StatusPending},
		},
		{
			name: "copy export without name", status: 201, body: `{"export_id":61,"status":"Pending"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.CopyExport(ctx, "51", "") },
			method: "POST", path: "/0.1/export/51/copy", form: url.Values{},
			wantType: "application/x-www-form-urlencoded",
			want:     Export{ID: "61", Status: StatusPending},
		},
		{
			name: "figures", status: 200, body: string(mustFixture(t, "figures.json")),
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Figures(ctx) },
			method: "GET", path: "/0.1/figure",
			want: []Figure{{ID: "360531", Name: "Revenue by Month", Type: "visual", OwnerEmail: "ann@example.com"},
				{ID: "360532", Name: "Orders (SQL)", Type: "sql", OwnerEmail: "bob@example.com"}},
		},
		{
			name: "figure info", status: 200, body: `{"id":360531,"name":"Revenue by Month","type":"visual"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Figure(ctx, "360531") },
			method: "POST", path: "/0.1/figure/360531/info", form: url.Values{},
			wantType: "application/x-www-form-urlencoded",
			want:     Figure{ID: "360531", Name: "Revenue by Month", Type: "visual"},
		},
		{
			name: "figure export csv with headers", status: 200, body: "month,revenue\n2026-01,123.4\n",
			call: func(ctx context.Context, c *Client) (any, error) {
				return readAllClose(c.ExportFigure(ctx, "360531", FormatCSV, true))
			},
			method: "POST", path: "/0.1/figure/360531/export",
			form:     url.Values{"format": {"csv"}, "includeColumnHeaders": {"1"}},
			wantType: "application/x-www-form-urlencoded",
			want:     "month,revenue\n2026-01,123.4\n",
		},
		{
			name: "figure export json without headers", status: 200, body: `{"columns":["month"],"rows":[["2026-01"]]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return readAllClose(c.ExportFigure(ctx, "360531", FormatJSON, false))
			},
			method: "POST", path: "/0.1/figure/360531/export", form: url.Values{"format": {"json"}},
			wantType: "application/x-www-form-urlencoded",
			want:     `{"columns":["month"],"rows":[["2026-01"]]}`,
		},
		{
			name: "charts", status: 200, body: string(mustFixture(t, "charts.json")),
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Charts(ctx) },
			method: "GET", path: "/0.1/chart",
			want: []Chart{{ID: "2038112", Name: "Customer cohorts", OwnerEmail: "ann@example.com"}},
		},
		{
			name: "chart info", status: 200, body: `{"id":"2038112","name":"Customer cohorts"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Chart(ctx, "2038112") },
			method: "POST", path: "/0.1/chart/2038112/info", form: url.Values{},
			wantType: "application/x-www-form-urlencoded",
			want:     Chart{ID: "2038112", Name: "Customer cohorts"},
		},
		{
			name: "chart export default format", status: 200, body: "cohort,size\n",
			call: func(ctx context.Context, c *Client) (any, error) {
				return readAllClose(c.ExportChart(ctx, "2038112", "", true))
			},
			method: "POST", path: "/0.1/chart/2038112/export",
			form:     url.Values{"format": {"csv"}, "includeColumnHeaders": {"1"}},
			wantType: "application/x-www-form-urlencoded",
			want:     "cohort,size\n",
		},
		{
			name: "full update status", status: 200, body: string(mustFixture(t, "fullupdatestatus.json")),
			call:   func(ctx context.Context, c *Client) (any, error) { return c.FullUpdateStatus(ctx) },
			method: "GET", path: "/0.1/client/12/fullupdatestatus",
			want: UpdateStatus{
				ClientID: "194",
				LastCompletedUpdateJob: &UpdateJob{
					ID: "13554", Type: Named{ID: "2", Name: "Full Update"},
					Start:  Timestamp{time.Date(2025, 12, 9, 3, 26, 25, 0, time.UTC)},
					End:    Timestamp{time.Date(2025, 12, 9, 5, 10, 2, 0, time.UTC)},
					Status: Named{ID: "4", Name: "Completed Successfully"},
				},
				TimezoneAbbreviation: "EST",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(tt.status, tt.body), nil)
			got, err := tt.call(context.Background(), env.c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("result: got %+v, want %+v", got, tt.want)
			}
			reqs := env.rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("requests: got %d, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path {
				t.Errorf("request: got %s %s, want %s %s", r.Method, r.Path, tt.method, tt.path)
			}
			if r.Key != testKey {
				t.Errorf("X-RJM-API-Key: got %q, want the configured key", r.Key)
			}
			if !strings.HasPrefix(r.UserAgent, "mbiload/") {
				t.Errorf("User-Agent: got %q, want mbiload/<version>", r.UserAgent)
			}
			if r.Ctype != tt.wantType {
				t.Errorf("Content-Type: got %q, want %q", r.Ctype, tt.wantType)
			}
			if tt.form == nil {
				if r.RawBody != "" {
					t.Errorf("body: got %q, want none", r.RawBody)
				}
			} else if !reflect.DeepEqual(r.Form, tt.form) {
				t.Errorf("form: got %v, want %v", r.Form, tt.form)
			}
		})
	}
}

func readAllClose(rc io.ReadCloser, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	return string(data), err
}

// TestPathEscaping checks that ids are escaped as one path segment each and
// that ids which would climb the path are refused before any request.
func TestPathEscaping(t *testing.T) {
	tests := []struct {
		name    string
		id      schema.ID
		path    string
		wantErr bool
	}{
		{name: "plain", id: "51", path: "/0.1/export/51/info"},
		{name: "slash", id: "a/b", path: "/0.1/export/a%2Fb/info"},
		{name: "query chars", id: "5?x=1#y", path: "/0.1/export/5%3Fx=1%23y/info"},
		{name: "space", id: "5 1", path: "/0.1/export/5%201/info"},
		{name: "dotdot", id: "..", wantErr: true},
		{name: "empty", id: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(200, `{"export_id":1}`), nil)
			_, err := env.c.Export(context.Background(), tt.id)
			if tt.wantErr {
				if err == nil || env.rec.count() != 0 {
					t.Fatalf("got err %v after %d requests, want an error and no request", err, env.rec.count())
				}
				return
			}
			if err != nil {
				t.Fatalf("Export: %v", err)
			}
			if got := env.rec.requests()[0].Path; got != tt.path {
				t.Errorf("path: got %q, want %q", got, tt.path)
			}
		})
	}
}

func TestNoClientID(t *testing.T) {
	calls := map[string]func(context.Context, *Client) error{
		"tables":             func(ctx context.Context, c *Client) error { _, err := c.Tables(ctx); return err },
		"find table":         func(ctx context.Context, c *Client) error { _, err := c.FindTable(ctx, "x"); return err },
		"columns":            func(ctx context.Context, c *Client) error { _, err := c.Columns(ctx, "3"); return err },
		"create":             func(ctx context.Context, c *Client) error { _, err := c.CreateTableExport(ctx, "3"); return err },
		"full update status": func(ctx context.Context, c *Client) error { _, err := c.FullUpdateStatus(ctx); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			env := mustEnv(t, reply(200, `[]`), func(c *Config) { c.ClientID = "" })
			err := call(context.Background(), env.c)
			if !errorsIs(err, ErrNoClientID) {
				t.Errorf("err: got %v, want ErrNoClientID", err)
			}
			if n := env.rec.count(); n != 0 {
				t.Errorf("requests: got %d, want 0", n)
			}
		})
	}
}

func TestExportReportBadFormat(t *testing.T) {
	env := mustEnv(t, reply(200, ""), nil)
	_, err := env.c.ExportFigure(context.Background(), "1", "xml", true)
	if !errorsIs(err, ErrBadRequest) || env.rec.count() != 0 {
		t.Errorf("got %v after %d requests, want ErrBadRequest and no request", err, env.rec.count())
	}
}

// TestFindTable covers the matching rules on a fixed list.
func TestFindTable(t *testing.T) {
	tables := []Table{
		{ID: "3", Name: "sales_order"},
		{ID: "4", Name: "Sales_Order"},
		{ID: "5", Name: "customer_entity "},
		{ID: "6", Name: "3"},
		{ID: "7", Name: "dup"},
		{ID: "8", Name: "dup"},
	}
	tests := []struct {
		name   string
		ref    string
		wantID schema.ID
		want   error
	}{
		{name: "by id", ref: "5", wantID: "5"},
		{name: "id beats name", ref: "3", wantID: "3"},
		{name: "exact name beats case-insensitive", ref: "Sales_Order", wantID: "4"},
		{name: "case-insensitive unique, trailing space", ref: "CUSTOMER_ENTITY", wantID: "5"},
		{name: "case-insensitive ambiguous", ref: "SALES_ORDER", want: ErrAmbiguousTable},
		{name: "exact name ambiguous", ref: "dup", want: ErrAmbiguousTable},
		{name: "none", ref: "nope", want: ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := matchTable(tables, tt.ref)
			if tt.want != nil {
				if !errorsIs(err, tt.want) {
					t.Fatalf("err: got %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), tt.ref) {
					t.Errorf("error %q does not name the reference %q", err, tt.ref)
				}
				return
			}
			if err != nil || got.ID != tt.wantID {
				t.Errorf("got %+v, %v, want id %s", got, err, tt.wantID)
			}
		})
	}
	_, err := matchTable(tables, "sales_ORDER")
	if err == nil || !strings.Contains(err.Error(), `"sales_order" (id 3)`) || !strings.Contains(err.Error(), `"Sales_Order" (id 4)`) {
		t.Errorf("ambiguous error %v does not list the candidates", err)
	}
}

// TestTrailingSlashBaseURL checks that a base URL with a trailing slash does
// not double the slash.
func TestTrailingSlashBaseURL(t *testing.T) {
	env := mustEnv(t, reply(200, `[]`), func(c *Config) { c.BaseURL += "/" })
	if _, err := env.c.Exports(context.Background()); err != nil {
		t.Fatalf("Exports: %v", err)
	}
	if got := env.rec.requests()[0].Path; got != "/0.1/export" {
		t.Errorf("path: got %q, want /0.1/export", got)
	}
}
