package simulator_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestPublicClientReplay replays, as requests and field names only, what
// public clients written against the live service (2014–2016 Python, Node
// and Ruby scripts and course material) do, and checks the simulator
// answers each as they expect: tables and columns read from their
// wrappers; an export created with an empty body; a copy named with
// name=; /info polled until its status is exactly "Completed"; the zip
// downloaded and "<name>.csv" opened by name; the figure list walked by
// key under figureExports (a list or an object keyed by id) reading each
// item's id, name, presentationType and ownerEmail; a figure exported with
// GET, once with no body and once with format sent as a request header.
func TestPublicClientReplay(t *testing.T) {
	tests := []struct {
		name   string
		quirks simulator.Quirks
	}{
		{name: "live shapes"},
		{name: "figureExports keyed by id", quirks: simulator.Quirks{KeyedReports: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := mustServer(t, simulator.Config{Quirks: tt.quirks})
			key := map[string]string{"X-RJM-API-Key": testKey}
			get := func(path string, header map[string]string) response {
				t.Helper()
				h := map[string]string{}
				for k, v := range key {
					h[k] = v
				}
				for k, v := range header {
					h[k] = v
				}
				r := doWith(t, ts, http.MethodGet, "/0.1"+path, nil, h)
				if r.status != http.StatusOK {
					t.Fatalf("GET %s: got %d %s, want 200", path, r.status, r.body)
				}
				return r
			}

			// Tables and columns, from their wrappers.
			tables := mustList(t, get("/client/"+testClient+"/table", nil).body, "tables")
			first, _ := tables[0].(map[string]any)
			tableID, tableName := idText(first["id"]), first["name"]
			if tableID == "" || tableName == "" {
				t.Fatalf("tables[0]: got %v, want an id and a name", first)
			}
			for _, c := range mustList(t, get("/client/"+testClient+"/table/"+tableID, nil).body, "columns") {
				if col, _ := c.(map[string]any); col["name"] == nil || col["name"] == "" {
					t.Errorf("column %v: want a name", c)
				}
			}

			// An export created with an empty body (curl -X POST, no -d).
			r := doWith(t, ts, http.MethodPost, "/0.1/client/"+testClient+"/table/"+tableID+"/export", nil, key)
			if r.status != http.StatusCreated {
				t.Fatalf("create export: got %d %s, want 201", r.status, r.body)
			}
			created := idText(mustObject(t, r.body)["export_id"])

			// A copy named with name=.
			const copyName = "nightly copy"
			r = doWith(t, ts, http.MethodPost, "/0.1/export/"+created+"/copy", url.Values{"name": {copyName}}, key)
			if r.status != http.StatusCreated {
				t.Fatalf("copy export: got %d %s, want 201", r.status, r.body)
			}
			copied := idText(mustObject(t, r.body)["export_id"])
			if copied == "" || copied == created {
				t.Fatalf("copy: got export_id %q, want a new id", copied)
			}

			// Poll /info until the status is exactly "Completed".
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				status := mustObject(t, get("/export/"+copied+"/info", nil).body)["status"]
				if status == "Completed" {
					break
				}
				if status == "Error" || time.Now().After(deadline) {
					t.Fatalf("export %s: status %v, want Completed", copied, status)
				}
			}

			// Download and open "<name>.csv" by name.
			zipData := get("/export/"+copied, nil).body
			zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
			if err != nil {
				t.Fatalf("open zip: %v", err)
			}
			f, err := zr.Open(copyName + ".csv")
			if err != nil {
				t.Fatalf("open %q in the zip: %v", copyName+".csv", err)
			}
			csvData, err := io.ReadAll(f)
			f.Close()
			if err != nil || !bytes.Contains(csvData, []byte("\n")) {
				t.Errorf("%s.csv: got %q (%v), want a header row and data", copyName, csvData, err)
			}

			// The figure list, walked by key under figureExports.
			var list struct {
				FigureExports json.RawMessage `json:"figureExports"`
			}
			if err := json.Unmarshal(get("/figure", nil).body, &list); err != nil || len(list.FigureExports) == 0 {
				t.Fatalf("figure list: %v, want a figureExports member", err)
			}
			items := map[string]map[string]any{} // by key, as Object.keys/for...in walks it
			var asList []map[string]any
			if json.Unmarshal(list.FigureExports, &asList) == nil {
				for i, it := range asList {
					items[strings.Repeat("#", i+1)] = it
				}
			} else if err := json.Unmarshal(list.FigureExports, &items); err != nil {
				t.Fatalf("figureExports: %v, want a list or an object keyed by id", err)
			}
			types := map[string]string{}
			for k, it := range items {
				for _, field := range []string{"id", "name", "presentationType", "ownerEmail"} {
					if v, ok := it[field]; !ok || v == "" {
						t.Errorf("figureExports[%s]: got %v, want %s", k, it, field)
					}
				}
				if !strings.HasPrefix(k, "#") && k != jsonText(it["id"]) {
					t.Errorf("figureExports key %s: holds figure %v", k, it["id"])
				}
				types[jsonText(it["id"])], _ = it["presentationType"].(string)
			}
			if types["360531"] != "visual" || types["360532"] != "sql" {
				t.Errorf("presentationType by id: got %v, want 360531 visual and 360532 sql", types)
			}

			// A figure exported with GET: no body (csv), and format as a header.
			if r := get("/figure/360531/export", nil); !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
				!strings.HasPrefix(string(r.body), "2026-01,") {
				t.Errorf("GET figure export: got %s %q, want csv rows", r.header.Get("Content-Type"), r.body)
			}
			if r := get("/figure/360531/export", map[string]string{"format": "json"}); !strings.HasPrefix(string(r.body), `{"columns":["month"`) {
				t.Errorf("GET figure export with a format header: got %q, want json", r.body)
			}
		})
	}
}

// jsonText renders a decoded JSON scalar (a number is a float64 here) as
// text.
func jsonText(v any) string {
	switch v := v.(type) {
	case float64:
		b, _ := json.Marshal(v)
		return string(b)
	case string:
		return v
	}
	return ""
}
