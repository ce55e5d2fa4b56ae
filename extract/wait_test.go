package extract

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func statusReply(status string) http.HandlerFunc {
	return reply(200, `{"export_id":51,"name":"orders","status":"`+status+`"}`)
}

func TestWaitExport(t *testing.T) {
	noRetry := func(c *Config) { c.Retry.MaxAttempts = 1 }
	tests := []struct {
		name    string
		handler http.HandlerFunc
		tune    func(*Config)
		polls   int
		want    Status
		wantErr error
		wantLog string // a text the log must hold
	}{
		{name: "pending then completed", handler: sequence(statusReply("Pending"), statusReply("pending"), statusReply("completed")), polls: 3, want: StatusCompleted},
		{name: "already completed", handler: statusReply("Completed"), polls: 1, want: StatusCompleted},
		{name: "unknown status keeps polling", handler: sequence(statusReply("Queued"), statusReply(""), statusReply("Completed")), polls: 3, want: StatusCompleted},
		{name: "error", handler: sequence(statusReply("Pending"), statusReply("ERROR")), polls: 2, want: StatusError, wantErr: ErrExportFailed},
		{name: "unknown export", handler: reply(404, `{"code":404,"message":"Not Found"}`), polls: 1, wantErr: ErrNotFound},
		{name: "transient failure retried", handler: sequence(statusReply("Pending"), reply(503, ""), statusReply("Completed")), polls: 3, want: StatusCompleted},
		{
			name: "5xx after retries keeps polling", handler: sequence(reply(503, ""), statusReply("Pending"), reply(502, ""), statusReply("Completed")),
			tune: noRetry, polls: 4, want: StatusCompleted, wantLog: "export status poll failed",
		},
		{
			name: "429 after retries keeps polling", handler: sequence(reply(429, ""), statusReply("Completed")),
			tune: noRetry, polls: 2, want: StatusCompleted, wantLog: "export status poll failed",
		},
		{
			name: "connection reset after retries keeps polling", handler: sequence(hangUp(true), hangUp(false), statusReply("Completed")),
			tune: noRetry, polls: 3, want: StatusCompleted, wantLog: "export status poll failed",
		},
		{name: "403 ends the wait", handler: sequence(statusReply("Pending"), reply(403, "")), tune: noRetry, polls: 2, want: StatusPending, wantErr: ErrForbidden},
		{name: "400 ends the wait", handler: reply(400, ""), tune: noRetry, polls: 1, wantErr: ErrBadRequest},
		{name: "unusable answer ends the wait", handler: reply(200, `[`), tune: noRetry, polls: 1, wantErr: ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, tt.handler, tt.tune)
			exp, err := env.c.WaitExport(context.Background(), "51")
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tt.wantErr)
			}
			if exp.Status != tt.want {
				t.Errorf("status: got %q, want %q", exp.Status, tt.want)
			}
			if got := env.rec.count(); got != tt.polls {
				t.Errorf("polls: got %d, want %d", got, tt.polls)
			}
			for _, r := range env.rec.requests() {
				if r.Method != "GET" || r.Path != "/0.1/export/51/info" {
					t.Errorf("poll: got %s %s, want GET /0.1/export/51/info", r.Method, r.Path)
				}
			}
			if !strings.Contains(env.log.String(), tt.wantLog) {
				t.Errorf("log: got %q, want it to hold %q", env.log.String(), tt.wantLog)
			}
		})
	}
}

// TestWaitExportPacing checks the waits on a fake clock: a first poll at
// once, Initial before the second, then waits growing 1.5–2× to Max, and the
// timeout.
func TestWaitExportPacing(t *testing.T) {
	env := mustEnv(t, statusReply("Pending"), func(c *Config) {
		c.Poll = PollPolicy{Initial: time.Second, Max: 60 * time.Second, Timeout: 10 * time.Minute}
	})
	fc := installFakeClock(env.c)
	exp, err := env.c.WaitExport(context.Background(), "51")
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err: got %v, want ErrWaitTimeout", err)
	}
	if exp.Status != StatusPending {
		t.Errorf("status: got %q, want the last seen, Pending", exp.Status)
	}
	sleeps := fc.recorded()
	if sleeps[0] != time.Second {
		t.Errorf("first wait: got %v, want 1s", sleeps[0])
	}
	var total time.Duration
	for i, s := range sleeps {
		total += s
		if i == 0 || i == len(sleeps)-1 {
			continue // the last wait is cut to the deadline
		}
		prev := sleeps[i-1]
		lo, hi := min(prev*3/2, time.Minute), min(prev*2, time.Minute)
		if s < lo || s > hi {
			t.Errorf("wait %d: got %v after %v, want within [%v, %v]", i+1, s, prev, lo, hi)
		}
	}
	if total != 10*time.Minute {
		t.Errorf("total wait: got %v, want exactly the 10m timeout", total)
	}
	if n := env.rec.count(); n != len(sleeps)+1 || n > 21 {
		t.Errorf("polls: got %d for %d waits, want one at once, one per wait, and few (10 min at ≤ 1/min after the ramp)", n, len(sleeps))
	}
}

// TestWaitExportNoWaitWhenDone checks that an export already complete at the
// first poll costs no sleep.
func TestWaitExportNoWaitWhenDone(t *testing.T) {
	env := mustEnv(t, statusReply("Completed"), func(c *Config) {
		c.Poll = PollPolicy{Initial: time.Hour, Max: time.Hour, Timeout: 6 * time.Hour}
	})
	fc := installFakeClock(env.c)
	if _, err := env.c.WaitExport(context.Background(), "51"); err != nil {
		t.Fatalf("WaitExport: %v", err)
	}
	if got := fc.recorded(); len(got) != 0 {
		t.Errorf("sleeps: got %v, want none", got)
	}
}

// TestWaitExportTimeoutWhileFailing checks that polls failing after their
// retries go on until the timeout, which then names the last failure.
func TestWaitExportTimeoutWhileFailing(t *testing.T) {
	env := mustEnv(t, reply(503, `{"code":503,"message":"maintenance window"}`), func(c *Config) {
		c.Retry.MaxAttempts = 1
		c.Poll = PollPolicy{Initial: time.Second, Max: 60 * time.Second, Timeout: 10 * time.Minute}
	})
	fc := installFakeClock(env.c)
	_, err := env.c.WaitExport(context.Background(), "51")
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err: got %v, want ErrWaitTimeout", err)
	}
	if !strings.Contains(err.Error(), "maintenance window") {
		t.Errorf("err: got %q, want it to name the last failure", err)
	}
	var total time.Duration
	for _, s := range fc.recorded() {
		total += s
	}
	if total != 10*time.Minute {
		t.Errorf("total wait: got %v, want the 10m timeout", total)
	}
	if n := env.rec.count(); n < 5 || n > 21 {
		t.Errorf("polls: got %d, want several but polite", n)
	}
	if got := strings.Count(env.log.String(), "export status poll failed"); got != env.rec.count()-1 {
		t.Errorf("warnings: got %d, want one per failed poll but the last (%d)", got, env.rec.count()-1)
	}
}

// TestWaitExportTimeout checks the real-clock timeout with short intervals.
func TestWaitExportTimeout(t *testing.T) {
	env := mustEnv(t, statusReply("Pending"), func(c *Config) {
		c.Poll = PollPolicy{Initial: 2 * time.Millisecond, Max: 5 * time.Millisecond, Timeout: 40 * time.Millisecond}
	})
	start := time.Now()
	_, err := env.c.WaitExport(context.Background(), "51")
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err: got %v, want ErrWaitTimeout", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 5*time.Second {
		t.Errorf("returned after %v, want about 40ms", d)
	}
}

// TestWaitExportCancel checks that cancelling ctx ends the wait at once.
func TestWaitExportCancel(t *testing.T) {
	env := mustEnv(t, statusReply("Pending"), func(c *Config) {
		c.Poll = PollPolicy{Initial: time.Hour, Max: time.Hour, Timeout: 6 * time.Hour}
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := env.c.WaitExport(ctx, "51")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err: got %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("returned after %v, want promptly", d)
	}
	if env.rec.count() != 1 {
		t.Errorf("polls: got %d, want only the first, made at once", env.rec.count())
	}
}

// TestRecreateExport covers the copy path and the fallback to a new table
// export when the copy is refused.
func TestRecreateExport(t *testing.T) {
	tests := []struct {
		name      string
		exp       Export
		copyReply http.HandlerFunc
		wantPaths []string
		wantID    string
		wantErr   error
	}{
		{
			name: "copy", exp: Export{ID: "51", TableID: "3"}, copyReply: reply(201, `{"export_id":60,"status":"Pending"}`),
			wantPaths: []string{"POST /0.1/export/51/copy", "GET /0.1/export/60/info"}, wantID: "60",
		},
		{
			name: "copy gone, table exported again", exp: Export{ID: "51", TableID: "3"}, copyReply: reply(410, ""),
			wantPaths: []string{"POST /0.1/export/51/copy", "POST /0.1/client/12/table/3/export", "GET /0.1/export/70/info"}, wantID: "70",
		},
		{
			name: "copy not found, no table id", exp: Export{ID: "51"}, copyReply: reply(404, ""),
			wantPaths: []string{"POST /0.1/export/51/copy"}, wantErr: ErrNotFound,
		},
		{
			name: "copy forbidden is not worked around", exp: Export{ID: "51", TableID: "3"}, copyReply: reply(403, ""),
			wantPaths: []string{"POST /0.1/export/51/copy"}, wantErr: ErrForbidden,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("POST /export/51/copy", tt.copyReply)
			mux.Handle("POST /client/12/table/3/export", reply(201, `{"export_id":70,"status":"Pending"}`))
			mux.Handle("GET /export/{id}/info", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reply(200, `{"export_id":`+r.PathValue("id")+`,"status":"Completed"}`)(w, r)
			}))
			env := mustEnv(t, mux, nil)
			got, err := env.c.RecreateExport(context.Background(), tt.exp)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && (string(got.ID) != tt.wantID || got.Status != StatusCompleted) {
				t.Errorf("export: got %+v, want id %s Completed", got, tt.wantID)
			}
			var paths []string
			for _, r := range env.rec.requests() {
				paths = append(paths, r.Method+" "+r.Path)
			}
			if len(paths) != len(tt.wantPaths) {
				t.Fatalf("requests: got %v, want %v", paths, tt.wantPaths)
			}
			for i := range paths {
				if paths[i] != tt.wantPaths[i] {
					t.Errorf("request %d: got %s, want %s", i+1, paths[i], tt.wantPaths[i])
				}
			}
		})
	}
}
