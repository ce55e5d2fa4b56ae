package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/internal/testlog"
	"github.com/mbiload/mbiload/schema"
)

const (
	// cliKey is the key the test simulators accept; distinctive so that leak
	// checks cannot match by accident.
	cliKey = "sk-CLICANARY-0b5e55ed-never-print"
	// cliScale is the generated sales_order's row count.
	cliScale = 200
	// cliFirstExport is the id of the first export of each test simulator.
	cliFirstExport = 500
)

// result is what one run of the CLI printed and its exit code.
type result struct {
	code           int
	stdout, stderr string
}

// output is stdout and stderr together, for leak checks.
func (r result) output() string { return r.stdout + r.stderr }

// runCLI runs the CLI as main does (flags after positional arguments
// allowed, errors mapped to exit codes) with args after the program name.
func runCLI(ctx context.Context, args ...string) result {
	return runCLITo(ctx, new(testlog.Buffer), args...)
}

// runCLITo is runCLI writing stderr to stderr, which the test may read
// while the command runs.
func runCLITo(ctx context.Context, stderr *testlog.Buffer, args ...string) result {
	var stdout bytes.Buffer
	app := newApp(strings.NewReader(""), &stdout, stderr)
	err := app.RunContext(ctx, interspersed(app, append([]string{"mbiload"}, args...)))
	code := exitCode(err, stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// cliSim is a simulator served over HTTP for CLI tests.
type cliSim struct {
	sim *simulator.Server
	url string // the API base URL, ".../0.1"
	c   *extract.Client
}

// api returns the global flags that point the CLI at the simulator, followed
// by args.
func (s *cliSim) api(args ...string) []string {
	return append([]string{"--api-url", s.url, "--api-key", cliKey, "--client-id", "12"}, args...)
}

// mustCLISim starts a simulator for CLI tests. Zero fields of cfg get the
// test key, client 12, a generated warehouse of cliScale orders, the first
// export id 500 and a temporary work directory.
func mustCLISim(t testing.TB, cfg simulator.Config) *cliSim {
	t.Helper()
	if cfg.Key == "" {
		cfg.Key = cliKey
	}
	cfg.ClientID = "12"
	if cfg.Tables == nil {
		cfg.Tables = simulator.Generated(cliScale, 1)
	}
	if cfg.FirstExportID == 0 {
		cfg.FirstExportID = cliFirstExport
	}
	sim, srv := simtest.Start(t, cfg)
	c, err := extract.New(extract.Config{
		BaseURL: srv.URL + "/0.1", APIKey: cfg.Key, ClientID: "12",
		Poll: extract.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, Timeout: 10 * time.Second},
	})
	if err != nil {
		t.Fatalf("extract.New: %v", err)
	}
	return &cliSim{sim: sim, url: srv.URL + "/0.1", c: c}
}

// mustExport creates an export of table through the API (not the CLI) and,
// when wait, waits for it with millisecond polls.
func (s *cliSim) mustExport(t testing.TB, table schema.ID, wait bool) extract.Export {
	t.Helper()
	ctx := context.Background()
	exp, err := s.c.CreateTableExport(ctx, table)
	if err != nil {
		t.Fatalf("CreateTableExport: %v", err)
	}
	if wait {
		if exp, err = s.c.WaitExport(ctx, exp.ID); err != nil {
			t.Fatalf("WaitExport: %v", err)
		}
	}
	return exp
}

// mustJSON decodes the JSON text into a value of type T.
func mustJSON[T any](t testing.TB, text string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("decode JSON %.200q: %v", text, err)
	}
	return v
}

// mustZipCSV checks that data is a zip with exactly one .csv entry and
// returns that entry's records (reading it verifies its CRC-32).
func mustZipCSV(t testing.TB, data []byte) [][]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("open zip (%d bytes): %v", len(data), err)
	}
	if len(zr.File) != 1 || !strings.HasSuffix(zr.File[0].Name, ".csv") {
		t.Fatalf("zip entries: got %d (first %q), want one .csv entry", len(zr.File), zr.File[0].Name)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatalf("open zip entry: %v", err)
	}
	defer rc.Close()
	body, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read zip entry: %v", err)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v", err)
	}
	return recs
}

// fakeClock is an injectable simulator clock that moves only when told.
type fakeClock = simtest.Clock

// mustFreeAddr returns a loopback address with a port that was free a
// moment ago.
func mustFreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
