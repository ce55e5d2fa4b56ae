package simulator_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

// vendorHost is the base URL in the vendor's curl examples.
const vendorHost = "https://api.rjmetrics.com/0.1"

// keyPlaceholder matches the doc's key placeholders: "_your\_key_" and "your\_key".
var keyPlaceholder = regexp.MustCompile(`_?your\\?_key_?`)

// curlExamples returns the argument lists of every curl example in the
// vendor's page (../shared/docs/export-api.md from the repository root).
func curlExamples(t *testing.T) [][]string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	doc := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "docs", "export-api.md")
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatalf("read the vendor doc: %v", err)
	}
	var out [][]string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		args, err := shellSplit(line)
		if err != nil {
			t.Fatalf("split %q: %v", line, err)
		}
		out = append(out, args[1:])
	}
	return out
}

// shellSplit splits a command line on spaces, honouring double quotes.
func shellSplit(line string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inQuote, inArg := false, false
	for _, r := range line {
		switch {
		case r == '"':
			inQuote, inArg = !inQuote, true
		case r == ' ' && !inQuote:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inQuote {
		return nil, os.ErrInvalid
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

func TestVendorCurlExamples(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is needed to run the vendor's examples: %v", err)
	}
	_, ts := mustServer(t, simulator.Config{FirstExportID: 51})
	mustCreateExport(t, ts, "3") // export 51, of table 3
	mustWaitStatus(t, ts, "51", "Completed")

	zipMagic := func(t *testing.T, body []byte) {
		if !bytes.HasPrefix(body, []byte("PK\x03\x04")) {
			t.Errorf("got %q, want a zip", body[:min(len(body), 16)])
		}
	}
	hasID := func(key, want string) func(*testing.T, []byte) {
		return func(t *testing.T, body []byte) {
			if got := idText(mustObject(t, body)[key]); got != want {
				t.Errorf("got %s %s, want %s", key, got, want)
			}
		}
	}
	isList := func(key string) func(*testing.T, []byte) {
		return func(t *testing.T, body []byte) {
			if len(mustList(t, body, key)) == 0 {
				t.Errorf("got an empty %s list", key)
			}
		}
	}
	csvHeader := func(header string) func(*testing.T, []byte) {
		return func(t *testing.T, body []byte) {
			if !strings.HasPrefix(string(body), header+"\n") {
				t.Errorf("got %q, want csv starting with %q", body, header)
			}
		}
	}
	// Expectations per example, in the doc's order, keyed by path.
	want := []struct {
		path   string
		status string
		check  func(*testing.T, []byte)
	}{
		{"/export", "200", isList("exports")},
		{"/export/51", "200", zipMagic},
		{"/export/51/info", "200", hasID("export_id", "51")},
		{"/export/51/copy", "201", func(t *testing.T, body []byte) {
			d := mustObject(t, body)
			if d["name"] != "New Copied Export" || idText(d["export_id"]) != "52" {
				t.Errorf("got %s, want export 52 named New Copied Export", body)
			}
		}},
		{"/client/12/table", "200", isList("tables")},
		{"/client/12/table/3", "200", isList("columns")},
		{"/client/12/table/3/export", "201", hasID("table_id", "3")},
		{"/figure", "200", isList("figureExports")},
		{"/figure/360531/export", "200", csvHeader("month,revenue,orders")},
		{"/figure/360531/info", "200", hasID("id", "360531")},
		{"/chart", "200", isList("chartExports")},
		{"/chart/2038112/export", "200", csvHeader("cohort_month,customers,orders,revenue")},
		{"/chart/2038112/info", "200", hasID("id", "2038112")},
	}
	examples := curlExamples(t)
	if len(examples) != len(want) {
		t.Fatalf("got %d curl examples in the doc, want %d", len(examples), len(want))
	}
	for i, args := range examples {
		w := want[i]
		t.Run(w.path, func(t *testing.T) {
			sawURL := false
			for j, a := range args {
				if strings.HasPrefix(a, vendorHost) {
					if got := strings.TrimPrefix(a, vendorHost); got != w.path {
						t.Fatalf("example %d is for %s, want %s", i+1, got, w.path)
					}
					args[j] = ts.URL + "/0.1" + strings.TrimPrefix(a, vendorHost)
					sawURL = true
				}
				args[j] = keyPlaceholder.ReplaceAllString(args[j], testKey)
			}
			if !sawURL {
				t.Fatalf("example %d %q has no %s URL", i+1, args, vendorHost)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, curl, append([]string{"-s", "-w", "%{http_code}"}, args...)...).Output()
			if err != nil {
				t.Fatalf("curl %q: %v", args, err)
			}
			if len(out) < 3 {
				t.Fatalf("got %q from curl, want a body and a status", out)
			}
			body, status := out[:len(out)-3], string(out[len(out)-3:])
			if status != w.status {
				t.Fatalf("got %s %s, want %s", status, body, w.status)
			}
			w.check(t, body)
		})
	}
}
