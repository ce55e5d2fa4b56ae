package extract

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewBaseURL(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		insecure bool
		wantErr  error
		wantBase string
	}{
		{name: "default", url: "", wantBase: DefaultBaseURL},
		{name: "https", url: "https://api.example.com/0.1/", wantBase: "https://api.example.com/0.1"},
		{name: "http localhost", url: "http://localhost:8089/0.1", wantBase: "http://localhost:8089/0.1"},
		{name: "http 127.0.0.1", url: "http://127.0.0.1:8089", wantBase: "http://127.0.0.1:8089"},
		{name: "http 127.8.9.10", url: "http://127.8.9.10", wantBase: "http://127.8.9.10"},
		{name: "http ::1", url: "http://[::1]:8089/0.1", wantBase: "http://[::1]:8089/0.1"},
		{name: "http remote refused", url: "http://api.example.com/0.1", wantErr: ErrInsecureURL},
		{name: "http private IP refused", url: "http://10.0.0.5:8089", wantErr: ErrInsecureURL},
		{name: "http localhost lookalike refused", url: "http://localhost.example.com", wantErr: ErrInsecureURL},
		{name: "http remote allowed", url: "http://api.example.com/0.1", insecure: true, wantBase: "http://api.example.com/0.1"},
		{name: "ftp", url: "ftp://api.example.com", wantErr: ErrBadConfig},
		{name: "no host", url: "https:///0.1", wantErr: ErrBadConfig},
		{name: "credentials", url: "https://u:p@api.example.com", wantErr: ErrBadConfig},
		{name: "query", url: "https://api.example.com/0.1?x=1", wantErr: ErrBadConfig},
		{name: "unparsable", url: "https://a b/%zz", wantErr: ErrBadConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{BaseURL: tt.url, APIKey: testKey, InsecureHTTP: tt.insecure})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err: got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.baseURL() != tt.wantBase {
				t.Errorf("base: got %s, want %s", c.baseURL(), tt.wantBase)
			}
		})
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "no key", cfg: Config{}},
		{name: "key with newline", cfg: Config{APIKey: testKey + "\r\nX-Evil: 1"}},
		{name: "key with space", cfg: Config{APIKey: "abc def"}},
		{name: "client id with slash", cfg: Config{APIKey: testKey, ClientID: "12/../13"}},
		{name: "negative attempts", cfg: Config{APIKey: testKey, Retry: RetryPolicy{MaxAttempts: -1}}},
		{name: "max delay below initial", cfg: Config{APIKey: testKey, Retry: RetryPolicy{InitialDelay: time.Second, MaxDelay: time.Millisecond}}},
		{name: "negative poll", cfg: Config{APIKey: testKey, Poll: PollPolicy{Timeout: -time.Second}}},
		{name: "poll max below initial", cfg: Config{APIKey: testKey, Poll: PollPolicy{Initial: time.Minute, Max: time.Second}}},
		{name: "negative stall", cfg: Config{APIKey: testKey, StallTimeout: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if !errors.Is(err, ErrBadConfig) {
				t.Fatalf("err: got %v, want ErrBadConfig", err)
			}
			if tt.cfg.APIKey != "" && strings.Contains(err.Error(), tt.cfg.APIKey) {
				t.Errorf("err %q quotes the key", err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{APIKey: testKey})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	want := Config{
		BaseURL: DefaultBaseURL, APIKey: testKey,
		Retry:        RetryPolicy{MaxAttempts: 6, InitialDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, MaxElapsed: 5 * time.Minute},
		Poll:         PollPolicy{Initial: time.Second, Max: 60 * time.Second, Timeout: 6 * time.Hour},
		StallTimeout: defaultStallTimeout,
	}
	got := c.cfg
	if got.BaseURL != want.BaseURL || got.Retry != want.Retry || got.Poll != want.Poll || got.StallTimeout != want.StallTimeout {
		t.Errorf("defaults: got %v, want %v", got, want)
	}
	if !strings.HasPrefix(got.UserAgent, "mbiload/") || got.Logger == nil {
		t.Errorf("defaults: user agent %q, logger %v", got.UserAgent, got.Logger)
	}
	if c.http.Timeout != 0 {
		t.Errorf("HTTP client timeout: got %v, want none (it would cut large downloads)", c.http.Timeout)
	}
	tr, ok := c.http.Transport.(*http.Transport)
	if !ok || tr.ResponseHeaderTimeout == 0 || tr.TLSHandshakeTimeout == 0 {
		t.Errorf("transport: got %T without header/handshake timeouts", c.http.Transport)
	}
}

// TestCallerHTTPClientUntouched checks that New copies the caller's client
// rather than changing its redirect policy.
func TestCallerHTTPClientUntouched(t *testing.T) {
	hc := &http.Client{}
	if _, err := New(Config{APIKey: testKey, HTTPClient: hc}); err != nil {
		t.Fatalf("New: %v", err)
	}
	if hc.CheckRedirect != nil {
		t.Error("New changed the caller's http.Client")
	}
}

// TestRedirects checks that a redirect within the API's host is followed,
// and one elsewhere is refused before the key is sent there.
func TestRedirects(t *testing.T) {
	var elsewhereHits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhereHits.Add(1)
		w.Write([]byte(`[]`))
	}))
	defer elsewhere.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /figure", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/0.1/figures-moved", http.StatusFound)
	})
	mux.HandleFunc("GET /figures-moved", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[{"id":1,"name":"a"}]`))
	})
	mux.HandleFunc("GET /chart", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusFound)
	})
	env := mustEnv(t, mux, nil)

	figs, err := env.c.Figures(context.Background())
	if err != nil || len(figs) != 1 {
		t.Errorf("same-host redirect: got %v, %v, want one figure", figs, err)
	}
	_, err = env.c.Charts(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refusing redirect") {
		t.Errorf("cross-host redirect: got %v, want a refusal", err)
	}
	if elsewhereHits.Load() != 0 {
		t.Errorf("the other host got %d requests, want 0", elsewhereHits.Load())
	}
}
