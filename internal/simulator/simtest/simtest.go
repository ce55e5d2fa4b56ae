// Package simtest runs the Export API simulator inside tests, the way
// net/http/httptest runs a handler: Start serves a simulator over real HTTP
// on a loopback port and shuts both down when the test ends, and Clock is
// an injectable simulator clock that moves only when told.
package simtest

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

// Start builds a simulator from cfg and serves it over real HTTP. An empty
// cfg.WorkDir becomes a temporary directory of the test. The server and the
// simulator are closed when the test ends; a failing Close fails the test.
// The API's base URL is the returned server's URL plus "/0.1".
func Start(t testing.TB, cfg simulator.Config) (*simulator.Server, *httptest.Server) {
	t.Helper()
	if cfg.WorkDir == "" {
		cfg.WorkDir = t.TempDir()
	}
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(func() {
		srv.Close()
		if err := sim.Close(); err != nil {
			t.Errorf("simulator Close: %v", err)
		}
	})
	return sim, srv
}

// Clock is a simulator clock (simulator.Config.Now) that moves only when
// told. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
