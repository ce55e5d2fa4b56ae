package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// advisoryClass is the first key of mbiload's advisory locks ("mbil"); the
// second is hashtext of the quoted, schema-qualified table name.
const advisoryClass = 0x6d62696c

// SQLSTATEs of a lock wait that gave up: lock_timeout expired (55P03), or
// the deadlock detector chose this session (40P01).
const (
	pgLockNotAvailable = "55P03"
	pgDeadlock         = "40P01"
)

func isLockTimeout(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == pgLockNotAvailable
}

func isLockRetry(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == pgLockNotAvailable || pe.Code == pgDeadlock)
}

// setLockTimeout sets lock_timeout for the rest of the transaction; d ≤ 0
// means a minimal wait.
func setLockTimeout(ctx context.Context, tx pgx.Tx, d time.Duration) error {
	ms := max(d.Milliseconds(), 1)
	_, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', $1, true)", strconv.FormatInt(ms, 10))
	if err != nil {
		return fmt.Errorf("set lock_timeout: %w", err)
	}
	return nil
}

// lockTable takes the advisory lock of the table key (quoted, qualified)
// for the rest of tx, waiting up to timeout (negative: not at all).
func lockTable(ctx context.Context, tx pgx.Tx, key string, timeout time.Duration) error {
	start := time.Now()
	if _, err := tx.Exec(ctx, "SAVEPOINT mbiload_lock"); err != nil {
		return fmt.Errorf("take the load lock: %w", err)
	}
	var got bool
	var err error
	if timeout < 0 {
		err = tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1, hashtext($2))", int32(advisoryClass), key).Scan(&got)
	} else {
		if err = setLockTimeout(ctx, tx, timeout); err == nil {
			_, err = tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", int32(advisoryClass), key)
			got = err == nil
		}
	}
	if err != nil && !isLockTimeout(err) {
		return fmt.Errorf("take the load lock: %w", err)
	}
	if got {
		_, err := tx.Exec(ctx, "RELEASE SAVEPOINT mbiload_lock")
		return err
	}
	if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT mbiload_lock"); err != nil {
		return fmt.Errorf("take the load lock: %w", err)
	}
	holders := lockHolders(ctx, tx, `
SELECT l.pid, a.application_name, extract(epoch FROM clock_timestamp() - a.xact_start)::float8
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.classid = $1::int4::oid AND l.objid = hashtext($2)::oid
  AND l.objsubid = 2 AND l.granted AND l.pid <> pg_backend_pid()`, int32(advisoryClass), key)
	return &LockError{Table: key, What: "the load lock (another mbiload run is loading this table)",
		Holders: holders, Waited: time.Since(start).Round(time.Millisecond).String()}
}

// lockWaitNotice is how long a publish waits for its lock before saying
// so.
const lockWaitNotice = 3 * time.Second

// lockPublish takes locks in mode (ACCESS EXCLUSIVE, or EXCLUSIVE for
// an in-place refill that changes no column) on the quoted relations in
// attempts of at most [Config.PublishLockTry] each (so readers are held
// up by that much at most), until [Config.LockTimeout] (see retryLocked).
//
// rels lists dependent views before the target, the order in which a
// reader of a view locks them, so that the two rarely deadlock; when they
// do and the deadlock detector picks the publish, it retries.
func (r *loadRun) lockPublish(ctx context.Context, rels []string, mode string) error {
	err := retryLocked(ctx, r.tx, lockAttempt{
		savepoint: "mbiload_publish", stmt: "LOCK TABLE " + strings.Join(rels, ", ") + " IN " + mode + " MODE",
		oid: r.plan.info.OID, try: r.l.cfg.PublishLockTry, total: r.l.cfg.LockTimeout, log: r.log,
		table: rels[len(rels)-1], what: "the table lock for the publish",
		waiting: "waiting to publish: other sessions hold the table",
	})
	var le *LockError
	if err != nil && !errors.As(err, &le) && ctx.Err() == nil {
		return fmt.Errorf("lock for publish: %w", err)
	}
	return err
}

// lockAttempt is a statement that first waits for a lock (LOCK TABLE, a
// REFRESH), run by retryLocked.
type lockAttempt struct {
	savepoint, stmt string
	oid             uint32 // the relation whose lock holders are named
	try, total      time.Duration
	log             *slog.Logger // nil: no warnings while waiting
	table, what     string       // for the LockError
	waiting         string       // the warning's message
	attrs           []any        // more attributes of the warning
}

// retryLocked runs a.stmt in a savepoint of tx with a lock timeout of
// a.try (none when a.total < 0) while it fails on a lock timeout or a
// deadlock, backing off up to a second so that queued readers get
// through, until a.total has passed: then it returns a *LockError naming
// the sessions holding a.oid, which it logs too once the wait passes
// lockWaitNotice, and then at growing intervals.
func retryLocked(ctx context.Context, tx pgx.Tx, a lockAttempt) error {
	start := time.Now()
	backoff := 50 * time.Millisecond
	notice := lockWaitNotice
	for {
		if _, err := tx.Exec(ctx, "SAVEPOINT "+a.savepoint); err != nil {
			return err
		}
		wait := a.try
		if a.total < 0 {
			wait = 0
		}
		err := setLockTimeout(ctx, tx, wait)
		if err == nil {
			_, err = tx.Exec(ctx, a.stmt)
		}
		if err == nil {
			_, err := tx.Exec(ctx, "RELEASE SAVEPOINT "+a.savepoint)
			return err
		}
		if !isLockRetry(err) {
			return err
		}
		if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+a.savepoint); err != nil {
			return err
		}
		waited := time.Since(start)
		if waited >= a.total || (waited >= notice && a.log != nil) {
			holders := lockHolders(ctx, tx, `
SELECT DISTINCT l.pid, a.application_name, extract(epoch FROM clock_timestamp() - a.xact_start)::float8
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'relation' AND l.relation = $1 AND l.granted AND l.pid <> pg_backend_pid()`, a.oid)
			if waited >= a.total {
				return &LockError{Table: a.table, What: a.what, Holders: holders,
					Waited: waited.Round(time.Millisecond).String()}
			}
			a.log.Warn(a.waiting, append(a.attrs,
				"waited", waited.Round(time.Second), "held_by", strings.Join(holders, "; "), "gives_up_after", a.total)...)
			notice = min(2*waited, waited+time.Minute)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// lockHolders describes the sessions a lock query returns (pid,
// application_name, transaction age: measured by clock_timestamp(), as
// now() is the start of the load's own transaction); errors only lose the
// description.
func lockHolders(ctx context.Context, q querier, sql string, args ...any) []string {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var pid int32
		var app *string
		var age *float64
		if err := r.Scan(&pid, &app, &age); err != nil {
			return "", err
		}
		s := fmt.Sprintf("pid %d", pid)
		if app != nil && *app != "" {
			s += fmt.Sprintf(" (application_name %q)", *app)
		}
		if age != nil {
			s += fmt.Sprintf(", in a transaction for %s", time.Duration(*age*float64(time.Second)).Round(time.Second))
		}
		return s, nil
	})
	if err != nil {
		return nil
	}
	return out
}
