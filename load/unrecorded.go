package load

import (
	"context"
	"slices"
	"sync"
	"time"
)

// unrecorded holds the failed loads the ledger could not take when they
// failed (the database unreachable: the very failure, often), to be
// written when it answers again.
type unrecorded struct {
	mu      sync.Mutex
	writes  []func(context.Context) error
	tables  []string // the target table of each write, schema.table
	lastErr error
}

// keep queues a ledger write of a failed load of table that failed with
// err.
func (u *unrecorded) keep(table string, write func(context.Context) error, err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.writes = append(u.writes, write)
	u.tables = append(u.tables, table)
	u.lastErr = err
}

// Unrecorded returns the target tables (schema.table, sorted, each once)
// of the failed loads of this loader that are not in the ledger yet (it
// could not be written when they failed), and the last error that kept
// one out.
func (l *Loader) Unrecorded() ([]string, error) {
	l.unrecorded.mu.Lock()
	defer l.unrecorded.mu.Unlock()
	tables := slices.Clone(l.unrecorded.tables)
	slices.Sort(tables)
	return slices.Compact(tables), l.unrecorded.lastErr
}

// RecordUnrecorded writes the failed loads the ledger could not take when
// they failed, in order, stopping at the first that fails again; it
// returns how many are still unwritten. A run calls it at its end, so that
// history shows a night whose database went away and came back.
func (l *Loader) RecordUnrecorded(ctx context.Context) (int, error) {
	u := &l.unrecorded
	u.mu.Lock()
	defer u.mu.Unlock()
	for len(u.writes) > 0 {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		err := u.writes[0](wctx)
		cancel()
		if err != nil {
			u.lastErr = err
			return len(u.writes), err
		}
		u.writes, u.tables = u.writes[1:], u.tables[1:]
	}
	u.lastErr = nil
	return 0, nil
}
