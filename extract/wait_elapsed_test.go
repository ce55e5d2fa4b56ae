package extract

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWaitExportTimeoutSaysElapsed: a wait whose last poll took long ends
// after more than its timeout; the error says how long it really waited
// (14s), not the timeout (7s) alone.
func TestWaitExportTimeoutSaysElapsed(t *testing.T) {
	var fc *fakeClock
	slowPoll := func(w http.ResponseWriter, r *http.Request) {
		fc.mu.Lock()
		fc.now = fc.now.Add(13 * time.Second) // a poll that hangs, then answers
		fc.mu.Unlock()
		statusReply("Pending")(w, r)
	}
	env := mustEnv(t, sequence(statusReply("Pending"), slowPoll), func(c *Config) {
		c.Retry.MaxAttempts = 1
		c.Poll = PollPolicy{Initial: time.Second, Max: time.Second, Timeout: 7 * time.Second}
	})
	fc = installFakeClock(env.c)
	_, err := env.c.WaitExport(context.Background(), "51")
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err: got %v, want ErrWaitTimeout", err)
	}
	if !strings.Contains(err.Error(), "after 14s") {
		t.Errorf("err: got %q, want it to say it waited 14s", err)
	}
}
