package load

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockedLoad starts a load whose source blocks before its first batch
// until release is closed; started is closed once the load holds its lock.
func blockedLoad(t *testing.T, e *env, l *Loader, exportID string) (started, release chan struct{}, done chan error) {
	t.Helper()
	tbl := ordersTable(t)
	src := decodeAll(t, tbl, ordersCSV)
	started, release, done = make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once bool
	src.next = func(ctx context.Context, k int) error {
		if !once {
			once = true
			close(started)
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	go func() {
		_, err := l.Load(context.Background(), Job{Table: tbl, Source: src, ExportID: exportID, ExpectedRows: -1})
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("blocked load ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("blocked load did not start")
	}
	return started, release, done
}

func TestLoadLockTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, release, done := blockedLoad(t, e, e.loader(t, Config{}), "e1")
	impatient := e.loader(t, Config{LockTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := e.load(t, impatient, ordersTable(t), ordersCSV, Job{ExportID: "e2"})
	var le *LockError
	if !errors.As(err, &le) || !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("got %v, want a LockError", err)
	}
	if took := time.Since(start); took < 200*time.Millisecond || took > 10*time.Second {
		t.Errorf("gave up after %v, want about 200ms", took)
	}
	if len(le.Holders) != 1 || !strings.Contains(le.Holders[0], "mbiload "+e.schema+".orders") || !strings.Contains(err.Error(), "another mbiload run") {
		t.Errorf("got %q, holders %q, want the holder's pid and application_name", err, le.Holders)
	}
	nowait := e.loader(t, Config{LockTimeout: -1})
	if _, err := e.load(t, nowait, ordersTable(t), ordersCSV, Job{ExportID: "e3"}); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("LockTimeout < 0: got %v, want ErrLockTimeout at once", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("holder: %v", err)
	}
}

func TestLoadLockWaits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, release, done := blockedLoad(t, e, e.loader(t, Config{}), "e1")
	// first lets the first load go and returns its error; it runs at the
	// latest when the test ends, failed or not.
	first := sync.OnceValue(func() error { close(release); return <-done })
	t.Cleanup(func() { first() })
	second := make(chan error, 1)
	go func() {
		_, err := e.load(t, e.loader(t, Config{}), ordersTable(t), "id,Customer Name,total,created\n42,Second,1,\n", Job{ExportID: "e2"})
		second <- err
	}()
	// The second load waits for the table's advisory lock, which the
	// first holds.
	for deadline := time.Now().Add(30 * time.Second); mustScalar[int](t, e.pool, `SELECT count(*) FROM pg_stat_activity
WHERE application_name = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`, "mbiload "+e.schema+".orders") == 0; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-second:
			t.Fatalf("second load finished while the first held the table: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the second load never waited for the table's lock")
		}
	}
	if err := first(); err != nil {
		t.Fatalf("first: %v", err)
	}
	if err := <-second; err != nil {
		t.Fatalf("second: %v", err)
	}
	if got := e.rows(t, "orders", "id"); len(got) != 1 || got[0][1] != "Second" {
		t.Errorf("got %v, want the second load's row (it ran after the first)", got)
	}
}

// TestPublishLockTimeout: a reader that keeps the table open longer than
// LockTimeout makes the publish give up with a clear error; the old table
// is intact.
func TestPublishLockTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{LockTimeout: 400 * time.Millisecond, PublishLockTry: 100 * time.Millisecond})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	ctx := context.Background()
	reader, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback(ctx)
	var pid int
	if err := reader.QueryRow(ctx, "SELECT pg_backend_pid() FROM "+e.schema+".orders LIMIT 1").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	_, err = e.load(t, l, ordersTable(t), "id,Customer Name,total,created\n5,E,1,\n", Job{ExportID: "e2"})
	var le *LockError
	if !errors.As(err, &le) || !strings.Contains(le.What, "publish") || len(le.Holders) == 0 || !strings.Contains(le.Holders[0], "pid ") {
		t.Fatalf("got %v, want a publish LockError naming the reader", err)
	}
	if want := fmt.Sprintf("pid %d", pid); !strings.Contains(strings.Join(le.Holders, ","), want) {
		t.Errorf("holders: got %q, want %s", le.Holders, want)
	}
	reader.Rollback(ctx)
	if got := e.rows(t, "orders", "id"); len(got) != 3 {
		t.Errorf("got %d rows, want the old 3", len(got))
	}
	// A reader that lets go in time: the publish retries and succeeds.
	reader2, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader2.Exec(ctx, "SELECT 1 FROM "+e.schema+".orders"); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, func() { reader2.Rollback(ctx) })
	patient := e.loader(t, Config{LockTimeout: 10 * time.Second, PublishLockTry: 50 * time.Millisecond})
	if _, err := e.load(t, patient, ordersTable(t), "id,Customer Name,total,created\n5,E,1,\n", Job{ExportID: "e2"}); err != nil {
		t.Fatalf("patient load: %v", err)
	}
}
