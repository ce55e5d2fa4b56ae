package extract

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hangUp closes the connection without answering; with reset it sends a TCP
// RST (SO_LINGER 0), so the client sees ECONNRESET rather than EOF.
func hangUp(reset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tcp, ok := conn.(*net.TCPConn); ok && reset {
			tcp.SetLinger(0)
		}
		conn.Close()
	}
}

// cutJSON announces a long body, sends a prefix and aborts the connection.
func cutJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(200)
	io.WriteString(w, `{"exports":[`)
	http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

// TestRetries checks which failures are retried and how many attempts are
// made, with MaxAttempts 4.
func TestRetries(t *testing.T) {
	ok := reply(200, `{"exports":[{"export_id":1}]}`)
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		tune     func(*Config)
		attempts int
		wantErr  error // nil: success
	}{
		{name: "503 then success", handler: sequence(reply(503, ""), reply(503, ""), ok), attempts: 3},
		{name: "500 until spent", handler: reply(500, ""), attempts: 4, wantErr: ErrServer},
		{name: "429 then success", handler: sequence(reply(429, ""), ok), attempts: 2},
		{name: "400 not retried", handler: reply(400, ""), attempts: 1, wantErr: ErrBadRequest},
		{name: "403 not retried", handler: reply(403, ""), attempts: 1, wantErr: ErrForbidden},
		{name: "404 not retried", handler: reply(404, ""), attempts: 1, wantErr: ErrNotFound},
		{name: "410 not retried", handler: reply(410, ""), attempts: 1, wantErr: ErrExpired},
		{name: "connection closed", handler: sequence(hangUp(false), hangUp(false), ok), attempts: 3},
		{name: "connection reset", handler: sequence(hangUp(true), ok), attempts: 2},
		{name: "body cut short", handler: sequence(cutJSON, ok), attempts: 2},
		{
			name: "response header timeout",
			handler: sequence(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
			}, ok),
			tune: func(c *Config) {
				c.HTTPClient = &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 50 * time.Millisecond}}
			},
			attempts: 2,
		},
		{
			name: "body stalls",
			handler: sequence(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				io.WriteString(w, `{"exports":[`)
				http.NewResponseController(w).Flush()
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
			}, ok),
			tune:     func(c *Config) { c.StallTimeout = 50 * time.Millisecond },
			attempts: 2,
		},
		{name: "MaxAttempts 1 disables retries", handler: reply(503, ""), tune: func(c *Config) { c.Retry.MaxAttempts = 1 }, attempts: 1, wantErr: ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, tt.handler, tt.tune)
			exps, err := env.c.Exports(context.Background())
			if got := env.rec.count(); got != tt.attempts {
				t.Errorf("attempts: got %d, want %d", got, tt.attempts)
			}
			if tt.wantErr == nil {
				if err != nil || len(exps) != 1 {
					t.Fatalf("got %v, %v, want one export", exps, err)
				}
				if tt.attempts > 1 && !strings.Contains(env.log.String(), "retrying API request") {
					t.Errorf("log: no retry line in %q", env.log.String())
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tt.wantErr)
			}
			if tt.attempts > 1 && !strings.Contains(err.Error(), "giving up after "+strconv.Itoa(tt.attempts)+" attempts") {
				t.Errorf("err: got %q, want it to say how many attempts", err)
			}
		})
	}
}

// TestPostRetried checks that a form POST is resent whole on a retry.
func TestPostRetried(t *testing.T) {
	env := mustEnv(t, sequence(reply(502, ""), reply(201, `{"export_id":9}`)), nil)
	exp, err := env.c.CopyExport(context.Background(), "51", "again")
	if err != nil || exp.ID != "9" {
		t.Fatalf("got %+v, %v", exp, err)
	}
	for i, r := range env.rec.requests() {
		if r.Form.Get("name") != "again" {
			t.Errorf("attempt %d form: got %v, want name=again", i+1, r.Form)
		}
	}
}

// TestRetryDelays checks the back-off and Retry-After waits on a fake clock.
func TestRetryDelays(t *testing.T) {
	soon := time.Date(2026, 11, 26, 2, 0, 3, 0, time.UTC) // fake clock starts at 02:00:00
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		policy     RetryPolicy
		wantSleeps []time.Duration // each wait must be within [w/2, w]; Retry-After waits exactly w
		exact      []bool
		wantErr    error
	}{
		{
			name:       "exponential and capped",
			handler:    reply(503, ""),
			policy:     RetryPolicy{MaxAttempts: 6, InitialDelay: 100 * time.Millisecond, MaxDelay: 300 * time.Millisecond, MaxElapsed: time.Hour},
			wantSleeps: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond},
			exact:      []bool{false, false, false, false, false},
			wantErr:    ErrServer,
		},
		{
			name: "Retry-After seconds honoured beyond MaxDelay",
			handler: sequence(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "7")
				w.WriteHeader(429)
			}, reply(200, `[]`)),
			policy:     RetryPolicy{MaxAttempts: 3, InitialDelay: 10 * time.Millisecond, MaxDelay: time.Second, MaxElapsed: time.Minute},
			wantSleeps: []time.Duration{7 * time.Second},
			exact:      []bool{true},
		},
		{
			name: "Retry-After HTTP date",
			handler: sequence(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", soon.Format(http.TimeFormat))
				w.WriteHeader(503)
			}, reply(200, `[]`)),
			policy:     RetryPolicy{MaxAttempts: 3, InitialDelay: 10 * time.Millisecond, MaxDelay: time.Second, MaxElapsed: time.Minute},
			wantSleeps: []time.Duration{3 * time.Second},
			exact:      []bool{true},
		},
		{
			name: "Retry-After beyond MaxElapsed gives up at once",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(429)
			},
			policy:  RetryPolicy{MaxAttempts: 3, InitialDelay: 10 * time.Millisecond, MaxDelay: time.Second, MaxElapsed: time.Minute},
			wantErr: ErrRateLimited,
		},
		{
			name:       "MaxElapsed bounds the attempts",
			handler:    reply(500, ""),
			policy:     RetryPolicy{MaxAttempts: 100, InitialDelay: time.Second, MaxDelay: time.Second, MaxElapsed: 2500 * time.Millisecond},
			wantSleeps: []time.Duration{time.Second, time.Second}, // a third wait could overrun 2.5 s only when the first two were long
			exact:      []bool{false, false},
			wantErr:    ErrServer,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, tt.handler, func(c *Config) { c.Retry = tt.policy })
			fc := installFakeClock(env.c)
			_, err := env.c.Exports(context.Background())
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tt.wantErr)
			}
			sleeps := fc.recorded()
			if tt.name == "MaxElapsed bounds the attempts" {
				var total time.Duration
				for _, s := range sleeps {
					total += s
				}
				if len(sleeps) < 2 || len(sleeps) > 4 || total > tt.policy.MaxElapsed {
					t.Fatalf("sleeps: got %v, want 2–4 waits totalling at most %v", sleeps, tt.policy.MaxElapsed)
				}
				return
			}
			if len(sleeps) != len(tt.wantSleeps) {
				t.Fatalf("sleeps: got %v, want %d waits like %v", sleeps, len(tt.wantSleeps), tt.wantSleeps)
			}
			for i, w := range tt.wantSleeps {
				lo := w / 2
				if tt.exact[i] {
					lo = w
				}
				if sleeps[i] < lo || sleeps[i] > w {
					t.Errorf("wait %d: got %v, want within [%v, %v]", i+1, sleeps[i], lo, w)
				}
			}
			if n := env.rec.count(); n != len(sleeps)+1 {
				t.Errorf("attempts: got %d, want %d", n, len(sleeps)+1)
			}
		})
	}
}

// TestRetryAfterRecorded checks that the Retry-After a server sent is on the
// APIError.
func TestRetryAfterRecorded(t *testing.T) {
	env := mustEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(429)
	}), nil)
	_, err := env.c.Exports(context.Background())
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.RetryAfter != 2*time.Minute {
		t.Fatalf("got %v, want an APIError with RetryAfter 2m", err)
	}
	if env.rec.count() != 1 {
		t.Errorf("attempts: got %d, want 1 (120 s does not fit in MaxElapsed 10 s)", env.rec.count())
	}
}

// TestRetryCancel checks that cancelling ctx ends a back-off wait at once.
func TestRetryCancel(t *testing.T) {
	env := mustEnv(t, reply(503, ""), func(c *Config) {
		c.Retry = RetryPolicy{MaxAttempts: 5, InitialDelay: time.Minute, MaxDelay: time.Minute, MaxElapsed: time.Hour}
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	_, err := env.c.Exports(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err: got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("returned after %v, want promptly", d)
	}
	if !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("err %q should carry the last error", err)
	}
}

// TestRetryable checks the classification on error values directly.
func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "500", err: &APIError{Status: 500}, want: true},
		{name: "429", err: &APIError{Status: 429}, want: true},
		{name: "404", err: &APIError{Status: 404}},
		{name: "wrapped 503", err: errors.Join(errors.New("x"), &APIError{Status: 503}), want: true},
		{name: "unexpected EOF", err: io.ErrUnexpectedEOF, want: true},
		{name: "stall", err: &stallError{idle: time.Second}, want: true},
		{name: "canceled", err: context.Canceled},
		{name: "bad response", err: ErrBadResponse},
		{name: "plain", err: errors.New("connection reset by peer")}, // text is never matched
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.err); got != tt.want {
				t.Errorf("got %t, want %t", got, tt.want)
			}
		})
	}
}
