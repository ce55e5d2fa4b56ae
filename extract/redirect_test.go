package extract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// keyWatch records whether a server ever received the API key, in any
// header or in the URL.
type keyWatch struct {
	hits atomic.Int32
	mu   sync.Mutex
	seen []string // where the key was seen
}

func (k *keyWatch) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k.hits.Add(1)
		k.mu.Lock()
		for name, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, testKey) {
					k.seen = append(k.seen, "header "+name)
				}
			}
		}
		if strings.Contains(r.URL.String(), testKey) {
			k.seen = append(k.seen, "URL")
		}
		k.mu.Unlock()
		h(w, r)
	}
}

func (k *keyWatch) leaks() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.seen...)
}

// TestDownloadRedirects checks downloads handed to another host: an https
// redirect is followed (also onward to a third host, and again when a cut
// transfer resumes with Range) and the API key never reaches any host but
// the API's; https to http is refused; redirects are capped. Every server
// is a real local TLS server, each on its own port.
func TestDownloadRedirects(t *testing.T) {
	payload := bytes.Repeat([]byte("PK-zip-bytes-"), 4096)
	modTime := time.Date(2026, 11, 26, 2, 3, 40, 0, time.UTC)
	tests := []struct {
		name string
		// storage answers the download on the storage host; api is the
		// API's /export/51 handler, given the storage and other URLs.
		storage   func(cuts *atomic.Int32) http.HandlerFunc
		api       func(storageURL, plainURL string) http.HandlerFunc
		wantErr   string
		wantBody  bool
		wantPlain int32 // requests the plain-http server should see
	}{
		{
			name: "followed to an https storage host",
			storage: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.ServeContent(w, r, "51.zip", modTime, bytes.NewReader(payload))
				}
			},
			api: func(storageURL, _ string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, storageURL+"/blob/51.zip?sig=abc", http.StatusFound)
				}
			},
			wantBody: true,
		},
		{
			name: "onward from storage to a second storage port, and resumed",
			storage: func(cuts *atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/first" {
						http.Redirect(w, r, "/blob/51.zip", http.StatusTemporaryRedirect)
						return
					}
					if r.Header.Get("Range") == "" && cuts.Add(1) == 1 {
						// Cut the first transfer half way.
						w.Header().Set("Content-Length", "53248")
						w.Write(payload[:1000])
						return
					}
					http.ServeContent(w, r, "51.zip", modTime, bytes.NewReader(payload))
				}
			},
			api: func(storageURL, _ string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, storageURL+"/first", http.StatusFound)
				}
			},
			wantBody: true,
		},
		{
			name:    "https to http refused",
			storage: func(*atomic.Int32) http.HandlerFunc { return func(w http.ResponseWriter, r *http.Request) {} },
			api: func(_, plainURL string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, plainURL+"/blob/51.zip", http.StatusFound)
				}
			},
			wantErr: "refusing redirect from https to http://",
		},
		{
			name: "redirect loop capped",
			storage: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
				}
			},
			api: func(storageURL, _ string) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, storageURL+"/loop", http.StatusFound)
				}
			},
			wantErr: "stopped after 5 redirects",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var storageWatch, plainWatch, apiWatch keyWatch
			var cuts atomic.Int32
			storage := httptest.NewTLSServer(storageWatch.wrap(tt.storage(&cuts)))
			defer storage.Close()
			plain := httptest.NewServer(plainWatch.wrap(func(w http.ResponseWriter, r *http.Request) { w.Write(payload) }))
			defer plain.Close()
			api := httptest.NewTLSServer(apiWatch.wrap(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-RJM-API-Key") != testKey {
					w.WriteHeader(http.StatusForbidden)
					return
				}
				tt.api(storage.URL, plain.URL)(w, r)
			}))
			defer api.Close()

			var logs bytes.Buffer
			cfg := testConfig(api.URL+"/0.1", &logs)
			cfg.HTTPClient = api.Client() // trusts the test certificate both servers use
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			body, err := c.openExport(context.Background(), "51")
			var got []byte
			if err == nil {
				got, err = io.ReadAll(body)
				body.Close()
			}
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err: got %v, want one holding %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Errorf("download: %v", err)
			case tt.wantBody && !bytes.Equal(got, payload):
				t.Errorf("body: got %d bytes, want the %d of the export", len(got), len(payload))
			}
			if apiWatch.hits.Load() == 0 || len(apiWatch.leaks()) == 0 {
				t.Errorf("the API got %d requests with the key in %v, want the key there", apiWatch.hits.Load(), apiWatch.leaks())
			}
			if leaks := storageWatch.leaks(); len(leaks) > 0 {
				t.Errorf("the storage host got the API key in %v over %d requests", leaks, storageWatch.hits.Load())
			}
			if tt.wantBody && storageWatch.hits.Load() == 0 {
				t.Errorf("the storage host got no request")
			}
			if n := plainWatch.hits.Load(); n != tt.wantPlain {
				t.Errorf("the plain-http host got %d requests, want %d", n, tt.wantPlain)
			}
			if strings.Contains(logs.String(), testKey) || (err != nil && strings.Contains(err.Error(), testKey)) {
				t.Errorf("the key appears in the logs or the error")
			}
		})
	}
}

// TestAPIRedirectStaysOnHost checks that an API call (not a download) is
// still refused a redirect to another https host, before any request is
// sent there.
func TestAPIRedirectStaysOnHost(t *testing.T) {
	var elsewhere keyWatch
	other := httptest.NewTLSServer(elsewhere.wrap(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`[]`)) }))
	defer other.Close()
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/figure", http.StatusFound)
	}))
	defer api.Close()
	cfg := testConfig(api.URL+"/0.1", io.Discard)
	cfg.HTTPClient = api.Client()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Figures(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refusing redirect") {
		t.Errorf("err: got %v, want a refusal", err)
	}
	if errors.Is(err, ErrBadResponse) {
		t.Errorf("err: got %v, want a refused redirect, not a bad response", err)
	}
	if n := elsewhere.hits.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want 0", n)
	}
}
