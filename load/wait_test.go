package load

import (
	"sync/atomic"
	"testing"
	"time"
)

// waitCount waits until c reaches n, the count of some reader's reads,
// and fails the test when it has not after 30 s (the reader stalled).
func waitCount(t testing.TB, c *atomic.Int64, n int64) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); c.Load() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("reads: got %d after 30 s, want %d", c.Load(), n)
		}
	}
}
