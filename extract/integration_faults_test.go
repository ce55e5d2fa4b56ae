package extract_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
)

// TestIntegrationRateLimit checks that a 429's Retry-After (the simulator's
// smallest, 1 s) is waited out before the retry, that a Retry-After longer
// than the retry budget ends the loop at once, and that a throttled request
// succeeds once the throttling stops. The cases run in parallel: two of them
// wait a real second.
func TestIntegrationRateLimit(t *testing.T) {
	tests := []struct {
		name      string
		rate      float64
		seed      int64
		retry     extract.RetryPolicy
		wantErr   error
		attempts  int           // requests sent
		minGap    time.Duration // between a 429 and the next request
		maxElapse time.Duration
	}{
		{
			name: "retry-after honoured until attempts are spent", rate: 1,
			retry:   extract.RetryPolicy{MaxAttempts: 2, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxElapsed: 10 * time.Second},
			wantErr: extract.ErrRateLimited, attempts: 2, minGap: time.Second, maxElapse: 5 * time.Second,
		},
		{
			name: "retry-after beyond the budget gives up at once", rate: 1,
			retry:   extract.RetryPolicy{MaxAttempts: 5, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxElapsed: 200 * time.Millisecond},
			wantErr: extract.ErrRateLimited, attempts: 1, maxElapse: 500 * time.Millisecond,
		},
		{
			name: "throttled then served", rate: 0.5, seed: 11,
			retry:    extract.RetryPolicy{MaxAttempts: 5, InitialDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxElapsed: 10 * time.Second},
			attempts: -1, minGap: time.Second, maxElapse: 5 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := mustSim(t, simulator.Config{ThrottleRate: tt.rate, Seed: tt.seed}, func(c *extract.Config) { c.Retry = tt.retry })
			start := time.Now()
			figs, err := env.c.Figures(context.Background())
			elapsed := time.Since(start)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tt.wantErr)
			}
			var apiErr *extract.APIError
			if tt.wantErr != nil && (!errors.As(err, &apiErr) || apiErr.RetryAfter != time.Second) {
				t.Errorf("err: got %#v, want an APIError with RetryAfter 1s", err)
			}
			if tt.wantErr == nil && len(figs) != 2 {
				t.Errorf("figures: got %d, want 2", len(figs))
			}
			exs := env.net.exchanges("/figure")
			if tt.attempts >= 0 && len(exs) != tt.attempts {
				t.Errorf("requests: got %d, want %d", len(exs), tt.attempts)
			}
			throttled := 0
			for i, ex := range exs {
				if ex.status != 429 {
					continue
				}
				throttled++
				if i+1 < len(exs) {
					if gap := exs[i+1].at.Sub(ex.at); gap < tt.minGap {
						t.Errorf("retry %d came %v after the 429, want at least %v", i+1, gap, tt.minGap)
					}
				}
			}
			if throttled == 0 {
				t.Errorf("no 429 met: the test proves nothing (pick another seed)")
			}
			if elapsed > tt.maxElapse {
				t.Errorf("took %v, want at most %v", elapsed, tt.maxElapse)
			}
		})
	}
}

// TestIntegrationServerErrors checks that steady 5xx answers end in
// ErrServer after exactly MaxAttempts requests, and that a request meeting
// bursts of them succeeds.
func TestIntegrationServerErrors(t *testing.T) {
	t.Run("steady", func(t *testing.T) {
		env := mustSim(t, simulator.Config{FaultRate: 1}, func(c *extract.Config) { c.Retry.MaxAttempts = 3 })
		_, err := env.c.Tables(context.Background())
		var apiErr *extract.APIError
		if !errors.Is(err, extract.ErrServer) || !errors.As(err, &apiErr) || apiErr.Status < 500 {
			t.Fatalf("err: got %v, want ErrServer", err)
		}
		if !strings.Contains(err.Error(), "giving up after 3 attempts") {
			t.Errorf("err: got %q, want it to count the attempts", err)
		}
		if n := len(env.net.exchanges("/table")); n != 3 {
			t.Errorf("requests: got %d, want 3", n)
		}
	})
	t.Run("bursts", func(t *testing.T) {
		env := mustSim(t, simulator.Config{FaultRate: 0.6, Seed: 7}, func(c *extract.Config) { c.Retry.MaxAttempts = 30 })
		for i := range 20 {
			if _, err := env.c.Tables(context.Background()); err != nil {
				t.Fatalf("Tables call %d: %v", i+1, err)
			}
		}
		st := env.net.statuses()
		if st[200] != 20 || st[500]+st[502]+st[503] < 10 {
			t.Errorf("answers: got %v, want 20 successes after many 5xx", st)
		}
		if !strings.Contains(env.log.String(), "retrying API request") {
			t.Errorf("log: want a line per retry")
		}
	})
}

// TestIntegrationChaos tours every endpoint through 5xx answers, 429s
// without Retry-After, connection resets, latency and downloads cut mid-body:
// the client must return exactly what it returns from a healthy simulator.
func TestIntegrationChaos(t *testing.T) {
	healthy, _ := tour(t, mustSim(t, simulator.Config{Now: newSimClock().Now, Seed: 42}, nil).c) // the seed sets the update job id
	// Every download answer is cut (each cut leaves at least a byte, so
	// resuming always progresses): the tour downloads one export, and at a
	// lower rate whether it was cut at all depended on the seed's dice.
	env := mustSim(t, simulator.Config{
		Now: newSimClock().Now, Seed: 42,
		FaultRate: 0.25, ThrottleRate: 0.15, RetryAfter: -1, ResetRate: 0.15, DropRate: 1, Latency: time.Millisecond,
	}, func(c *extract.Config) { c.Retry.MaxAttempts = 25 })
	got, noise := tour(t, env.c)
	for _, d := range tourDiff(got, healthy) {
		t.Errorf("differs from the healthy tour: %s", d)
	}
	st := env.net.statuses()
	for _, s := range []int{0, 429} {
		if st[s] == 0 {
			t.Errorf("answers: got %v, want some with status %d (0: reset)", st, s)
		}
	}
	if st[500]+st[502]+st[503] == 0 {
		t.Errorf("answers: got %v, want some 5xx", st)
	}
	if noise.Resumes == 0 {
		t.Errorf("resumes: got 0, want the cut downloads resumed")
	}
}

// TestIntegrationResume downloads one export repeatedly from a simulator
// that cuts 60% of downloads mid-body: every download, resumed or not, must
// have the SHA-256 of the clean ones. The same holds when the server ignores
// Range and the client must re-read from the start, and across simulators
// (the zip is deterministic for a seed and clock).
func TestIntegrationResume(t *testing.T) {
	const resumeScale = 1500 // a zip of about 80 KB
	healthy := mustSim(t, simulator.Config{Now: newSimClock().Now, Tables: simulator.Generated(resumeScale, 1)}, nil)
	exp := mustCompletedExport(t, healthy.c, "1")
	dl, _, content := mustDownload(t, healthy.c, exp.ID)
	reference := dl.SHA256
	if dl.Size < 50_000 {
		t.Fatalf("zip: got %d bytes, want a sizeable download", dl.Size)
	}

	tests := []struct {
		name   string
		quirks simulator.Quirks
		seed   int64
	}{
		{name: "range requests", seed: 3},
		{name: "server ignores range", quirks: simulator.Quirks{IgnoreRange: true}, seed: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := mustSim(t, simulator.Config{
				Now: newSimClock().Now, Tables: simulator.Generated(resumeScale, 1), DropRate: 0.6, Seed: tt.seed, Quirks: tt.quirks,
			}, func(c *extract.Config) { c.Retry.MaxAttempts = 20 })
			exp := mustCompletedExport(t, env.c, "1")
			clean, resumed := 0, 0
			for i := range 6 {
				dl, _, got := mustDownload(t, env.c, exp.ID)
				if dl.Resumes == 0 {
					clean++
				} else {
					resumed++
				}
				if dl.SHA256 != reference {
					t.Errorf("download %d (%d resumes): got SHA-256 %s, want %s", i+1, dl.Resumes, dl.SHA256, reference)
				}
				if got != content {
					t.Errorf("download %d: csv differs", i+1)
				}
			}
			if clean == 0 || resumed == 0 {
				t.Errorf("downloads: got %d clean and %d resumed, want some of each", clean, resumed)
			}
			ranged := 0
			for _, ex := range env.net.exchanges("/export/" + string(exp.ID)) {
				if ex.status == 206 {
					ranged++
				}
			}
			if tt.quirks.IgnoreRange != (ranged == 0) {
				t.Errorf("206 answers: got %d, want some only when Range is honoured", ranged)
			}
			if !strings.Contains(env.log.String(), "export download interrupted; resuming") {
				t.Errorf("log: want a line per resume")
			}
		})
	}
}

// TestIntegrationWait checks WaitExport against the simulator's ExportDelay:
// the export is reported Pending, then Completed after the delay.
func TestIntegrationWait(t *testing.T) {
	const delay = 50 * time.Millisecond
	env := mustSim(t, simulator.Config{ExportDelay: delay}, func(c *extract.Config) {
		c.Poll = extract.PollPolicy{Initial: 5 * time.Millisecond, Max: 10 * time.Millisecond, Timeout: 10 * time.Second}
	})
	ctx := context.Background()
	start := time.Now()
	exp, err := env.c.CreateTableExport(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	if exp.Status != extract.StatusPending {
		t.Errorf("new export: got %q, want Pending", exp.Status)
	}
	done, err := env.c.WaitExport(ctx, exp.ID)
	if err != nil {
		t.Fatalf("WaitExport: %v", err)
	}
	if done.Status != extract.StatusCompleted || done.CompletedAt.IsZero() {
		t.Errorf("export: got %+v, want Completed with completed_at", done)
	}
	if d := time.Since(start); d < delay {
		t.Errorf("completed after %v, want at least the %v delay", d, delay)
	}
	if n := len(env.net.exchanges("/info")); n < 3 || n > 20 {
		t.Errorf("polls: got %d, want a few (every 5-10ms for 50ms)", n)
	}

	t.Run("timeout", func(t *testing.T) {
		env := mustSim(t, simulator.Config{ExportDelay: time.Hour}, func(c *extract.Config) {
			c.Poll = extract.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, Timeout: 30 * time.Millisecond}
		})
		exp, err := env.c.CreateTableExport(ctx, "2")
		if err != nil {
			t.Fatal(err)
		}
		last, err := env.c.WaitExport(ctx, exp.ID)
		if !errors.Is(err, extract.ErrWaitTimeout) || last.Status != extract.StatusPending {
			t.Errorf("got %q and %v, want Pending and ErrWaitTimeout", last.Status, err)
		}
	})
}

// TestIntegrationWaitThroughFaults checks that WaitExport outlasts polls that
// fail even after their retries: the waiting client retries nothing, the
// simulator fails half the requests, and the export completes (on the
// simulator's clock) only after the tenth poll.
func TestIntegrationWaitThroughFaults(t *testing.T) {
	ctx := context.Background()
	clock := newSimClock()
	env := mustSim(t, simulator.Config{Now: clock.Now, ExportDelay: time.Hour, FaultRate: 0.5, Seed: 5}, nil)
	exp, err := env.c.CreateTableExport(ctx, "3") // this client retries
	if err != nil {
		t.Fatal(err)
	}
	c, net, logs := mustClient(t, env.srv, func(c *extract.Config) { c.Retry.MaxAttempts = 1 })
	var polls atomic.Int32
	net.after = func(ex exchange) {
		if strings.HasSuffix(ex.path, "/info") && polls.Add(1) == 10 {
			clock.Advance(time.Hour)
		}
	}
	done, err := c.WaitExport(ctx, exp.ID)
	if err != nil {
		t.Fatalf("WaitExport: %v", err)
	}
	if done.Status != extract.StatusCompleted {
		t.Errorf("status: got %q, want Completed", done.Status)
	}
	failed := 0
	for _, ex := range net.exchanges("/info") {
		if ex.status >= 500 {
			failed++
		}
	}
	if failed == 0 || polls.Load() < 11 {
		t.Errorf("polls: got %d with %d failed, want more than 10 and some failed", polls.Load(), failed)
	}
	if got := strings.Count(logs.String(), "export status poll failed"); got != failed {
		t.Errorf("warnings: got %d, want one per failed poll (%d)", got, failed)
	}
}
