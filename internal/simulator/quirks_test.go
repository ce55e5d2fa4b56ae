package simulator_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

func TestQuirkShapes(t *testing.T) {
	tests := []struct {
		name   string
		quirks simulator.Quirks
		check  func(t *testing.T, list, info []byte)
	}{
		{name: "canonical", check: func(t *testing.T, list, info []byte) {
			mustList(t, list, "exports")
			d := mustObject(t, info)
			if _, ok := d["export_id"].(json.Number); !ok || d["status"] != "Completed" {
				t.Errorf("got %s, want a numeric id and status Completed", info)
			}
		}},
		{name: "bare arrays", quirks: simulator.Quirks{BareArrays: true}, check: func(t *testing.T, list, info []byte) {
			if _, ok := mustJSON(t, list).([]any); !ok {
				t.Errorf("got %s, want a bare array", list)
			}
		}},
		{name: "string ids", quirks: simulator.Quirks{StringIDs: true}, check: func(t *testing.T, list, info []byte) {
			d := mustObject(t, info)
			for _, k := range []string{"export_id", "client_id", "table_id"} {
				if _, ok := d[k].(string); !ok {
					t.Errorf("got %s %v (%T), want a string", k, d[k], d[k])
				}
			}
		}},
		{name: "lower-case status", quirks: simulator.Quirks{LowercaseStatus: true}, check: func(t *testing.T, list, info []byte) {
			if got := mustObject(t, info)["status"]; got != "completed" {
				t.Errorf("got status %v, want completed", got)
			}
		}},
		{name: "extra fields", quirks: simulator.Quirks{ExtraFields: true}, check: func(t *testing.T, list, info []byte) {
			d := mustObject(t, info)
			if _, ok := d["href"]; !ok {
				t.Errorf("got %s, want unknown fields", info)
			}
			if _, ok := mustObject(t, list)["total"]; !ok {
				t.Errorf("got %s, want unknown fields beside the list", list)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := mustServer(t, simulator.Config{FirstExportID: 51, Quirks: tt.quirks})
			mustCreateExport(t, ts, "1")
			mustWaitStatus(t, ts, "51", "Completed")
			list := do(t, ts, http.MethodGet, "/0.1/export", nil)
			info := do(t, ts, http.MethodGet, "/0.1/export/51/info", nil)
			if list.status != http.StatusOK || info.status != http.StatusOK {
				t.Fatalf("got %d and %d, want 200", list.status, info.status)
			}
			tt.check(t, list.body, info.body)
		})
	}
}

func TestQuirkCSV(t *testing.T) {
	orig, err := os.ReadFile("testdata/warehouse/customers.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		quirks simulator.Quirks
		want   string
	}{
		{name: "as on disk", want: string(orig)},
		{name: "bom", quirks: simulator.Quirks{BOM: true}, want: "\uFEFF" + string(orig)},
		{name: "crlf keeps newlines inside quotes", quirks: simulator.Quirks{CRLF: true},
			want: "entity_id,email,\"Customer's lifetime revenue\",Variant ID [pk],note\r\n" +
				"1,ana@example.com,120.5000,V-1,\"likes \"\"quotes\"\", commas\"\r\n" +
				"2,bo@example.com,,V-2,\r\n" +
				"3,\"zoë@example.com\",0.0000,V-3,\"multi\nline note\"\r\n"},
		{name: "crlf and bom", quirks: simulator.Quirks{CRLF: true, BOM: true},
			want: "\uFEFFentity_id,email,\"Customer's lifetime revenue\",Variant ID [pk],note\r\n" +
				"1,ana@example.com,120.5000,V-1,\"likes \"\"quotes\"\", commas\"\r\n" +
				"2,bo@example.com,,V-2,\r\n" +
				"3,\"zoë@example.com\",0.0000,V-3,\"multi\nline note\"\r\n"},
	}
	wantRecords := mustReadCSV(t, orig)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := mustServer(t, simulator.Config{FirstExportID: 51, Quirks: tt.quirks})
			mustCreateExport(t, ts, "1")
			mustWaitStatus(t, ts, "51", "Completed")
			_, got := mustUnzipOne(t, do(t, ts, http.MethodGet, "/0.1/export/51", nil).body)
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if recs := mustReadCSV(t, bytes.TrimPrefix(got, []byte("\uFEFF"))); !reflect.DeepEqual(recs, wantRecords) {
				t.Errorf("got records %q, want %q", recs, wantRecords)
			}
			info := mustObject(t, do(t, ts, http.MethodGet, "/0.1/export/51/info", nil).body)
			if got := idText(info["row_count"]); got != "3" {
				t.Errorf("got row_count %s, want 3", got)
			}
		})
	}
}

func mustReadCSV(t testing.TB, data []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	return recs
}

func TestParseQuirks(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    simulator.Quirks
		wantErr bool
	}{
		{name: "empty", in: "", want: simulator.Quirks{}},
		{name: "some", in: "bare-arrays, CRLF,bom", want: simulator.Quirks{BareArrays: true, CRLF: true, BOM: true}},
		{name: "all", in: "all", want: simulator.Quirks{BareArrays: true, StringIDs: true, LowercaseStatus: true, ExtraFields: true, CRLF: true, BOM: true, IgnoreRange: true,
			KeyedReports: true, LegacyReports: true}},
		{name: "report shapes", in: "keyed-reports,legacy-reports", want: simulator.Quirks{KeyedReports: true, LegacyReports: true}},
		{name: "unknown", in: "crlf,sideways", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := simulator.ParseQuirks(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestQuirkReportShapes checks the figure and chart lists and info answers
// in the live service's shape by default and in the keyed and older shapes
// under their quirks.
func TestQuirkReportShapes(t *testing.T) {
	tests := []struct {
		name      string
		quirks    simulator.Quirks
		wantFig   string
		wantChart string
		wantInfo  string
	}{
		{
			name: "live shape",
			wantFig: `{"figureExports":[{"id":360531,"name":"Revenue by Month","presentationType":"visual","ownerEmail":"analyst@example.com"},` +
				`{"id":360532,"name":"Orders by Status (SQL)","presentationType":"sql","ownerEmail":"dba@example.com"}]}`,
			wantChart: `{"chartExports":[{"id":2038112,"name":"Customer cohorts","ownerEmail":"analyst@example.com"}]}`,
			wantInfo:  `{"id":360532,"name":"Orders by Status (SQL)","presentationType":"sql","ownerEmail":"dba@example.com"}`,
		},
		{
			name: "keyed by id", quirks: simulator.Quirks{KeyedReports: true},
			wantFig: `{"figureExports":{"360531":{"id":360531,"name":"Revenue by Month","presentationType":"visual","ownerEmail":"analyst@example.com"},` +
				`"360532":{"id":360532,"name":"Orders by Status (SQL)","presentationType":"sql","ownerEmail":"dba@example.com"}}}`,
			wantChart: `{"chartExports":{"2038112":{"id":2038112,"name":"Customer cohorts","ownerEmail":"analyst@example.com"}}}`,
			wantInfo:  `{"id":360532,"name":"Orders by Status (SQL)","presentationType":"sql","ownerEmail":"dba@example.com"}`,
		},
		{
			name: "older shape", quirks: simulator.Quirks{LegacyReports: true},
			wantFig:   `{"figures":[{"id":360531,"name":"Revenue by Month","type":"visual"},{"id":360532,"name":"Orders by Status (SQL)","type":"sql"}]}`,
			wantChart: `{"charts":[{"id":2038112,"name":"Customer cohorts"}]}`,
			wantInfo:  `{"id":360532,"name":"Orders by Status (SQL)","type":"sql"}`,
		},
		{
			name: "older shape keyed and bare", quirks: simulator.Quirks{LegacyReports: true, KeyedReports: true, BareArrays: true},
			wantFig:   `{"360531":{"id":360531,"name":"Revenue by Month","type":"visual"},"360532":{"id":360532,"name":"Orders by Status (SQL)","type":"sql"}}`,
			wantChart: `{"2038112":{"id":2038112,"name":"Customer cohorts"}}`,
			wantInfo:  `{"id":360532,"name":"Orders by Status (SQL)","type":"sql"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := mustServer(t, simulator.Config{Quirks: tt.quirks})
			for _, c := range []struct{ method, path, want string }{
				{"GET", "/0.1/figure", tt.wantFig},
				{"GET", "/0.1/chart", tt.wantChart},
				{"POST", "/0.1/figure/360532/info", tt.wantInfo},
			} {
				r := do(t, ts, c.method, c.path, nil)
				if got := string(bytes.TrimSpace(r.body)); r.status != http.StatusOK || got != c.want {
					t.Errorf("%s %s: got %d %s, want 200 %s", c.method, c.path, r.status, got, c.want)
				}
			}
		})
	}
}
