package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/testlog"
)

// TestPublishLockWaitSaid: a publish kept waiting by a reader longer than
// a few seconds says so on the console (a warning) while it waits, naming
// the table and the reader's pid and application_name; once the reader
// lets go, the load goes through.
func TestPublishLockWaitSaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var logs testlog.Buffer
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

// TestLockHolderAge: a LockError says how long the holder has been in its
// transaction up to the moment it gave up — not up to the start of the
// load's own transaction (now()), which once made a holder of 14 s read
// "in a transaction for 7s".
func TestLockHolderAge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{LockTimeout: 3 * time.Second, PublishLockTry: 500 * time.Millisecond})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	ctx := context.Background()
	reader, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback(ctx)
	if _, err := reader.Exec(ctx, "SELECT 1 FROM "+e.schema+".orders"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	time.Sleep(time.Second)
	_, err = e.load(t, l, ordersTable(t), "id,Customer Name,total,created\n5,E,1,\n", Job{ExportID: "e2"})
	held := time.Since(began)
	var le *LockError
	if !errors.As(err, &le) || len(le.Holders) != 1 {
		t.Fatalf("got %v, want a LockError with one holder", err)
	}
	var secs int
	if _, err := fmt.Sscanf(le.Holders[0][strings.Index(le.Holders[0], "in a transaction for ")+len("in a transaction for "):], "%ds", &secs); err != nil {
		t.Fatalf("holder %q: %v", le.Holders[0], err)
	}
	if got := time.Duration(secs) * time.Second; got < held-time.Second || got > held+2*time.Second {
		t.Errorf("holder %q: got %v in its transaction, want about %v", le.Holders[0], got, held.Round(time.Second))
	}
}
