package load

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ordersCSVOf is an orders export of n rows.
func ordersCSVOf(n int) string {
	var b strings.Builder
	b.WriteString("id,Customer Name,total,created\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,C%d,%d.50,2024-01-02 03:04:05\n", i, i, i)
	}
	return b.String()
}

// TestRefreshInTransaction: a materialized view over a loaded table (and
// one over it, and one over a plain view of it) is refreshed in the load's
// transaction, in dependency order, whatever the mode of the load; a
// reader in another session, comparing the table with the view in one
// statement while the loads run, never sees the new table with the old
// view.
func TestRefreshInTransaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	s := e.schema
	e.mustOrders(t, l,
		"CREATE MATERIALIZED VIEW %s.mv_rev AS SELECT count(*) AS n, sum(total) AS revenue FROM %s.orders",
		"CREATE MATERIALIZED VIEW %s.mv_top AS SELECT n FROM %s.mv_rev",
		"CREATE VIEW %s.v_orders AS SELECT id, total FROM %s.orders",
		"CREATE MATERIALIZED VIEW %s.mv_via AS SELECT count(*) AS n FROM %s.v_orders")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := pgx.Connect(ctx, l.pool.Config().ConnConfig.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var checks, stale atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		q := fmt.Sprintf(`SELECT (SELECT count(*) FROM %[1]s.orders) = (SELECT n FROM %[1]s.mv_rev)
  AND (SELECT n FROM %[1]s.mv_rev) = (SELECT n FROM %[1]s.mv_top)
  AND (SELECT n FROM %[1]s.mv_rev) = (SELECT n FROM %[1]s.mv_via)`, s)
		for ctx.Err() == nil {
			var same bool
			if err := conn.QueryRow(ctx, q).Scan(&same); err != nil {
				if ctx.Err() == nil {
					t.Errorf("reader: %v", err)
				}
				return
			}
			checks.Add(1)
			if !same {
				stale.Add(1)
			}
		}
	}()

	loads := []struct {
		rows int
		mode Mode
	}{{200, ModeReplace}, {5, ModeReplace}, {3000, ModeReplace}, {0, ModeAppend}, {40, ModeMerge}, {7, ModeReplace}}
	for k, ld := range loads {
		csv := ordersCSVOf(ld.rows)
		if ld.mode == ModeAppend {
			csv = "id,Customer Name,total,created\n900001,A,1,\n900002,B,2,\n"
		}
		res := e.mustLoad(t, l, ordersTable(t), csv, Job{ExportID: fmt.Sprintf("r%d", k), Mode: ld.mode})
		var got []string
		for _, v := range res.Views {
			if v.Status != ViewRefreshed || v.How != HowInTransaction {
				t.Errorf("load %d: view %s: %s %s %s, want refreshed in-transaction", k, v.View, v.Status, v.How, v.Error)
			}
			got = append(got, strings.TrimPrefix(v.View, s+"."))
		}
		// mv_top reads mv_rev: it comes after it (mv_via is as deep, through
		// v_orders: by name).
		if want := "mv_rev mv_top mv_via"; strings.Join(got, " ") != want {
			t.Errorf("load %d (%s): refreshed %v, want %s", k, ld.mode, got, want)
		}
		n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+s+".orders")
		if v := mustScalar[int64](t, e.pool, "SELECT n FROM "+s+".mv_top"); v != n {
			t.Errorf("load %d (%s): mv_top says %d rows, the table has %d", k, ld.mode, v, n)
		}
	}
	waitCount(t, &checks, checks.Load()+2) // one begun after the last load
	cancel()
	wg.Wait()
	if checks.Load() < int64(len(loads)) {
		t.Errorf("the reader checked %d times, too few to mean anything", checks.Load())
	}
	if stale.Load() > 0 {
		t.Errorf("the reader saw the table and the views disagree %d times of %d", stale.Load(), checks.Load())
	}
	if got := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+e.ledger+".after_load WHERE kind = 'refresh' AND status = 'refreshed'"); got != int64(3*len(loads)) {
		t.Errorf("the ledger has %d refreshes, want %d", got, 3*len(loads))
	}
}

// TestRefreshConcurrently: in concurrently mode a view with a unique index
// is refreshed CONCURRENTLY after the commit, while a reader holds it open
// (a plain REFRESH would wait for it), and one without is refreshed
// plainly after the commit.
func TestRefreshConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{RefreshViews: RefreshConcurrently, LockTimeout: 3 * time.Second, PublishLockTry: time.Second})
	s := e.schema
	e.mustOrders(t, l,
		"CREATE MATERIALIZED VIEW %s.mv_by_id AS SELECT id, total FROM %s.orders",
		"CREATE UNIQUE INDEX ON %s.mv_by_id (id)",
		"CREATE MATERIALIZED VIEW %s.mv_count AS SELECT count(*) AS n FROM %s.orders")

	reader, err := e.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Rollback(context.Background())
	if _, err := reader.Exec(context.Background(), "SELECT * FROM "+s+".mv_by_id"); err != nil {
		t.Fatal(err)
	}
	res := e.mustLoad(t, l, ordersTable(t), ordersCSVOf(50), Job{ExportID: "e2"})
	want := map[string]bool{s + ".mv_by_id": true, s + ".mv_count": false}
	if len(res.Views) != 2 {
		t.Fatalf("got views %+v, want 2", res.Views)
	}
	for _, v := range res.Views {
		if v.Status != ViewRefreshed || v.How != HowAfterCommit || v.Concurrently != want[v.View] {
			t.Errorf("view %s: %s %s concurrently %v (%s), want refreshed after the commit, concurrently %v",
				v.View, v.Status, v.How, v.Concurrently, v.Error, want[v.View])
		}
	}
	reader.Rollback(context.Background())
	if got := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+s+".mv_by_id"); got != 50 {
		t.Errorf("mv_by_id has %d rows, want 50", got)
	}
	if got := mustScalar[int64](t, e.pool, "SELECT n FROM "+s+".mv_count"); got != 50 {
		t.Errorf("mv_count says %d, want 50", got)
	}
}

// TestRefreshFailure: a view whose refresh fails keeps its old contents
// and is reported (result, warning, ledger); the table is published all
// the same, and the other views are refreshed.
func TestRefreshFailure(t *testing.T) {
	t.Parallel()
	for _, mode := range []RefreshMode{RefreshInTransaction, RefreshConcurrently} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{RefreshViews: mode})
			s := e.schema
			e.mustOrders(t, l,
				"CREATE MATERIALIZED VIEW %s.mv_bad AS SELECT 100 / (count(*) - 1) AS x FROM %s.orders",
				"CREATE MATERIALIZED VIEW %s.mv_good AS SELECT count(*) AS n FROM %s.orders")
			res := e.mustLoad(t, l, ordersTable(t), ordersCSVOf(1), Job{ExportID: "e2"})
			if res.Status != StatusLoaded {
				t.Fatalf("status %s, want loaded", res.Status)
			}
			got := map[string]ViewRefresh{}
			for _, v := range res.Views {
				got[strings.TrimPrefix(v.View, s+".")] = v
			}
			if v := got["mv_bad"]; v.Status != ViewFailed || !strings.Contains(v.Error, "division by zero") || !strings.Contains(v.Error, "mv_bad") {
				t.Errorf("mv_bad: %+v, want failed naming it and the division by zero", v)
			}
			if v := got["mv_good"]; v.Status != ViewRefreshed {
				t.Errorf("mv_good: %+v, want refreshed", v)
			}
			if !strings.Contains(strings.Join(res.Warnings, "\n"), "mv_bad") {
				t.Errorf("warnings %q do not name mv_bad", res.Warnings)
			}
			if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+s+".orders"); n != 1 {
				t.Errorf("the table has %d rows, want the new 1", n)
			}
			if x := mustScalar[int64](t, e.pool, "SELECT x FROM "+s+".mv_bad"); x != 50 {
				t.Errorf("mv_bad says %d, want its old 50", x)
			}
			if n := mustScalar[int64](t, e.pool, "SELECT n FROM "+s+".mv_good"); n != 1 {
				t.Errorf("mv_good says %d, want 1", n)
			}
			if st := mustScalar[string](t, e.pool, "SELECT status FROM "+e.ledger+".loads ORDER BY id DESC LIMIT 1"); st != StatusLoaded {
				t.Errorf("ledger load status %s", st)
			}
			if errText := mustScalar[string](t, e.pool, "SELECT error FROM "+e.ledger+".after_load WHERE name = $1 AND status = 'failed'", s+".mv_bad"); !strings.Contains(errText, "division by zero") {
				t.Errorf("ledger error %q", errText)
			}
		})
	}
}

// TestRefreshDeferred: a view over two tables of the run is left by each
// load to the caller, which refreshes it once after both.
func TestRefreshDeferred(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	s := e.schema
	items := mustTable(t, "items", "id*:int(11)", "qty:int(11)")
	e.mustOrders(t, l)
	e.mustLoad(t, l, items, "id,qty\n1,1\n", Job{ExportID: "i1"})
	mustExec(t, e.pool, "CREATE MATERIALIZED VIEW "+s+".mv_both AS SELECT (SELECT count(*) FROM "+s+".orders) AS o, (SELECT count(*) FROM "+s+".items) AS i")
	mustExec(t, e.pool, "CREATE MATERIALIZED VIEW "+s+".mv_items AS SELECT count(*) AS i FROM "+s+".items")
	r1 := e.mustLoad(t, l, ordersTable(t), ordersCSVOf(10), Job{ExportID: "e2", OtherTargets: []string{"items"}})
	r2 := e.mustLoad(t, l, items, "id,qty\n1,1\n2,2\n", Job{ExportID: "i2", OtherTargets: []string{"orders"}})
	if len(r1.Views) != 1 || r1.Views[0].Status != ViewDeferred || r1.Views[0].How != HowAfterRun {
		t.Errorf("orders' views %+v, want mv_both deferred", r1.Views)
	}
	done := map[string]bool{}
	for _, v := range r2.Views {
		if v.Status != ViewDeferred {
			done[v.View] = true
		}
	}
	if len(done) != 1 || !done[s+".mv_items"] {
		t.Errorf("items' views %+v, want mv_items refreshed and mv_both deferred", r2.Views)
	}
	if o := mustScalar[int64](t, e.pool, "SELECT o FROM "+s+".mv_both"); o != 3 {
		t.Errorf("mv_both refreshed by a load: o = %d, want the old 3", o)
	}
	got, err := l.RefreshViews(context.Background(), "run1", []string{"orders", "items"}, done)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].View != s+".mv_both" || got[0].Status != ViewRefreshed || strings.Join(got[0].Tables, ",") != s+".items,"+s+".orders" {
		t.Errorf("RefreshViews: %+v, want mv_both refreshed once, reading both", got)
	}
	if both := queryText(t, e.pool, "SELECT o, i FROM "+s+".mv_both"); both[0][0] != "10" || both[0][1] != "2" {
		t.Errorf("mv_both says %v, want 10 and 2", both)
	}
	plan, err := l.PlanViews(context.Background(), []string{"orders", "items"})
	if err != nil || len(plan) != 2 {
		t.Fatalf("PlanViews: %+v %v", plan, err)
	}
}

// TestRefreshInTransactionConcurrently: in the load's transaction a view
// with a unique index is refreshed CONCURRENTLY: a reader holding it open
// does not hold up the load, and a snapshot taken before the commit reads
// the old table and the old view together. A view without one is
// refreshed plainly, which PostgreSQL does not make MVCC-safe: that
// snapshot reads its new rows (as documented in load/README.md).
func TestRefreshInTransactionConcurrently(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{LockTimeout: 3 * time.Second, PublishLockTry: time.Second})
	s := e.schema
	e.mustOrders(t, l,
		"CREATE TABLE %s.other (x int)",
		"CREATE MATERIALIZED VIEW %s.mv_u AS SELECT count(*) AS n, 1 AS k FROM %s.orders",
		"CREATE UNIQUE INDEX ON %s.mv_u (k)",
		"CREATE MATERIALIZED VIEW %s.mv_plain AS SELECT count(*) AS n FROM %s.orders")
	ctx := context.Background()
	holder, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, "SELECT * FROM "+s+".mv_u"); err != nil {
		t.Fatal(err)
	}
	old, err := e.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback(ctx)
	if _, err := old.Exec(ctx, "SELECT * FROM "+s+".other"); err != nil {
		t.Fatal(err)
	}
	res := e.mustLoad(t, l, ordersTable(t), ordersCSVOf(20), Job{ExportID: "e2"})
	conc := map[string]bool{}
	for _, v := range res.Views {
		if v.Status != ViewRefreshed || v.How != HowInTransaction {
			t.Errorf("view %s: %s %s (%s), want refreshed in-transaction", v.View, v.Status, v.How, v.Error)
		}
		conc[strings.TrimPrefix(v.View, s+".")] = v.Concurrently
	}
	if !conc["mv_u"] || conc["mv_plain"] {
		t.Errorf("concurrently: %v, want mv_u only", conc)
	}
	var table, u, plain int64
	if err := old.QueryRow(ctx, "SELECT (SELECT count(*) FROM "+s+".orders), (SELECT n FROM "+s+".mv_u), (SELECT n FROM "+s+".mv_plain)").Scan(&table, &u, &plain); err != nil {
		t.Fatal(err)
	}
	if table != 3 || u != 3 {
		t.Errorf("the old snapshot reads %d rows and mv_u %d, want the old 3 and 3", table, u)
	}
	if plain != 20 {
		t.Errorf("the old snapshot reads mv_plain %d: PostgreSQL's plain REFRESH shows it the new 20 (update load/README.md if this changed)", plain)
	}
}

// TestRefreshLetsViewReadersIn: a plain refresh meeting a long reader of
// the view takes its lock in attempts, so that new readers of the view
// are not queued behind it; it refreshes once the long reader is done.
func TestRefreshLetsViewReadersIn(t *testing.T) {
	t.Parallel()
	for _, mode := range []RefreshMode{RefreshInTransaction, RefreshConcurrently} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{RefreshViews: mode, LockTimeout: 20 * time.Second, PublishLockTry: 200 * time.Millisecond})
			s := e.schema
			e.mustOrders(t, l, "CREATE MATERIALIZED VIEW %s.mv AS SELECT count(*) AS n FROM %s.orders")
			ctx := context.Background()
			long, err := e.pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer long.Rollback(ctx)
			if _, err := long.Exec(ctx, "SELECT * FROM "+s+".mv"); err != nil {
				t.Fatal(err)
			}
			done := make(chan Result, 1)
			go func() {
				res, err := e.load(t, l, ordersTable(t), ordersCSVOf(9), Job{ExportID: "e2"})
				if err != nil {
					t.Errorf("load: %v", err)
				}
				done <- res
			}()
			// Wait for the refresh to wait for the view.
			deadline := time.Now().Add(15 * time.Second)
			for mustScalar[int64](t, e.pool, `SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.relation = $1::regclass AND NOT l.granted`, s+".mv") == 0 {
				select {
				case res := <-done:
					t.Fatalf("the load ended without waiting for the view: %+v", res)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("the refresh never waited for the view's lock: %v", queryText(t, e.pool, "SELECT a.pid, a.state, a.wait_event_type, left(a.query, 80), l.relation::regclass, l.mode, l.granted FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'relation' WHERE a.application_name LIKE 'mbiload%'"))
				}
				time.Sleep(20 * time.Millisecond)
			}
			// New readers get in, several attempts long.
			for k := 0; k < 5; k++ {
				var n int64
				rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				err := e.pool.QueryRow(rctx, "SELECT n FROM "+s+".mv").Scan(&n)
				cancel()
				if err != nil || n != 3 {
					t.Fatalf("reader %d: %d, %v; want the old 3 without waiting for the refresh", k, n, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			long.Rollback(ctx)
			res := <-done
			if len(res.Views) != 1 || res.Views[0].Status != ViewRefreshed {
				t.Fatalf("views %+v, want mv refreshed", res.Views)
			}
			if n := mustScalar[int64](t, e.pool, "SELECT n FROM "+s+".mv"); n != 9 {
				t.Errorf("mv says %d, want 9", n)
			}
		})
	}
}

// TestRefreshAfterSwap: a materialized view reading the table through a
// plain view does not stop a swap (the view is re-pointed), and is
// refreshed over the new table in the same transaction.
func TestRefreshAfterSwap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	s := e.schema
	e.mustOrders(t, l,
		"CREATE VIEW %s.v_orders AS SELECT id, total FROM %s.orders",
		"CREATE MATERIALIZED VIEW %s.mv AS SELECT count(*) AS n FROM %s.v_orders")
	res := e.mustLoad(t, l, ordersTable(t), ordersCSVOf(12), Job{ExportID: "e2"})
	if res.Mechanism != MechanismSwap {
		t.Errorf("mechanism %s (%s), want swap", res.Mechanism, res.MechanismReason)
	}
	if len(res.Views) != 1 || res.Views[0].Status != ViewRefreshed || res.Views[0].How != HowInTransaction {
		t.Errorf("views %+v, want mv refreshed in-transaction", res.Views)
	}
	if n := mustScalar[int64](t, e.pool, "SELECT n FROM "+s+".mv"); n != 12 {
		t.Errorf("mv says %d, want 12", n)
	}
}
