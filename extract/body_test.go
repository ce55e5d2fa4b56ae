package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// exportServer serves payload as GET /export/51, honouring "Range: bytes=N-"
// (unless ignoreRange) and If-Range, and cutting the n-th response at the
// absolute byte cuts[n] (by aborting the connection) while cuts last.
type exportServer struct {
	payload     []byte
	etag        string
	ignoreRange bool
	noLength    bool                    // chunked: no Content-Length
	rangeStart  func(asked int64) int64 // lie about the range served, when set
	stall       bool                    // stall instead of aborting at a cut

	mu   sync.Mutex
	cuts []int64
}

func (s *exportServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	cut := int64(-1)
	if len(s.cuts) > 0 {
		cut, s.cuts = s.cuts[0], s.cuts[1:]
	}
	s.mu.Unlock()
	size := int64(len(s.payload))
	start := int64(0)
	if v := r.Header.Get("Range"); v != "" && !s.ignoreRange {
		if ir := r.Header.Get("If-Range"); ir == "" || ir == s.etag {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(v, "bytes="), "-"), 10, 64)
			if err != nil || n >= size {
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				return
			}
			start = n
		}
	}
	if s.etag != "" {
		w.Header().Set("ETag", s.etag)
	}
	w.Header().Set("Content-Type", "application/zip")
	served := start
	if s.rangeStart != nil && start > 0 {
		served = s.rangeStart(start)
	}
	if !s.noLength {
		w.Header().Set("Content-Length", strconv.FormatInt(size-served, 10))
	}
	if start > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", served, size-1, size))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	end := size
	if cut >= 0 && cut < size {
		end = max(cut, served)
	}
	w.Write(s.payload[served:end])
	if end < size {
		http.NewResponseController(w).Flush()
		if s.stall {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}
		panic(http.ErrAbortHandler)
	}
}

func mustPayload(t testing.TB, n int) []byte {
	t.Helper()
	r := rand.NewChaCha8([32]byte{7})
	p := make([]byte, n)
	r.Read(p)
	return p
}

func mustReadBody(t testing.TB, c *Client) ([]byte, *exportBody, error) {
	t.Helper()
	b, err := c.openExport(context.Background(), "51")
	if err != nil {
		return nil, nil, err
	}
	defer b.Close()
	data, err := io.ReadAll(b)
	return data, b, err
}

// TestBodyResume checks that cut transfers are resumed from the byte
// reached and deliver exactly the payload.
func TestBodyResume(t *testing.T) {
	const size = 300_000
	tests := []struct {
		name        string
		srv         *exportServer
		wantResumes int
		wantRanges  []string // Range header of each request
		wantIfRange string
		stall       time.Duration // StallTimeout, when not the default
	}{
		{
			name:        "one cut",
			srv:         &exportServer{cuts: []int64{100_000}},
			wantResumes: 1,
			wantRanges:  []string{"", "bytes=100000-"},
		},
		{
			name:        "three cuts, with If-Range",
			srv:         &exportServer{etag: `"v1"`, cuts: []int64{1, 150_000, 299_999}},
			wantResumes: 3,
			wantRanges:  []string{"", "bytes=1-", "bytes=150000-", "bytes=299999-"},
			wantIfRange: `"v1"`,
		},
		{
			name:        "cut before any byte",
			srv:         &exportServer{cuts: []int64{0}},
			wantResumes: 1,
			wantRanges:  []string{"", ""},
		},
		{
			name:        "server ignores Range",
			srv:         &exportServer{ignoreRange: true, cuts: []int64{120_000, 200_000}},
			wantResumes: 2,
			wantRanges:  []string{"", "bytes=120000-", "bytes=200000-"},
		},
		{
			name:        "no Content-Length",
			srv:         &exportServer{noLength: true, cuts: []int64{50_000}},
			wantResumes: 1,
			wantRanges:  []string{"", "bytes=50000-"},
		},
		{
			name:        "stalled mid-body",
			srv:         &exportServer{stall: true, cuts: []int64{70_000}},
			stall:       100 * time.Millisecond,
			wantResumes: 1,
			wantRanges:  []string{"", "bytes=70000-"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.srv.payload = mustPayload(t, size)
			env := mustEnv(t, tt.srv, func(c *Config) { c.StallTimeout = tt.stall })
			data, b, err := mustReadBody(t, env.c)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(data, tt.srv.payload) {
				t.Fatalf("content: got %d bytes differing from the %d-byte payload", len(data), size)
			}
			if b.Resumes() != tt.wantResumes {
				t.Errorf("resumes: got %d, want %d", b.Resumes(), tt.wantResumes)
			}
			if b.Size() != size { // without Content-Length, learnt from the 206's Content-Range
				t.Errorf("size: got %d, want %d", b.Size(), size)
			}
			reqs := env.rec.requests()
			if len(reqs) != len(tt.wantRanges) {
				t.Fatalf("requests: got %d, want %d", len(reqs), len(tt.wantRanges))
			}
			for i, r := range reqs {
				if r.Range != tt.wantRanges[i] {
					t.Errorf("request %d Range: got %q, want %q", i+1, r.Range, tt.wantRanges[i])
				}
				if r.Range != "" && r.IfRange != tt.wantIfRange {
					t.Errorf("request %d If-Range: got %q, want %q", i+1, r.IfRange, tt.wantIfRange)
				}
				if r.Key != testKey || r.AcceptEncoding != "identity" || r.Method != "GET" || r.Path != "/0.1/export/51" {
					t.Errorf("request %d: got %s %s key-ok=%t Accept-Encoding %q", i+1, r.Method, r.Path, r.Key == testKey, r.AcceptEncoding)
				}
			}
			if !strings.Contains(env.log.String(), "export download interrupted") {
				t.Errorf("log: no resume line")
			}
		})
	}
}

// TestBodyServeContent resumes against net/http's own Range support.
func TestBodyServeContent(t *testing.T) {
	payload := mustPayload(t, 200_000)
	var mu sync.Mutex
	first := true
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cut := first
		first = false
		mu.Unlock()
		if cut {
			w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
			w.Header().Set("ETag", `"abc"`)
			w.Write(payload[:80_000])
			http.NewResponseController(w).Flush()
			panic(http.ErrAbortHandler)
		}
		w.Header().Set("ETag", `"abc"`)
		http.ServeContent(w, r, "export.zip", time.Time{}, bytes.NewReader(payload))
	})
	env := mustEnv(t, h, nil)
	data, b, err := mustReadBody(t, env.c)
	if err != nil || !bytes.Equal(data, payload) || b.Resumes() != 1 {
		t.Fatalf("got %d bytes (equal %t), %d resumes, %v; want the payload after 1 resume", len(data), bytes.Equal(data, payload), b.Resumes(), err)
	}
}

// TestBodyFailures covers downloads that cannot complete.
func TestBodyFailures(t *testing.T) {
	payload := mustPayload(t, 100_000)
	tests := []struct {
		name    string
		handler http.Handler
		wantErr error
		onOpen  bool // the error comes from openExport rather than Read
	}{
		{name: "404 not complete", handler: reply(404, `{"code":404,"message":"Not Found"}`), wantErr: ErrNotFound, onOpen: true},
		{name: "410 expired", handler: reply(410, `{"code":410,"message":"Gone"}`), wantErr: ErrExpired, onOpen: true},
		{name: "403", handler: reply(403, ``), wantErr: ErrForbidden, onOpen: true},
		{
			name:    "expires mid-download",
			handler: sequence((&exportServer{payload: payload, cuts: []int64{10_000}}).ServeHTTP, reply(410, "")),
			wantErr: ErrExpired,
		},
		{
			name:    "always cut short",
			handler: &exportServer{payload: payload, cuts: []int64{10_000, 20_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000}},
			wantErr: ErrLengthMismatch,
		},
		{
			name:    "ETag changes",
			handler: sequence((&exportServer{payload: payload, etag: `"a"`, cuts: []int64{10_000}}).ServeHTTP, (&exportServer{payload: payload, etag: `"b"`}).ServeHTTP),
			wantErr: ErrBadResponse,
		},
		{
			name: "length changes",
			handler: sequence((&exportServer{payload: payload, cuts: []int64{10_000}, ignoreRange: true}).ServeHTTP,
				(&exportServer{payload: payload[:90_000], ignoreRange: true}).ServeHTTP),
			wantErr: ErrLengthMismatch,
		},
		{
			name:    "wrong range served",
			handler: &exportServer{payload: payload, cuts: []int64{10_000}, rangeStart: func(n int64) int64 { return n - 5 }},
			wantErr: ErrBadResponse,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, tt.handler, nil)
			data, _, err := mustReadBody(t, env.c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tt.wantErr)
			}
			if tt.onOpen && data != nil {
				t.Errorf("openExport returned a body despite %v", err)
			}
			if !strings.Contains(err.Error(), "export 51") {
				t.Errorf("err %q does not name the export", err)
			}
		})
	}
}

// TestBodyCancel checks that cancelling ctx ends a read in progress.
func TestBodyCancel(t *testing.T) {
	payload := mustPayload(t, 100_000)
	env := mustEnv(t, &exportServer{payload: payload, stall: true, cuts: []int64{1000}}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	b, err := env.c.openExport(ctx, "51")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer b.Close()
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	_, err = io.ReadAll(b)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err: got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("returned after %v, want promptly", d)
	}
}

// TestBodyClose checks reads after Close fail.
func TestBodyClose(t *testing.T) {
	env := mustEnv(t, &exportServer{payload: mustPayload(t, 1000)}, nil)
	b, err := env.c.openExport(context.Background(), "51")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := b.Read(make([]byte, 10)); err == nil {
		t.Error("read after close: got nil error")
	}
}
