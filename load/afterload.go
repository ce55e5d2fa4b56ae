package load

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// afterLoadDDL creates the ledger table of what runs after the loads
// (materialized view refreshes and --after-sync hooks) in schema %[1]s
// (quoted); it runs only when the table is missing, under an advisory lock.
const afterLoadDDL = `
CREATE TABLE IF NOT EXISTS %[1]s.after_load (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL,
  kind text NOT NULL,
  name text NOT NULL,
  tables text[],
  how text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  status text NOT NULL,
  error text
);
CREATE INDEX IF NOT EXISTS after_load_run_idx ON %[1]s.after_load (run_id, id);
COMMENT ON TABLE %[1]s.after_load IS 'mbiload: materialized view refreshes and after-sync hooks, one row each';
`

// Kinds of the after_load ledger rows.
const (
	// actionRefresh is a materialized view's refresh.
	actionRefresh = "refresh"
	// actionAfterSync is a run's --after-sync hook.
	actionAfterSync = "after-sync"
)

// action is one row of the after_load ledger.
type action struct {
	kind, name, how, status, err string
	tables                       []string
	started, finished            time.Time
}

// viewActions are the ledger rows of view refreshes that ran (not the
// deferred or planned ones).
func viewActions(views []ViewRefresh) []action {
	var out []action
	for _, v := range views {
		if v.Status != ViewRefreshed && v.Status != ViewFailed {
			continue
		}
		out = append(out, action{kind: actionRefresh, name: v.View, how: v.How, status: v.Status, err: v.Error,
			tables: v.Tables, started: v.started, finished: v.started.Add(time.Duration(v.Seconds * float64(time.Second)))})
	}
	return out
}

// recordActions writes acts to the after_load ledger table, creating it
// when it is missing. It only logs its own errors: the refreshes and hooks
// it records have run, and their outcome is in the run's report.
func (l *Loader) recordActions(ctx context.Context, runID string, acts []action) {
	if len(acts) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := l.ensureAfterLoad(ctx); err != nil {
		l.log.Warn("could not record refreshes and hooks in the ledger", "err", err)
		return
	}
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		for _, a := range acts {
			tables := cleanTexts(a.tables)
			if _, err := tx.Exec(ctx, "INSERT INTO "+l.ledger.table("after_load")+
				` (run_id, kind, name, tables, how, started_at, finished_at, status, error)
VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7, $8, nullif($9, ''))`,
				cleanText(runID), a.kind, cleanText(a.name), tables, a.how, a.started, a.finished, a.status, cleanText(a.err)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		l.log.Warn("could not record refreshes and hooks in the ledger", "err", err)
	}
}

// ensureAfterLoad creates the after_load ledger table when it is missing.
func (l *Loader) ensureAfterLoad(ctx context.Context) error {
	exists := func(q querier) (bool, error) {
		var ok bool
		err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n
ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'after_load')`, l.cfg.LedgerSchema).Scan(&ok)
		return ok, err
	}
	if ok, err := exists(l.pool); err != nil || ok {
		return err
	}
	return pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext('mbiload setup'))", int32(advisoryClass)); err != nil {
			return fmt.Errorf("lock for setup: %w", err)
		}
		if ok, err := exists(tx); err != nil || ok {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(afterLoadDDL, schema.Quote(l.cfg.LedgerSchema))); err != nil {
			return fmt.Errorf("create the after_load ledger table: %w", err)
		}
		return nil
	})
}
