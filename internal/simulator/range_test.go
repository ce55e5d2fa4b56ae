package simulator_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

func TestRangeRequests(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{FirstExportID: 51})
	mustCreateExport(t, ts, "1")
	mustWaitStatus(t, ts, "51", "Completed")
	full := do(t, ts, http.MethodGet, "/0.1/export/51", nil)
	if full.status != http.StatusOK || full.header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("got %d Accept-Ranges %q, want 200 bytes", full.status, full.header.Get("Accept-Ranges"))
	}
	n := len(full.body)
	etag := full.header.Get("ETag")
	tests := []struct {
		name       string
		header     map[string]string
		wantStatus int
		want       []byte
	}{
		{name: "middle", header: map[string]string{"Range": "bytes=10-99"}, wantStatus: 206, want: full.body[10:100]},
		{name: "resume to the end", header: map[string]string{"Range": fmt.Sprintf("bytes=%d-", n/2)}, wantStatus: 206, want: full.body[n/2:]},
		{name: "suffix", header: map[string]string{"Range": "bytes=-7"}, wantStatus: 206, want: full.body[n-7:]},
		{name: "if-range matches", header: map[string]string{"Range": "bytes=5-", "If-Range": etag}, wantStatus: 206, want: full.body[5:]},
		{name: "if-range stale", header: map[string]string{"Range": "bytes=5-", "If-Range": `"stale"`}, wantStatus: 200, want: full.body},
		{name: "unsatisfiable", header: map[string]string{"Range": fmt.Sprintf("bytes=%d-", n+10)}, wantStatus: 416},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.header["X-RJM-API-Key"] = testKey
			r := doWith(t, ts, http.MethodGet, "/0.1/export/51", nil, tt.header)
			if r.status != tt.wantStatus {
				t.Fatalf("got %d, want %d", r.status, tt.wantStatus)
			}
			if tt.want != nil && !bytes.Equal(r.body, tt.want) {
				t.Errorf("got %d bytes, want %d bytes of the zip", len(r.body), len(tt.want))
			}
		})
	}
}

func TestIgnoreRange(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{FirstExportID: 51, Quirks: simulator.Quirks{IgnoreRange: true}})
	mustCreateExport(t, ts, "1")
	mustWaitStatus(t, ts, "51", "Completed")
	full := do(t, ts, http.MethodGet, "/0.1/export/51", nil)
	r := doWith(t, ts, http.MethodGet, "/0.1/export/51", nil, map[string]string{"X-RJM-API-Key": testKey, "Range": "bytes=10-"})
	if r.status != http.StatusOK {
		t.Fatalf("got %d, want 200 from a server ignoring Range", r.status)
	}
	if !bytes.Equal(r.body, full.body) {
		t.Errorf("got %d bytes, want the whole zip (%d bytes)", len(r.body), len(full.body))
	}
	if got := r.header.Get("Accept-Ranges"); got != "" {
		t.Errorf("got Accept-Ranges %q, want none", got)
	}
}
