package extract_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/testlog"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/schema"
)

// Integration tests run the client against the simulator over real HTTP.

const (
	// simKey is the key the simulator accepts; distinctive so that leak
	// checks cannot match by accident.
	simKey = "sk-SIMCANARY-51c0ffee-never-print"
	// simClient is the client id the key is bound to.
	simClient = "12"
	// simScale is the generated sales_order's row count: small, fast.
	simScale = 300
	// firstExport is the id of the first export each simulator creates.
	firstExport = 500
)

// newSimClock returns a simulator clock that moves only when told.
func newSimClock() *simtest.Clock {
	return simtest.NewClock(time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC))
}

// exchange is one request the client sent and what came of it.
type exchange struct {
	method, path string
	status       int // 0 when the request failed without an answer
	at           time.Time
}

// traffic is a RoundTripper that records every exchange; after, when set,
// is called after each one (outside the lock).
type traffic struct {
	next  http.RoundTripper
	after func(exchange)

	mu  sync.Mutex
	log []exchange
}

func (tr *traffic) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.next.RoundTrip(req)
	ex := exchange{method: req.Method, path: req.URL.Path, at: time.Now()}
	if err == nil {
		ex.status = resp.StatusCode
	}
	tr.mu.Lock()
	tr.log = append(tr.log, ex)
	after := tr.after
	tr.mu.Unlock()
	if after != nil {
		after(ex)
	}
	return resp, err
}

// exchanges returns the exchanges so far whose path ends with suffix.
func (tr *traffic) exchanges(suffix string) []exchange {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []exchange
	for _, ex := range tr.log {
		if strings.HasSuffix(ex.path, suffix) {
			out = append(out, ex)
		}
	}
	return out
}

// statuses counts the exchanges so far by status (0: no answer).
func (tr *traffic) statuses() map[int]int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := map[int]int{}
	for _, ex := range tr.log {
		out[ex.status]++
	}
	return out
}

// simEnv is a simulator served over HTTP and a client pointed at it.
type simEnv struct {
	sim    *simulator.Server
	srv    *httptest.Server
	c      *extract.Client
	net    *traffic
	log    *testlog.Buffer // the client's log
	simLog *testlog.Buffer // the simulator's log
}

// mustSim starts a simulator over real HTTP and a client for it. Zero fields
// of cfg get the test key, client 12, a generated warehouse of simScale
// orders, the first export id 500 and a temporary work directory; tune may
// adjust the client's config (millisecond retry and poll policies) before
// the client is built.
func mustSim(t testing.TB, cfg simulator.Config, tune func(*extract.Config)) *simEnv {
	t.Helper()
	if cfg.Key == "" {
		cfg.Key = simKey
	}
	if cfg.ClientID == "" {
		cfg.ClientID = simClient
	}
	if cfg.Tables == nil {
		cfg.Tables = simulator.Generated(simScale, 1)
	}
	if cfg.FirstExportID == 0 {
		cfg.FirstExportID = firstExport
	}
	simLog := &testlog.Buffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(simLog, nil))
	sim, srv := simtest.Start(t, cfg)
	env := &simEnv{sim: sim, srv: srv, simLog: simLog}
	env.c, env.net, env.log = mustClient(t, srv, tune)
	return env
}

// mustClient builds a client for the simulator at srv with millisecond
// policies, recording its traffic and logging at debug level.
func mustClient(t testing.TB, srv *httptest.Server, tune func(*extract.Config)) (*extract.Client, *traffic, *testlog.Buffer) {
	t.Helper()
	tr := &traffic{next: srv.Client().Transport}
	logs := &testlog.Buffer{}
	cfg := extract.Config{
		BaseURL:    srv.URL + "/0.1",
		APIKey:     simKey,
		ClientID:   simClient,
		HTTPClient: &http.Client{Transport: tr},
		Retry:      extract.RetryPolicy{MaxAttempts: 8, InitialDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxElapsed: 20 * time.Second},
		Poll:       extract.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, Timeout: 20 * time.Second},
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tune != nil {
		tune(&cfg)
	}
	c, err := extract.New(cfg)
	if err != nil {
		t.Fatalf("extract.New: %v", err)
	}
	return c, tr, logs
}

// mustCompletedExport exports a table and waits for the export.
func mustCompletedExport(t testing.TB, c *extract.Client, table schema.ID) extract.Export {
	t.Helper()
	ctx := context.Background()
	exp, err := c.CreateTableExport(ctx, table)
	if err != nil {
		t.Fatalf("CreateTableExport(%s): %v", table, err)
	}
	done, err := c.WaitExport(ctx, exp.ID)
	if err != nil {
		t.Fatalf("WaitExport(%s): %v", exp.ID, err)
	}
	return done
}

// mustDownload downloads an export into a test directory and returns the
// download and the name and content of the zip's one entry.
func mustDownload(t testing.TB, c *extract.Client, id schema.ID) (*extract.Download, string, string) {
	t.Helper()
	dl, err := c.Download(context.Background(), id, t.TempDir())
	if err != nil {
		t.Fatalf("Download(%s): %v", id, err)
	}
	name, content := mustZipEntry(t, dl.Path)
	return dl, name, content
}

// mustZipEntry opens a zip that must hold exactly one .csv entry and returns
// its name and content (reading it verifies its CRC-32).
func mustZipEntry(t testing.TB, path string) (string, string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || !strings.HasSuffix(zr.File[0].Name, ".csv") {
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		t.Fatalf("zip entries: got %q, want one .csv entry", names)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatalf("open zip entry: %v", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read zip entry: %v", err)
	}
	return zr.File[0].Name, string(data)
}

// mustRecords parses a CSV (after a UTF-8 BOM, if any) into records.
func mustRecords(t testing.TB, text string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v", err)
	}
	return recs
}

// mustTableCSV is the CSV the generated warehouse holds for a table.
func mustTableCSV(t testing.TB, name string) string {
	t.Helper()
	for _, tb := range simulator.Generated(simScale, 1) {
		if tb.Name == name {
			var b bytes.Buffer
			if err := tb.WriteCSV(context.Background(), &b); err != nil {
				t.Fatalf("WriteCSV(%s): %v", name, err)
			}
			return b.String()
		}
	}
	t.Fatalf("no generated table %q", name)
	return ""
}

// readAll reads and closes a report export's body.
func readAll(t testing.TB, rc io.ReadCloser, err error) string {
	t.Helper()
	if err != nil {
		t.Fatalf("export report: %v", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read report: %v", err)
	}
	return string(data)
}
