package simulator_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/schema"
)

// testKey is distinctive so that leak checks cannot match by accident.
const (
	testKey    = "sim-key-7c1e9d5a"
	testClient = "12"
)

// newFakeClock returns a simulator clock that moves only when told.
func newFakeClock() *simtest.Clock {
	return simtest.NewClock(time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC))
}

// mustTables loads the test warehouse (customers=1,
// orders_~_line_items-mps=2, sales_order=3).
func mustTables(t testing.TB) []simulator.Table {
	t.Helper()
	tables, err := simulator.LoadDir("testdata/warehouse")
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	return tables
}

// mustServer starts a simulator over real HTTP. Zero fields of cfg get the
// test key, client 12, the test warehouse and a temporary work directory.
func mustServer(t testing.TB, cfg simulator.Config) (*simulator.Server, *httptest.Server) {
	t.Helper()
	if cfg.Key == "" {
		cfg.Key = testKey
	}
	if cfg.ClientID == "" {
		cfg.ClientID = testClient
	}
	if cfg.Tables == nil {
		cfg.Tables = mustTables(t)
	}
	return simtest.Start(t, cfg)
}

// response is what a test request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request with the test key; form, when not nil, is sent as a
// form-encoded body.
func do(t testing.TB, ts *httptest.Server, method, path string, form url.Values) response {
	t.Helper()
	return doWith(t, ts, method, path, form, map[string]string{"X-RJM-API-Key": testKey})
}

func doWith(t testing.TB, ts *httptest.Server, method, path string, form url.Values, header map[string]string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, ts.URL+path, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// mustJSON decodes a JSON body into a generic value.
func mustJSON(t testing.TB, body []byte) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode JSON %q: %v", body, err)
	}
	return v
}

// mustObject decodes a JSON object.
func mustObject(t testing.TB, body []byte) map[string]any {
	t.Helper()
	m, ok := mustJSON(t, body).(map[string]any)
	if !ok {
		t.Fatalf("got %s, want a JSON object", body)
	}
	return m
}

// mustList decodes a list wrapped under key.
func mustList(t testing.TB, body []byte, key string) []any {
	t.Helper()
	l, ok := mustObject(t, body)[key].([]any)
	if !ok {
		t.Fatalf("got %s, want a %q list", body, key)
	}
	return l
}

// mustCreateExport creates an export of table and returns its description.
func mustCreateExport(t testing.TB, ts *httptest.Server, table string) map[string]any {
	t.Helper()
	r := do(t, ts, http.MethodPost, "/0.1/client/"+testClient+"/table/"+table+"/export", url.Values{})
	if r.status != http.StatusCreated {
		t.Fatalf("create export: got %d %s, want 201", r.status, r.body)
	}
	return mustObject(t, r.body)
}

// mustWaitStatus polls an export's info until its status is want (in any case).
func mustWaitStatus(t testing.TB, ts *httptest.Server, id, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := do(t, ts, http.MethodGet, "/0.1/export/"+id+"/info", nil)
		if r.status != http.StatusOK {
			t.Fatalf("export info: got %d %s, want 200", r.status, r.body)
		}
		d := mustObject(t, r.body)
		if st, _ := d["status"].(string); strings.EqualFold(st, want) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("export %s: got status %v, want %s", id, d["status"], want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// mustUnzipOne checks a zip holds exactly one entry and returns its name and bytes.
func mustUnzipOne(t testing.TB, data []byte) (string, []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("got %d zip entries, want 1", len(zr.File))
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatalf("open zip entry: %v", err)
	}
	defer rc.Close()
	content, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read zip entry: %v", err)
	}
	return zr.File[0].Name, content
}

// idText renders a decoded JSON id as text.
func idText(v any) string {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case string:
		return v
	}
	return ""
}

// memTable is a table whose CSV is data; Rows is -1 (unknown).
func memTable(id, name, data string) simulator.Table {
	header, _, _ := strings.Cut(data, "\n")
	var cols []schema.Column
	for _, h := range strings.Split(header, ",") {
		cols = append(cols, schema.Column{Name: h, Type: "String"})
	}
	return simulator.Table{
		ID: schema.ID(id), Name: name, Columns: cols, Rows: -1,
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, data)
			return err
		},
	}
}
