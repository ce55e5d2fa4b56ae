package extract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/testlog"
)

// testKey is distinctive so that leak checks cannot match by accident.
const testKey = "sk-LEAKCANARY-9f3b7c1e-do-not-print"

// seen is one request as the fake server received it.
type seen struct {
	Method, Path            string
	Key, UserAgent, Ctype   string
	Range, IfRange, Accept  string
	AcceptEncoding, RawBody string
	Form                    url.Values
}

// recorder wraps a handler and records every request it serves.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
	next http.Handler
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, seen{
		Method: r.Method, Path: r.URL.EscapedPath(),
		Key: r.Header.Get("X-RJM-API-Key"), UserAgent: r.Header.Get("User-Agent"),
		Ctype: r.Header.Get("Content-Type"), Range: r.Header.Get("Range"),
		IfRange: r.Header.Get("If-Range"), Accept: r.Header.Get("Accept"),
		AcceptEncoding: r.Header.Get("Accept-Encoding"), RawBody: string(body), Form: form,
	})
	rec.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec.next.ServeHTTP(w, r)
}

func (rec *recorder) requests() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

func (rec *recorder) count() int { return len(rec.requests()) }

// testEnv is a fake API server, a client pointed at it and the client's
// captured log output.
type testEnv struct {
	srv *httptest.Server
	rec *recorder
	c   *Client
	log *testlog.Buffer
}

// testConfig is a config with millisecond policies, suitable for tests.
func testConfig(baseURL string, logw io.Writer) Config {
	return Config{
		BaseURL:  baseURL,
		APIKey:   testKey,
		ClientID: "12",
		Retry:    RetryPolicy{MaxAttempts: 4, InitialDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxElapsed: 10 * time.Second},
		Poll:     PollPolicy{Initial: time.Millisecond, Max: 4 * time.Millisecond, Timeout: 5 * time.Second},
		Logger:   slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// mustEnv starts a fake API serving h under /0.1 and a client for it; tune
// may adjust the config before the client is built.
func mustEnv(t testing.TB, h http.Handler, tune func(*Config)) *testEnv {
	t.Helper()
	rec := &recorder{next: http.StripPrefix("/0.1", h)}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	logs := &testlog.Buffer{}
	cfg := testConfig(srv.URL+"/0.1", logs)
	if tune != nil {
		tune(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &testEnv{srv: srv, rec: rec, c: c, log: logs}
}

// mustFixture reads a file from testdata.
func mustFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

// reply answers every request with status and body.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// sequence answers the n-th request with handlers[n], repeating the last.
func sequence(handlers ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handlers[min(n, len(handlers)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// fakeClock replaces the client's clock: sleeps return at once, advance the
// clock and are recorded.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func installFakeClock(c *Client) *fakeClock {
	fc := &fakeClock{now: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)}
	c.now = func() time.Time {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return fc.now
	}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		fc.mu.Lock()
		fc.sleeps = append(fc.sleeps, d)
		fc.now = fc.now.Add(d)
		fc.mu.Unlock()
		return ctx.Err()
	}
	return fc
}

func (fc *fakeClock) recorded() []time.Duration {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return append([]time.Duration(nil), fc.sleeps...)
}

// errorsIs is errors.Is, short for table tests.
func errorsIs(err, target error) bool { return errors.Is(err, target) }
