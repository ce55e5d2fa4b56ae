package simulator_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

func TestServeShutsDownOnCancel(t *testing.T) {
	sim, err := simulator.New(simulator.Config{Key: testKey, ClientID: testClient, Tables: mustTables(t), WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Serve(ctx, ln) }()

	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/0.1/figure", nil)
	req.Header.Set("X-RJM-API-Key", testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %d, want 200", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("got %v, want a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

func TestCloseRemovesFiles(t *testing.T) {
	work := t.TempDir()
	sim, ts := mustServer(t, simulator.Config{WorkDir: work, FirstExportID: 51})
	mustCreateExport(t, ts, "1")
	mustWaitStatus(t, ts, "51", "Completed")
	if entries, _ := os.ReadDir(work); len(entries) != 1 {
		t.Fatalf("got %d entries in the work dir, want the server's own directory", len(entries))
	}
	if err := sim.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if entries, _ := os.ReadDir(work); len(entries) != 0 {
		t.Errorf("got %d entries after Close, want none", len(entries))
	}
	if r := do(t, ts, http.MethodGet, "/0.1/export", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("got %d after Close, want 503", r.status)
	}
}
