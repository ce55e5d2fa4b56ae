package load

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// refresh runs v's REFRESH in tx in attempts, as lockPublish takes its
// lock (REFRESH takes the view's lock before any work): a plain REFRESH
// waiting for a long reader of the view would otherwise queue every new
// reader behind its ACCESS EXCLUSIVE request for as long (LOCK TABLE
// cannot take a materialized view's lock ahead).
func (l *Loader) refresh(ctx context.Context, tx pgx.Tx, v matView, log *slog.Logger) error {
	sql, _ := refreshStatement(v)
	err := retryLocked(ctx, tx, lockAttempt{
		savepoint: "mbiload_refresh", stmt: sql,
		oid: v.OID, try: l.cfg.PublishLockTry, total: l.cfg.LockTimeout, log: log,
		table: v.Name, what: "the lock for its refresh",
		waiting: "waiting to refresh a materialized view: other sessions hold it", attrs: []any{"view", v.Name},
	})
	if err != nil {
		return err
	}
	return setLockTimeout(ctx, tx, l.lockWait())
}

// refreshIn refreshes v in a transaction begun on db: a savepoint of the
// transaction db (rolled back when it fails), or a transaction of its own
// on the connection db. It returns the refresh's outcome, vr filled in.
func (l *Loader) refreshIn(ctx context.Context, db interface {
	Begin(context.Context) (pgx.Tx, error)
}, v matView, vr ViewRefresh, log *slog.Logger) ViewRefresh {
	start := time.Now()
	_, vr.Concurrently = refreshStatement(v)
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error { return l.refresh(ctx, tx, v, log) })
	vr.started, vr.Seconds = start, time.Since(start).Seconds()
	vr.Status = ViewRefreshed
	if err != nil {
		vr.Status, vr.Error = ViewFailed, cleanText(fmt.Sprintf("refresh materialized view %s: %v", vr.View, err))
	}
	return vr
}

// refreshViews refreshes, after the mode's work, the materialized views
// reading the load's target as [Config.RefreshViews] says: views reading
// other tables of the run are deferred to the caller. A failed refresh is
// rolled back to its savepoint and the load publishes all the same; only
// an error reading the catalog fails the load.
func (r *loadRun) refreshViews(ctx context.Context) (rerr error) {
	if r.l.cfg.RefreshViews == RefreshOff {
		return nil
	}
	names := append([]string{r.target}, r.job.OtherTargets...)
	roots, byOID, err := tableOIDs(ctx, r.tx, r.l.cfg.Schema, names)
	if err != nil {
		return err
	}
	var self uint32
	for oid, n := range byOID {
		if n == r.target {
			self = oid
		}
	}
	views, err := dependentMatViews(ctx, r.tx, roots)
	if err != nil {
		return err
	}
	// The views' queries run with the session's search_path (as after the
	// commit), not the load's pg_catalog one, which comes back after them.
	if len(views) > 0 && r.l.cfg.RefreshViews == RefreshInTransaction {
		if _, err := r.tx.Exec(ctx, "SELECT pg_catalog.set_config('search_path', reset_val, true) FROM pg_catalog.pg_settings WHERE name = 'search_path'"); err != nil {
			return fmt.Errorf("refresh materialized views: %w", err)
		}
		defer func() {
			if _, err := r.tx.Exec(ctx, "SELECT pg_catalog.set_config('search_path', 'pg_catalog', true)"); err != nil && rerr == nil {
				rerr = fmt.Errorf("refresh materialized views: %w", err)
			}
		}()
	}
	for _, v := range views {
		if !slices.Contains(v.Roots, self) {
			continue
		}
		vr := ViewRefresh{View: v.Name, Tables: viewTables(r.l.cfg.Schema, v, byOID)}
		switch {
		case len(v.Roots) > 1:
			vr.How, vr.Status = HowAfterRun, ViewDeferred
		case r.l.cfg.RefreshViews == RefreshConcurrently:
			r.pending = append(r.pending, v)
			continue
		default:
			vr.How = HowInTransaction
			vr = r.l.refreshIn(ctx, r.tx, v, vr, r.log)
			r.viewDone(vr)
		}
		r.res.Views = append(r.res.Views, vr)
	}
	if len(views) > 0 {
		r.steps.done("refresh materialized views")
	}
	return nil
}

// refreshAfterCommit refreshes the views refreshViews left for after the
// commit, each in a transaction of its own on conn.
func (r *loadRun) refreshAfterCommit(ctx context.Context, conn *pgx.Conn) {
	if len(r.pending) == 0 {
		return
	}
	_, byOID, err := tableOIDs(ctx, conn, r.l.cfg.Schema, []string{r.target})
	if err != nil {
		r.warn(err.Error())
	}
	for _, v := range r.pending {
		vr := ViewRefresh{View: v.Name, Tables: viewTables(r.l.cfg.Schema, v, byOID), How: HowAfterCommit}
		vr = r.l.refreshIn(ctx, conn, v, vr, r.log)
		r.viewDone(vr)
		r.res.Views = append(r.res.Views, vr)
	}
	r.steps.done("refresh materialized views")
}

// viewDone logs a refresh and makes a failure one of the load's warnings.
func (r *loadRun) viewDone(vr ViewRefresh) {
	if vr.Status == ViewFailed {
		r.warn(vr.Error + " (it keeps its previous contents; the table is published)")
		return
	}
	r.log.Info("materialized view refreshed", "view", vr.View, "how", vr.How, "seconds", round3(vr.Seconds))
}

// lockWait is the longest wait for a lock outside the load's transaction.
func (l *Loader) lockWait() time.Duration {
	if l.cfg.LockTimeout < 0 {
		return l.cfg.PublishLockTry
	}
	return l.cfg.LockTimeout
}

func round3(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }

// RefreshViews refreshes, once each and in dependency order, the
// materialized views reading any of tables (names in the target schema:
// the tables a run loaded) that are not in done (quoted view names: those
// the loads refreshed already): what a run calls after its last load, for
// the views its loads deferred ([ViewDeferred]). In [RefreshInTransaction]
// mode they are refreshed in one transaction (readers see them change
// together), each under a savepoint. Each outcome is recorded in the
// ledger (runID); a failure is in the result, not the error, which reports
// only a database that cannot be reached or read.
func (l *Loader) RefreshViews(ctx context.Context, runID string, tables []string, done map[string]bool) ([]ViewRefresh, error) {
	if l.cfg.RefreshViews == RefreshOff || len(tables) == 0 {
		return nil, nil
	}
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("refresh materialized views: connect: %w", err)
	}
	defer conn.Release()
	roots, byOID, err := tableOIDs(ctx, conn, l.cfg.Schema, tables)
	if err != nil {
		return nil, err
	}
	views, err := dependentMatViews(ctx, conn, roots)
	if err != nil {
		return nil, err
	}
	views = slices.DeleteFunc(views, func(v matView) bool { return done[v.Name] })
	if len(views) == 0 {
		return nil, nil
	}
	var out []ViewRefresh
	if l.cfg.RefreshViews == RefreshConcurrently {
		for _, v := range views {
			vr := ViewRefresh{View: v.Name, Tables: viewTables(l.cfg.Schema, v, byOID), How: HowAfterRun}
			out = append(out, l.refreshIn(ctx, conn.Conn(), v, vr, l.log))
		}
	} else {
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, v := range views {
				vr := ViewRefresh{View: v.Name, Tables: viewTables(l.cfg.Schema, v, byOID), How: HowAfterRun}
				out = append(out, l.refreshIn(ctx, tx, v, vr, l.log))
			}
			return nil
		})
		if err != nil {
			for i := range out {
				if out[i].Status == ViewRefreshed {
					out[i].Status, out[i].Error = ViewFailed, cleanText(fmt.Sprintf("refresh materialized view %s: commit: %v", out[i].View, err))
				}
			}
		}
	}
	for _, vr := range out {
		if vr.Status == ViewFailed {
			l.log.Warn(vr.Error)
		} else {
			l.log.Info("materialized view refreshed", "view", vr.View, "how", vr.How, "seconds", round3(vr.Seconds))
		}
	}
	l.recordActions(ctx, runID, viewActions(out))
	return out, nil
}

// PlanViews lists the materialized views a run loading tables (names in
// the target schema) would refresh, in order, with how ([ViewPlanned]),
// for a dry run. It reads the catalog only.
func (l *Loader) PlanViews(ctx context.Context, tables []string) ([]ViewRefresh, error) {
	if l.cfg.RefreshViews == RefreshOff || len(tables) == 0 {
		return nil, nil
	}
	roots, byOID, err := tableOIDs(ctx, l.pool, l.cfg.Schema, tables)
	if err != nil {
		return nil, err
	}
	views, err := dependentMatViews(ctx, l.pool, roots)
	if err != nil {
		return nil, err
	}
	var out []ViewRefresh
	for _, v := range views {
		vr := ViewRefresh{View: v.Name, Tables: viewTables(l.cfg.Schema, v, byOID), Status: ViewPlanned}
		_, vr.Concurrently = refreshStatement(v)
		switch {
		case len(v.Roots) > 1:
			vr.How = HowAfterRun
		case l.cfg.RefreshViews == RefreshConcurrently:
			vr.How = HowAfterCommit
		default:
			vr.How = HowInTransaction
		}
		out = append(out, vr)
	}
	return out, nil
}
