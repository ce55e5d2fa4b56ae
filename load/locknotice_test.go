package load

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPublishLockWaitSaid: a publish kept waiting by a reader longer than
// a few seconds says so on the console (a warning) while it waits, naming
// the table and the reader's pid and application_name; once the reader
// lets go, the load goes through.
func TestPublishLockWaitSaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var logs syncBuffer
	l := e.loader(t, Config{LockTimeout: time.Minute, PublishLockTry: 300 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	ctx := context.Background()
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	reader, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback(ctx)
	var pid int
	if err := reader.QueryRow(ctx, "SELECT set_config('application_name', 'weekly report', true), pg_backend_pid() FROM "+e.schema+".orders LIMIT 1").Scan(new(string), &pid); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.load(t, l, ordersTable(t), "id,Customer Name,total,created\n5,E,1,\n", Job{ExportID: "e2"})
		done <- err
	}()
	waitFor(t, func() bool { return strings.Contains(logs.String(), "waiting to publish") })
	got := logs.String()
	for _, want := range []string{"level=WARN", "orders", fmt.Sprintf("pid %d", pid), "weekly report"} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q does not say %q", got, want)
		}
	}
	reader.Rollback(ctx)
	if err := <-done; err != nil {
		t.Fatalf("load: %v", err)
	}
}
