package load

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestReplaceOldSnapshotReaders: a REPEATABLE READ or SERIALIZABLE
// transaction that took its snapshot before a replace (by reading another
// table, as a report reading several tables from one snapshot does) and
// reads the table only after the replace committed must find one whole
// version of it — never an empty table. An in-place refill deletes the
// old rows (MVCC-safe) rather than truncating them, so such a reader sees
// the old rows; a swap publishes rows COPYed FREEZE, visible to every
// snapshot, so it sees the new ones. A reader in READ COMMITTED that
// reads while the refill holds its lock (a changed column aside, an
// in-place refill lets readers in) sees the old rows.
func TestReplaceOldSnapshotReaders(t *testing.T) {
	t.Parallel()
	const newCSV = "id,Customer Name,total,created\n7,Gus,1,\n8,Hal,2,\n"
	oldIDs, newIDs := "1,2,3", "7,8"
	mechanisms := []struct {
		name      string
		setup     []string // %s is the schema
		mechanism string
		want      string // the ids the old snapshot sees
	}{
		{"swap", nil, MechanismSwap, newIDs},
		{"in place (trigger)", []string{
			"CREATE FUNCTION %s.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
			"CREATE TRIGGER t BEFORE INSERT ON %s.orders FOR EACH ROW EXECUTE FUNCTION %s.noop()"}, MechanismInPlace, oldIDs},
		{"in place keyed (a user's column)", []string{"ALTER TABLE %s.orders ADD COLUMN note text"}, MechanismInPlaceKeyed, oldIDs},
		{"in place keyed (referenced)", []string{"CREATE TABLE %s.refs (order_id int REFERENCES %s.orders (id))"}, MechanismInPlaceKeyed, oldIDs},
	}
	for _, m := range mechanisms {
		for _, iso := range []string{"REPEATABLE READ", "SERIALIZABLE"} {
			t.Run(m.name+" "+iso, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				e := newEnv(t)
				l := e.loader(t, Config{})
				e.mustOrders(t, l, m.setup...)
				mustExec(t, e.pool, "CREATE TABLE "+e.schema+".other (v int)")

				// The reader: its own session, snapshot taken before the load.
				reader, err := e.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: isoLevel(iso)})
				if err != nil {
					t.Fatal(err)
				}
				defer reader.Rollback(ctx)
				if _, err := reader.Exec(ctx, "SELECT count(*) FROM "+e.schema+".other"); err != nil {
					t.Fatal(err)
				}
				res := e.mustLoad(t, l, ordersTable(t), newCSV, Job{ExportID: "e2"})
				if res.Mechanism != m.mechanism {
					t.Fatalf("got %s (%s), want %s", res.Mechanism, res.MechanismReason, m.mechanism)
				}
				var ids string
				if err := reader.QueryRow(ctx, "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM "+e.schema+".orders").Scan(&ids); err != nil {
					t.Fatalf("old snapshot reads the table: %v", err)
				}
				if ids != m.want {
					t.Errorf("%s reader with a snapshot from before the load: got ids %q, want %q (never empty)", iso, ids, m.want)
				}
				if err := reader.Commit(ctx); err != nil {
					t.Errorf("reader commit: %v", err)
				}
				if got := mustScalar[string](t, e.pool, "SELECT string_agg(id::text, ',' ORDER BY id) FROM "+e.schema+".orders"); got != newIDs {
					t.Errorf("a new snapshot: got ids %q, want %q", got, newIDs)
				}
			})
		}
	}
}

// TestInPlaceLetsReadersIn: an in-place refill that changes no column
// holds an EXCLUSIVE lock: a READ COMMITTED reader during the refill is
// not blocked and sees the old rows, all of them.
func TestInPlaceLetsReadersIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	l := e.loader(t, Config{})
	e.mustOrders(t, l, "ALTER TABLE %s.orders ALTER COLUMN total SET DEFAULT 0")
	mustExec(t, e.pool, "CREATE FUNCTION "+e.schema+".slow() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END$$")
	mustExec(t, e.pool, "CREATE TRIGGER slow AFTER INSERT ON "+e.schema+".orders FOR EACH STATEMENT EXECUTE FUNCTION "+e.schema+".slow()")
	done := make(chan Result, 1)
	go func() {
		res, err := e.load(t, l, ordersTable(t), "id,Customer Name,total,created\n7,Gus,1,\n", Job{ExportID: "e2"})
		if err != nil {
			t.Errorf("load: %v", err)
		}
		done <- res
	}()
	// Wait until the refill holds its lock, then read.
	waitFor(t, func() bool {
		return mustScalar[bool](t, e.pool, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = $1::regclass AND mode = 'ExclusiveLock' AND granted)`, e.schema+".orders")
	})
	rctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	defer cancel()
	var ids string
	if err := e.pool.QueryRow(rctx, "SELECT string_agg(id::text, ',' ORDER BY id) FROM "+e.schema+".orders").Scan(&ids); err != nil {
		t.Fatalf("a reader during the refill: %v (want no wait)", err)
	}
	if ids != "1,2,3" {
		t.Errorf("a reader during the refill: got ids %q, want the old 1,2,3", ids)
	}
	if res := <-done; res.Mechanism != MechanismInPlace || !strings.Contains(res.MechanismReason, "default") {
		t.Errorf("got %s (%s), want in-place", res.Mechanism, res.MechanismReason)
	}
}

func isoLevel(s string) pgx.TxIsoLevel {
	if s == "SERIALIZABLE" {
		return pgx.Serializable
	}
	return pgx.RepeatableRead
}

// waitFor polls cond every 20ms for up to 30s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
