package simulator_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/testlog"

	"github.com/mbiload/mbiload/internal/simulator"
)

func TestRequestLogNeverHoldsTheKey(t *testing.T) {
	var logs testlog.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	_, ts := mustServer(t, simulator.Config{Logger: logger, FirstExportID: 51, DropRate: 1, ThrottleRate: 0})
	mustCreateExport(t, ts, "1")
	mustWaitStatus(t, ts, "51", "Completed")
	download(t, ts, "51", 0) // cut by the drop
	do(t, ts, http.MethodPost, "/0.1/export/51/copy", url.Values{"name": {testKey}})
	doWith(t, ts, http.MethodGet, "/0.1/export?key="+testKey, nil, map[string]string{"X-RJM-API-Key": testKey + "x"})
	doWith(t, ts, http.MethodGet, "/0.1/client/13/table", nil, map[string]string{"X-RJM-API-Key": testKey})

	out := logs.String()
	if strings.Contains(out, testKey) {
		t.Fatalf("log holds the key:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 6 {
		t.Fatalf("got %d log lines, want one per request (at least 6):\n%s", len(lines), out)
	}
	var sawDrop, sawForbidden bool
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] != "request" {
			continue
		}
		for _, k := range []string{"method", "path", "status", "bytes", "duration", "remote"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line %s lacks %s", line, k)
			}
		}
		sawDrop = sawDrop || rec["fault"] == "drop"
		sawForbidden = sawForbidden || rec["status"] == float64(403)
	}
	if !sawDrop || !sawForbidden {
		t.Errorf("got drop logged %v, 403 logged %v; want both:\n%s", sawDrop, sawForbidden, out)
	}
}
