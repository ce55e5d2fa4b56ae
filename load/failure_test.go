package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/localpg"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// endlessBatches hands out the same batch forever, one every delay.
type endlessBatches struct {
	rec   arrow.RecordBatch
	delay time.Duration
	sent  atomic.Int64
}

func (s *endlessBatches) Next(ctx context.Context) (arrow.RecordBatch, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(s.delay):
	}
	s.rec.Retain()
	s.sent.Add(1)
	return s.rec, nil
}

func (s *endlessBatches) Rejects() []schema.Reject { return nil }

// newEndless builds an endless source of 2000-row batches of ordersTable.
func newEndless(tb testing.TB, tbl *schema.Table) *endlessBatches {
	var b strings.Builder
	b.WriteString("id,Customer Name,total,created\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "%d,customer %d,%d.50,2024-01-01 10:00:00\n", i, i, i)
	}
	d, err := transform.NewDecoder(context.Background(), strings.NewReader(b.String()), tbl, transform.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	rec, err := d.Next(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return &endlessBatches{rec: rec, delay: 5 * time.Millisecond}
}

// startEndlessLoad runs a replace from an endless source in the background
// and returns once it has sent a few batches.
func startEndlessLoad(t *testing.T, l *Loader, tbl *schema.Table) chan error {
	t.Helper()
	src := newEndless(t, tbl)
	t.Cleanup(func() { src.rec.Release() })
	done := make(chan error, 1)
	go func() {
		_, err := l.Load(context.Background(), Job{Table: tbl, Source: src, ExportID: "endless", ExpectedRows: -1})
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for src.sent.Load() < 20 {
		if time.Now().After(deadline) {
			t.Fatal("the endless load did not start")
		}
		select {
		case err := <-done:
			t.Fatalf("the endless load ended: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return done
}

// checkIntact verifies the published table still holds ordersCSV's rows,
// that no staging table is visible, and that a new load succeeds.
func checkIntact(t *testing.T, pool *pgxpool.Pool, l *Loader, targetSchema, ledgerSchema string) {
	t.Helper()
	e := &env{pool: pool, schema: targetSchema, ledger: ledgerSchema}
	if got := e.rows(t, "orders", "id"); len(got) != 3 || got[0][1] != "Ann" {
		t.Errorf("published table: got %v, want the 3 rows loaded before", got)
	}
	if n := mustScalar[int](t, pool, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ($1, $2) AND c.relname NOT IN ('orders', 'orders_pkey', 'loads', 'rejects', 'loads_pkey', 'loads_target_idx', 'rejects_load_idx', 'loads_id_seq')`,
		targetSchema, ledgerSchema); n != 0 {
		t.Errorf("got %d stray relations, want no staging debris", n)
	}
	res := e.mustLoad(t, l, ordersTable(t), "id,Customer Name,total,created\n4,Next,1,\n", Job{ExportID: "after"})
	if res.Mechanism != MechanismSwap {
		t.Errorf("next load: got %s, want swap", res.Mechanism)
	}
}

func TestConnectionKilledMidCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	done := startEndlessLoad(t, l, ordersTable(t))
	n := mustScalar[int](t, e.pool, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", "mbiload "+e.schema+".orders")
	if n != 1 {
		t.Fatalf("terminated %d backends, want 1", n)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("got success, want the killed load to fail")
		}
		if !Retryable(err) {
			t.Errorf("Retryable(%v) = false, want true", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the load did not notice its connection was killed")
	}
	checkIntact(t, e.pool, l, e.schema, e.ledger)
	hist, err := l.History(context.Background(), 5)
	if err != nil || len(hist) < 2 || hist[1].Status != StatusFailed || hist[1].ExportID != "endless" {
		t.Errorf("ledger: got %+v, %v, want a failed row for the killed load", hist, err)
	}
}

// privateServer starts a PostgreSQL server of the test's own, for tests
// that restart it.
func privateServer(t *testing.T) (*localpg.Server, *pgxpool.Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := localpg.Start(ctx, localpg.Options{Settings: map[string]string{"fsync": "off"}})
	if err != nil {
		t.Fatalf("start a private server: %v", err)
	}
	t.Cleanup(func() { srv.Stop(context.Background()) })
	pool, err := pgxpool.New(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return srv, pool
}

func TestServerRestartMidCopy(t *testing.T) {
	t.Parallel()
	srv, pool := privateServer(t)
	l, err := New(context.Background(), pool, Config{})
	if err == nil {
		err = l.Setup(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pool: pool, schema: DefaultSchema, ledger: DefaultLedgerSchema}
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	done := startEndlessLoad(t, l, ordersTable(t))
	if err := srv.Restart(context.Background(), "immediate"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("got success, want the load to fail")
		}
		if !Retryable(err) {
			t.Errorf("Retryable(%v) = false, want true", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the load did not notice the restart")
	}
	checkIntact(t, pool, l, DefaultSchema, DefaultLedgerSchema)
}

// envChild makes the test binary, re-executed by TestProcessKilledMidCopy,
// run an endless load and wait to be killed.
const envChild = "MBILOAD_LOAD_TEST_CHILD"

// childMain is the child's body: url, target and ledger schema come
// tab-separated in envChild.
func childMain(spec string) int {
	parts := strings.Split(spec, "\t")
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, parts[0])
	if err != nil {
		fmt.Println("child:", err)
		return 2
	}
	l, err := New(ctx, pool, Config{Schema: parts[1], LedgerSchema: parts[2]})
	if err == nil {
		err = l.Setup(ctx)
	}
	if err != nil {
		fmt.Println("child:", err)
		return 2
	}
	tbl := ordersTableFor()
	src := newEndless(nopTB{}, tbl)
	go func() {
		for src.sent.Load() < 20 {
			time.Sleep(5 * time.Millisecond)
		}
		fmt.Println("COPYING")
	}()
	_, err = l.Load(ctx, Job{Table: tbl, Source: src, ExportID: "killed", ExpectedRows: -1})
	fmt.Println("child: load returned", err)
	return 3
}

// nopTB lets helpers that take a testing.TB run in the child process.
type nopTB struct{ testing.TB }

func (nopTB) Helper()                   {}
func (nopTB) Fatal(args ...any)         { panic(fmt.Sprint(args...)) }
func (nopTB) Fatalf(f string, a ...any) { panic(fmt.Sprintf(f, a...)) }

func TestProcessKilledMidCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+strings.Join([]string{os.Getenv("MBILOAD_TEST_DATABASE_URL"), e.schema, e.ledger}, "\t"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case line := <-lines:
		if line != "COPYING" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child said %q, want COPYING", line)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child did not start copying")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines {
		}
	}()
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) {
		t.Fatalf("child: got %v, want it killed", err)
	}
	// The server notices the dead client and rolls back.
	deadline := time.Now().Add(30 * time.Second)
	for mustScalar[int](t, e.pool, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", "mbiload "+e.schema+".orders") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the killed child's session is still there")
		}
		time.Sleep(20 * time.Millisecond)
	}
	checkIntact(t, e.pool, l, e.schema, e.ledger)
}

// TestBadRowLate: a bad value at line 900,000 of a 1,000,000-row export
// fails the load with an error naming table, line and column; the
// published table is intact. -short shrinks it tenfold.
func TestBadRowLate(t *testing.T) {
	t.Parallel()
	rows, badLine := 1_000_000, 900_000
	if testing.Short() {
		rows, badLine = 100_000, 90_000
	}
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := ordersTable(t)
	e.mustLoad(t, l, tbl, ordersCSV, Job{ExportID: "e1"})
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 1<<20)
		w.WriteString("id,Customer Name,total,created\n")
		for i := 2; i <= rows+1; i++ {
			total := fmt.Sprintf("%d.%02d", i%100000, i%100)
			if i == badLine {
				total = `"12..5"`
			}
			fmt.Fprintf(w, "%d,name %d,%s,2024-01-01 00:00:00\n", i, i, total)
		}
		w.Flush()
		pw.Close()
	}()
	d, err := transform.NewDecoder(context.Background(), pr, tbl, transform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = l.Load(context.Background(), Job{Table: tbl, Source: d, ExportID: "big", ExpectedRows: -1})
	pr.CloseWithError(io.ErrClosedPipe)
	var re *transform.RowError
	if !errors.As(err, &re) || re.Line != int64(badLine) || re.Column != "total" {
		t.Fatalf("got %v, want a row error at line %d, column total", err, badLine)
	}
	if Retryable(err) {
		t.Errorf("Retryable(%v) = true, want false for a data error", err)
	}
	for _, want := range []string{`"orders"`, fmt.Sprint("line ", badLine), "total"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if got := e.rows(t, "orders", "id"); len(got) != 3 {
		t.Errorf("got %d rows, want the 3 published before", len(got))
	}
}

// TestCancelMidCopy: cancelling the context (Ctrl-C, SIGTERM) stops the
// load promptly with nothing published.
func TestCancelMidCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	src := newEndless(t, ordersTable(t))
	defer src.rec.Release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := l.Load(ctx, Job{Table: ordersTable(t), Source: src, ExportID: "endless", ExpectedRows: -1})
		done <- err
	}()
	for deadline := time.Now().Add(30 * time.Second); src.sent.Load() < 10; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the endless load sent %d batches in 30 s, want 10", src.sent.Load())
		}
	}
	cancel()
	start := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
		if Retryable(err) {
			t.Errorf("Retryable(%v) = true, want false", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the load did not stop")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("stopping took %v", took)
	}
	checkIntact(t, e.pool, l, e.schema, e.ledger)
}
