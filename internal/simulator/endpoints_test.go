package simulator_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// hasKeys reports which of keys an object lacks.
func missingKeys(obj map[string]any, keys ...string) []string {
	var out []string
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

var exportKeys = []string{"export_id", "name", "client_id", "table_id", "status", "created_at", "completed_at", "expires_at", "row_count"}

func TestEndpoints(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{FirstExportID: 51})
	first := mustCreateExport(t, ts, "3")
	mustWaitStatus(t, ts, "51", "Completed")
	if got := idText(first["export_id"]); got != "51" {
		t.Fatalf("got export id %s, want 51", got)
	}

	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	type check func(t *testing.T, r response)
	object := func(keys ...string) check {
		return func(t *testing.T, r response) {
			if m := missingKeys(mustObject(t, r.body), keys...); m != nil {
				t.Errorf("body %s lacks %v", r.body, m)
			}
		}
	}
	list := func(key string, keys ...string) check {
		return func(t *testing.T, r response) {
			l := mustList(t, r.body, key)
			if len(l) == 0 {
				t.Fatalf("got an empty %q list", key)
			}
			for _, item := range l {
				obj, _ := item.(map[string]any)
				if m := missingKeys(obj, keys...); m != nil {
					t.Errorf("item %v lacks %v", item, m)
				}
			}
		}
	}
	errorBody := func(code string) check {
		return func(t *testing.T, r response) {
			obj := mustObject(t, r.body)
			if m := missingKeys(obj, "code", "message", "reasons"); m != nil {
				t.Errorf("error body %s lacks %v", r.body, m)
			}
			if got := idText(obj["code"]); got != code {
				t.Errorf("got code %s, want %s", got, code)
			}
		}
	}
	contentType := func(want string, next check) check {
		return func(t *testing.T, r response) {
			if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, want) {
				t.Errorf("got Content-Type %q, want %q", got, want)
			}
			if next != nil {
				next(t, r)
			}
		}
	}
	csvBody := func(want string) check {
		return contentType("text/csv", func(t *testing.T, r response) {
			if string(r.body) != want {
				t.Errorf("got csv %q, want %q", r.body, want)
			}
		})
	}

	tests := []struct {
		name   string
		method string
		path   string
		form   url.Values
		want   int
		check  check
	}{
		{name: "list exports", method: "GET", path: "/export", want: 200, check: list("exports", exportKeys...)},
		{name: "download", method: "GET", path: "/export/51", want: 200, check: contentType("application/zip", nil)},
		{name: "download head", method: "HEAD", path: "/export/51", want: 200},
		{name: "download unknown", method: "GET", path: "/export/999", want: 404, check: errorBody("404")},
		{name: "download bad id", method: "GET", path: "/export/abc", want: 404, check: errorBody("404")},
		{name: "export info", method: "GET", path: "/export/51/info", want: 200, check: object(exportKeys...)},
		{name: "export info unknown", method: "GET", path: "/export/999/info", want: 404, check: errorBody("404")},
		{name: "copy", method: "POST", path: "/export/51/copy", form: form("name", "New Copied Export"), want: 201, check: object(exportKeys...)},
		{name: "copy unknown", method: "POST", path: "/export/999/copy", form: form(), want: 404, check: errorBody("404")},
		{name: "tables", method: "GET", path: "/client/12/table", want: 200, check: list("tables", "id", "name", "row_count")},
		{name: "columns", method: "GET", path: "/client/12/table/3", want: 200, check: list("columns", "id", "name", "type")},
		{name: "columns unknown table", method: "GET", path: "/client/12/table/99", want: 404, check: errorBody("404")},
		{name: "create export", method: "POST", path: "/client/12/table/1/export", form: form(), want: 201, check: object(exportKeys...)},
		{name: "create export unknown table", method: "POST", path: "/client/12/table/99/export", form: form(), want: 404, check: errorBody("404")},
		{name: "full update status", method: "GET", path: "/client/12/fullupdatestatus", want: 200,
			check: object("clientId", "lastCompletedUpdateJob", "lastCompletedUpdateJobWithDataSync", "timezoneAbbreviation")},
		{name: "figures", method: "GET", path: "/figure", want: 200, check: list("figureExports", "id", "name", "presentationType", "ownerEmail")},
		{name: "figure info get", method: "GET", path: "/figure/360531/info", want: 200, check: object("id", "name", "presentationType", "ownerEmail")},
		{name: "figure info post", method: "POST", path: "/figure/360531/info", form: form(), want: 200, check: object("id", "name", "presentationType", "ownerEmail")},
		{name: "figure info unknown", method: "GET", path: "/figure/1/info", want: 404, check: errorBody("404")},
		{name: "figure csv with headers", method: "POST", path: "/figure/360531/export", form: form("format", "csv", "includeColumnHeaders", "1"), want: 200,
			check: csvBody("month,revenue,orders\n2026-01,150.50,2\n2026-02,35.25,2\n2026-03,-5.00,1\n")},
		{name: "figure csv default", method: "POST", path: "/figure/360531/export", form: form(), want: 200,
			check: csvBody("2026-01,150.50,2\n2026-02,35.25,2\n2026-03,-5.00,1\n")},
		{name: "figure json", method: "POST", path: "/figure/360531/export", form: form("format", "json"), want: 200,
			check: contentType("application/json", object("columns", "rows"))},
		{name: "figure get without a body", method: "GET", path: "/figure/360531/export", want: 200,
			check: csvBody("2026-01,150.50,2\n2026-02,35.25,2\n2026-03,-5.00,1\n")},
		{name: "figure get with query", method: "GET", path: "/figure/360531/export?format=csv&includeColumnHeaders=1", want: 200,
			check: csvBody("month,revenue,orders\n2026-01,150.50,2\n2026-02,35.25,2\n2026-03,-5.00,1\n")},
		{name: "figure get json by query", method: "GET", path: "/figure/360531/export?format=json", want: 200,
			check: contentType("application/json", object("columns", "rows"))},
		{name: "sql figure get refuses json", method: "GET", path: "/figure/360532/export?format=json", want: 400, check: errorBody("400")},
		{name: "figure bad format", method: "POST", path: "/figure/360531/export", form: form("format", "xml"), want: 400, check: errorBody("400")},
		{name: "sql figure csv", method: "POST", path: "/figure/360532/export", form: form("format", "csv", "includeColumnHeaders", "1"), want: 200,
			check: csvBody("status,orders,revenue\ncanceled,1,20.00\ncomplete,3,145.50\npending,1,15.25\n")},
		{name: "sql figure refuses json", method: "POST", path: "/figure/360532/export", form: form("format", "json"), want: 400, check: errorBody("400")},
		{name: "figure export unknown", method: "POST", path: "/figure/1/export", form: form(), want: 404, check: errorBody("404")},
		{name: "charts", method: "GET", path: "/chart", want: 200, check: list("chartExports", "id", "name", "ownerEmail")},
		{name: "chart info get", method: "GET", path: "/chart/2038112/info", want: 200, check: object("id", "name", "ownerEmail")},
		{name: "chart info post", method: "POST", path: "/chart/2038112/info", form: form(), want: 200, check: object("id", "name")},
		{name: "chart info unknown", method: "POST", path: "/chart/7/info", form: form(), want: 404, check: errorBody("404")},
		{name: "chart csv", method: "POST", path: "/chart/2038112/export", form: form("format", "csv", "includeColumnHeaders", "1"), want: 200,
			check: csvBody("cohort_month,customers,orders,revenue\n2026-01,2,3,170.50\n2026-03,1,1,-5.00\n")},
		{name: "chart json", method: "POST", path: "/chart/2038112/export", form: form("format", "json"), want: 200, check: object("columns", "rows")},
		{name: "chart get", method: "GET", path: "/chart/2038112/export?includeColumnHeaders=1", want: 200,
			check: csvBody("cohort_month,customers,orders,revenue\n2026-01,2,3,170.50\n2026-03,1,1,-5.00\n")},
		{name: "wrong method", method: "DELETE", path: "/export/51", want: 405, check: errorBody("405")},
		{name: "get on a post endpoint", method: "GET", path: "/export/51/copy", want: 405, check: errorBody("405")},
		{name: "unknown path", method: "GET", path: "/nothing/here", want: 404, check: errorBody("404")},
	}
	for _, tt := range tests {
		for _, prefix := range []string{"/0.1", ""} {
			t.Run(tt.name+" "+map[string]string{"": "bare", "/0.1": "versioned"}[prefix], func(t *testing.T) {
				r := do(t, ts, tt.method, prefix+tt.path, tt.form)
				if r.status != tt.want {
					t.Fatalf("got %d %s, want %d", r.status, r.body, tt.want)
				}
				if tt.check != nil {
					tt.check(t, r)
				}
			})
		}
	}
}

func TestMethodNotAllowedListsAllow(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{})
	r := do(t, ts, http.MethodPut, "/0.1/figure/360531/info", url.Values{})
	if r.status != http.StatusMethodNotAllowed {
		t.Fatalf("got %d, want 405", r.status)
	}
	allow := strings.Split(r.header.Get("Allow"), ", ")
	for _, m := range []string{"GET", "POST"} {
		if !slices.Contains(allow, m) {
			t.Errorf("got Allow %v, want it to contain %s", allow, m)
		}
	}
}

// TestReportExportParams checks that a figure export reads format and
// includeColumnHeaders from the form body, the query or a request header,
// for GET and POST alike (public clients of the live service do each).
func TestReportExportParams(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{})
	const rows = "2026-01,150.50,2\n2026-02,35.25,2\n2026-03,-5.00,1\n"
	tests := []struct {
		name     string
		method   string
		query    string
		form     url.Values
		header   map[string]string
		wantType string
		wantBody string
	}{
		{name: "post form", method: "POST", form: url.Values{"format": {"json"}}, wantType: "application/json"},
		{name: "get header format", method: "GET", header: map[string]string{"format": "json"}, wantType: "application/json"},
		{name: "get header csv with headers", method: "GET", header: map[string]string{"format": "csv", "includeColumnHeaders": "1"},
			wantType: "text/csv", wantBody: "month,revenue,orders\n" + rows},
		{name: "post query", method: "POST", query: "?format=json", form: url.Values{}, wantType: "application/json"},
		{name: "form wins over header", method: "POST", form: url.Values{"format": {"csv"}}, header: map[string]string{"format": "json"},
			wantType: "text/csv", wantBody: rows},
		{name: "query wins over header", method: "GET", query: "?format=csv", header: map[string]string{"format": "json"},
			wantType: "text/csv", wantBody: rows},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := map[string]string{"X-RJM-API-Key": testKey}
			for k, v := range tt.header {
				header[k] = v
			}
			r := doWith(t, ts, tt.method, "/0.1/figure/360531/export"+tt.query, tt.form, header)
			if r.status != http.StatusOK {
				t.Fatalf("got %d %s, want 200", r.status, r.body)
			}
			if got := r.header.Get("Content-Type"); !strings.HasPrefix(got, tt.wantType) {
				t.Errorf("got Content-Type %q, want %q", got, tt.wantType)
			}
			if tt.wantBody != "" && string(r.body) != tt.wantBody {
				t.Errorf("got %q, want %q", r.body, tt.wantBody)
			}
		})
	}
}

func TestFigureJSONValues(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{})
	r := do(t, ts, http.MethodPost, "/0.1/figure/360531/export", url.Values{"format": {"json"}})
	if r.status != http.StatusOK {
		t.Fatalf("got %d, want 200", r.status)
	}
	got := string(r.body)
	want := `{"columns":["month","revenue","orders"],"rows":[["2026-01",150.50,2],["2026-02",35.25,2],["2026-03",-5.00,1]]}` + "\n"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestReportNames renames a figure and a chart: the listing and the info
// answer carry the new names, the others keep theirs, the data is the same.
func TestReportNames(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{ReportNames: map[int64]string{
		simulator.FigureOrdersByStatus: "revenue-by-month", simulator.ChartCustomerCohorts: "",
	}})
	tests := []struct {
		name, path, key string
		want            []string
	}{
		{name: "figures", path: "/0.1/figure", key: "figureExports", want: []string{"Revenue by Month", "revenue-by-month"}},
		{name: "charts", path: "/0.1/chart", key: "chartExports", want: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, item := range mustList(t, do(t, ts, http.MethodGet, tt.path, nil).body, tt.key) {
				got = append(got, item.(map[string]any)["name"].(string))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if info := mustObject(t, do(t, ts, http.MethodPost, "/0.1/figure/360532/info", url.Values{}).body); info["name"] != "revenue-by-month" {
		t.Errorf("info: got %v, want the new name", info)
	}
	r := do(t, ts, http.MethodPost, "/0.1/figure/360532/export", url.Values{"includeColumnHeaders": {"1"}})
	if !strings.HasPrefix(string(r.body), "status,orders,revenue\n") {
		t.Errorf("export: got %q, want the figure's own data", r.body)
	}
}

func TestFiguresStaticWithoutSalesOrder(t *testing.T) {
	tables := mustTables(t)[:2] // no sales_order
	_, ts := mustServer(t, simulator.Config{Tables: tables})
	a := do(t, ts, http.MethodPost, "/0.1/chart/2038112/export", url.Values{"format": {"csv"}})
	b := do(t, ts, http.MethodPost, "/0.1/chart/2038112/export", url.Values{"format": {"csv"}})
	if a.status != http.StatusOK || len(a.body) == 0 {
		t.Fatalf("got %d %q, want 200 with static rows", a.status, a.body)
	}
	if string(a.body) != string(b.body) {
		t.Errorf("got %q then %q, want the same static data", a.body, b.body)
	}
}

func TestTablesAndColumns(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{})
	tables := mustList(t, do(t, ts, http.MethodGet, "/0.1/client/12/table", nil).body, "tables")
	var got []string
	for _, item := range tables {
		m := item.(map[string]any)
		got = append(got, idText(m["id"])+"="+m["name"].(string)+"/"+idText(m["row_count"]))
	}
	want := []string{"1=customers/3", "2=orders_~_line_items-mps/3", "3=sales_order/5"}
	if !slices.Equal(got, want) {
		t.Errorf("got tables %v, want %v", got, want)
	}
	cols := mustList(t, do(t, ts, http.MethodGet, "/0.1/client/12/table/1", nil).body, "columns")
	c2 := cols[2].(map[string]any)
	if c2["name"] != "Customer's lifetime revenue" || c2["is_calculated"] != true || idText(c2["precision"]) != "12" {
		t.Errorf("got column %v, want the calculated decimal with precision 12", c2)
	}
	c0 := cols[0].(map[string]any)
	if c0["is_primary_key"] != true || c0["nullable"] != false {
		t.Errorf("got column %v, want a non-null primary key", c0)
	}
}

func TestCompleteUpdate(t *testing.T) {
	sim, ts := mustServer(t, simulator.Config{})
	jobID := func() string {
		r := do(t, ts, http.MethodGet, "/0.1/client/12/fullupdatestatus", nil)
		job := mustObject(t, r.body)["lastCompletedUpdateJob"].(map[string]any)
		return idText(job["id"])
	}
	before := jobID()
	if err := sim.CompleteUpdate(nil); err != nil {
		t.Fatalf("CompleteUpdate: %v", err)
	}
	if after := jobID(); after == before {
		t.Errorf("got job id %s after an update, want a new one", after)
	}
	old := mustCreateExport(t, ts, "2")
	oldID := idText(old["export_id"])
	mustWaitStatus(t, ts, oldID, "Completed")

	newTables := []simulator.Table{memTable("2", "orders_~_line_items-mps", "line_id\n9\n")}
	if err := sim.CompleteUpdate(newTables); err != nil {
		t.Fatalf("CompleteUpdate: %v", err)
	}
	fresh := mustCreateExport(t, ts, "2")
	freshID := idText(fresh["export_id"])
	mustWaitStatus(t, ts, freshID, "Completed")
	_, oldCSV := mustUnzipOne(t, do(t, ts, http.MethodGet, "/0.1/export/"+oldID, nil).body)
	_, newCSV := mustUnzipOne(t, do(t, ts, http.MethodGet, "/0.1/export/"+freshID, nil).body)
	if !strings.HasPrefix(string(oldCSV), "line_id,order_id") {
		t.Errorf("got old export %q, want the data it was made from", oldCSV)
	}
	if string(newCSV) != "line_id\n9\n" {
		t.Errorf("got new export %q, want the updated data", newCSV)
	}
	if err := sim.CompleteUpdate([]simulator.Table{memTable("1", "a", "x\n"), memTable("1", "b", "x\n")}); err == nil {
		t.Error("got no error for duplicate ids, want ErrBadConfig")
	}
}
