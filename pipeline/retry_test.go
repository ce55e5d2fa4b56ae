package pipeline

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// TestLoadRetriedAfterBrokenConnection kills the COPY's backend in the
// middle of a table (as a server restart or pg_terminate_backend would):
// the table is loaded again from the downloaded file, the run succeeds,
// the data equals the source, and the ledger holds the failed attempt and
// the successful one.
func TestLoadRetriedAfterBrokenConnection(t *testing.T) {
	t.Parallel()
	const victim = "sales_order_item"
	e := newEnv(t, simulator.Config{Tables: simulator.Generated(cancelScale, 1)})
	opts := e.opts()
	opts.Decode.BatchRows = 256
	rec := newRecorder()
	var mu sync.Mutex
	killed := false
	rec.onRows = func(tbl string, rows int64) {
		mu.Lock()
		defer mu.Unlock()
		if tbl != victim || rows < 1000 || killed {
			return
		}
		// The COPY of a first load writes straight into the target schema.
		// The client sends the COPY and streams rows without waiting for
		// the server, so the backend may not show the COPY yet (on a busy
		// machine it started none of it while the first batches were
		// read): wait for it. It cannot end meanwhile: this runs inside
		// the COPY's read of its next batch.
		for deadline := time.Now().Add(10 * time.Second); !killed && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			n := mustScalar[int64](t, e.pool, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE query LIKE 'COPY %' AND query LIKE '%' || $1 || '%'`, schema.Quote(e.target, victim))
			killed = n > 0
		}
	}
	e.runner.Observer = rec
	rep, err := e.runner.Sync(context.Background(), opts)
	if err != nil || rep.Status != RunSucceeded {
		t.Fatalf("Sync: got %v, status %q %v; want success after a retry", err, rep.Status, failures(rep))
	}
	mu.Lock()
	defer mu.Unlock()
	if !killed {
		t.Fatalf("the COPY's backend was not found to kill: the test proved nothing")
	}
	e.mustEqualSim(t, schema.Options{})
	target := targetNames(apiTables(e.tables), "")
	var name string
	for _, st := range e.tables {
		if st.Name == victim {
			name = target[st.ID]
		}
	}
	got := mustScalar[string](t, e.pool, "SELECT string_agg(status, ',' ORDER BY id) FROM "+schema.Quote(e.ledger, "loads")+
		" WHERE target_table = $1", name)
	if got != "failed,loaded" {
		t.Errorf("ledger of %s: got %q, want failed,loaded (the broken attempt, then the retry)", victim, got)
	}
}
