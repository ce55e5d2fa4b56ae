package load

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RefreshMode says when a load refreshes the materialized views that read
// the table it changed (see [Config.RefreshViews]).
type RefreshMode string

// Refresh modes.
const (
	// RefreshInTransaction (the default) refreshes a materialized view that
	// reads the table, directly or through other views, in the load's own
	// transaction, each under a savepoint: readers see the new table and the
	// refreshed view at the same commit. A view with a unique index is
	// refreshed CONCURRENTLY (its readers go on reading the old rows until
	// the commit); another takes an ACCESS EXCLUSIVE lock on the view from
	// its refresh to the commit, so its readers wait that long.
	RefreshInTransaction RefreshMode = "transaction"
	// RefreshConcurrently refreshes right after the load's commit, each view
	// in a transaction of its own, CONCURRENTLY where the view is populated
	// and has a unique index on plain columns without a WHERE clause (its
	// readers are never blocked), plainly elsewhere. Between the commit and
	// the refresh, readers see the new table with the old view.
	RefreshConcurrently RefreshMode = "concurrently"
	// RefreshOff refreshes nothing.
	RefreshOff RefreshMode = "off"
)

// ParseRefreshMode parses a --refresh-views value; "" is
// [RefreshInTransaction].
func ParseRefreshMode(s string) (RefreshMode, error) {
	switch m := RefreshMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return RefreshInTransaction, nil
	case RefreshInTransaction, RefreshConcurrently, RefreshOff:
		return m, nil
	}
	return "", fmt.Errorf("%w: refresh mode %q (want transaction, concurrently or off)", ErrInvalidConfig, s)
}

// View refresh statuses (see [ViewRefresh.Status]).
const (
	// ViewRefreshed is a view refreshed.
	ViewRefreshed = "refreshed"
	// ViewFailed is a view whose refresh failed; it still holds its
	// previous contents, and the table's load stays published.
	ViewFailed = "failed"
	// ViewDeferred is a view that also reads another table of the run
	// ([Job.OtherTargets]): the load left it to the caller, to refresh once
	// after the last of them ([Loader.RefreshViews]).
	ViewDeferred = "deferred"
	// ViewPlanned is a view a dry run would refresh.
	ViewPlanned = "planned"
)

// When a view was (or would be) refreshed (see [ViewRefresh.How]).
const (
	// HowInTransaction is a refresh in the load's transaction.
	HowInTransaction = "in-transaction"
	// HowAfterCommit is a refresh right after the load's commit.
	HowAfterCommit = "after-commit"
	// HowAfterRun is a refresh after the last table of the run, for a view
	// over several of them.
	HowAfterRun = "after-run"
)

// ViewRefresh is what happened to one materialized view reading a loaded
// table.
type ViewRefresh struct {
	// View is the materialized view, schema-qualified and quoted.
	View string `json:"view"`
	// Tables are the tables of the run it reads, directly or through
	// views, as schema.table (unquoted).
	Tables []string `json:"tables"`
	// How is one of the How* constants: when it was refreshed.
	How string `json:"how"`
	// Concurrently says REFRESH ... CONCURRENTLY was used: the view is
	// populated and has a unique index on plain columns without a WHERE
	// clause. Its readers were not blocked, and a snapshot taken before
	// the commit keeps reading its old rows; a plain REFRESH locks readers
	// out until the commit, and shows such a snapshot the new rows (it is
	// not MVCC-safe).
	Concurrently bool `json:"concurrently"`
	// Status is one of the View* statuses.
	Status string `json:"status"`
	// Seconds is the time the refresh took.
	Seconds float64 `json:"seconds"`
	// Error is the failure's message.
	Error string `json:"error,omitempty"`
	// started is when the refresh began, for the ledger.
	started time.Time
}

// matView is a materialized view reading some of a set of tables.
type matView struct {
	OID       uint32
	Name      string   // schema-qualified, quoted
	Depth     int      // longest chain of views from a table to it
	Roots     []uint32 // the tables of the set it reads
	Populated bool
	// Unique says it has a unique index REFRESH ... CONCURRENTLY can use.
	Unique bool
}

// concurrent says REFRESH ... CONCURRENTLY can run on the view.
func (v matView) concurrent() bool { return v.Populated && v.Unique }

// dependentMatViews returns the materialized views reading any of the
// tables roots, directly or through views and materialized views (the
// rewrite rules' dependencies, followed recursively), in an order that
// refreshes a view after every view it reads: by the longest chain from a
// table, then by name.
func dependentMatViews(ctx context.Context, q querier, roots []uint32) ([]matView, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `
WITH RECURSIVE dep(oid, root, depth) AS (
  SELECT r.ev_class, d.refobjid, 1
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
  WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND d.refobjid = ANY($1::pg_catalog.oid[]) AND r.ev_class <> d.refobjid
  UNION
  SELECT r.ev_class, dep.root, dep.depth + 1
  FROM dep JOIN pg_catalog.pg_depend d ON d.refobjid = dep.oid
       AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
       AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
       JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
  WHERE r.ev_class <> dep.oid AND dep.depth < 64
)
SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
       max(dep.depth), array_agg(DISTINCT dep.root), c.relispopulated,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisunique
               AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL)
FROM dep JOIN pg_catalog.pg_class c ON c.oid = dep.oid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'm'
GROUP BY c.oid, n.nspname, c.relname, c.relispopulated
ORDER BY 3, 2`, roots)
	if err != nil {
		return nil, fmt.Errorf("read dependent materialized views: %w", err)
	}
	views, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (matView, error) {
		var v matView
		err := r.Scan(&v.OID, &v.Name, &v.Depth, &v.Roots, &v.Populated, &v.Unique)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("read dependent materialized views: %w", err)
	}
	return views, nil
}

// tableOIDs returns the oids of the tables of pgSchema named names (those
// that exist), and their names by oid.
func tableOIDs(ctx context.Context, q querier, pgSchema string, names []string) ([]uint32, map[uint32]string, error) {
	rows, err := q.Query(ctx, `
SELECT c.oid, c.relname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`, pgSchema, names)
	if err != nil {
		return nil, nil, fmt.Errorf("look up the run's tables: %w", err)
	}
	byOID := map[uint32]string{}
	var oids []uint32
	for rows.Next() {
		var oid uint32
		var name string
		if err := rows.Scan(&oid, &name); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("look up the run's tables: %w", err)
		}
		oids = append(oids, oid)
		byOID[oid] = name
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("look up the run's tables: %w", err)
	}
	return oids, byOID, nil
}

// viewTables names the tables of v's roots as schema.table.
func viewTables(pgSchema string, v matView, names map[uint32]string) []string {
	out := make([]string, 0, len(v.Roots))
	for _, oid := range v.Roots {
		out = append(out, pgSchema+"."+names[oid])
	}
	slices.Sort(out)
	return out
}

// refreshStatement is the REFRESH of v, CONCURRENTLY where possible, and
// whether it is.
func refreshStatement(v matView) (string, bool) {
	if v.concurrent() {
		return "REFRESH MATERIALIZED VIEW CONCURRENTLY " + v.Name, true
	}
	return "REFRESH MATERIALIZED VIEW " + v.Name, false
}

// refresh runs v's REFRESH in tx in attempts: each waits at most
// PublishLockTry for the view's lock (REFRESH takes it before any work),
// and a lock timeout rolls the attempt back and tries again, until
// LockTimeout. A plain REFRESH waiting for a long reader of the view would
// otherwise queue every new reader behind its ACCESS EXCLUSIVE request
// for as long (LOCK TABLE cannot take a materialized view's lock ahead).
// A deadlock is retried the same way.
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

// refreshUnder refreshes v in a savepoint of tx (rolled back when it
// fails) and returns the refresh's outcome, vr filled in.
func (l *Loader) refreshUnder(ctx context.Context, tx pgx.Tx, v matView, vr ViewRefresh, log *slog.Logger) ViewRefresh {
	start := time.Now()
	_, vr.Concurrently = refreshStatement(v)
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error { return l.refresh(ctx, sp, v, log) })
	return finishRefresh(vr, start, err)
}

// refreshAlone refreshes v in a transaction of its own on conn.
func (l *Loader) refreshAlone(ctx context.Context, conn *pgx.Conn, v matView, vr ViewRefresh, log *slog.Logger) ViewRefresh {
	start := time.Now()
	_, vr.Concurrently = refreshStatement(v)
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return l.refresh(ctx, tx, v, log) })
	return finishRefresh(vr, start, err)
}

func finishRefresh(vr ViewRefresh, start time.Time, err error) ViewRefresh {
	vr.started, vr.Seconds = start, time.Since(start).Seconds()
	vr.Status = ViewRefreshed
	if err != nil {
		vr.Status, vr.Error = ViewFailed, cleanText(fmt.Sprintf("refresh materialized view %s: %v", vr.View, err))
	}
	return vr
}

// refreshViews finds the materialized views reading the load's target (and
// which other tables of the run they read) after the mode's work, before
// the ledger row. In [RefreshInTransaction] mode it refreshes those that
// read no other table of the run, each under a savepoint: a failure is
// recorded and rolled back to the savepoint, and the load publishes all
// the same. Views reading other tables of the run are deferred to the
// caller; in [RefreshConcurrently] mode the others are refreshed after the
// commit (refreshAfterCommit). Only an error reading the catalog fails the
// load.
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
			vr = r.l.refreshUnder(ctx, r.tx, v, vr, r.log)
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
		vr = r.l.refreshAlone(ctx, conn, v, vr, r.log)
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
// the loads refreshed already). It is what a run calls after its last
// load, for the views its loads deferred ([ViewDeferred]). In
// [RefreshInTransaction] mode they are refreshed in one transaction, each
// under a savepoint (readers see them change together); in
// [RefreshConcurrently] mode each in its own; CONCURRENTLY where possible
// either way.
// Each outcome is recorded in the ledger (runID); a failure is in the
// result, not the error, which reports only a database that cannot be
// reached or read.
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
			out = append(out, l.refreshAlone(ctx, conn.Conn(), v, vr, l.log))
		}
	} else {
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			for _, v := range views {
				vr := ViewRefresh{View: v.Name, Tables: viewTables(l.cfg.Schema, v, byOID), How: HowAfterRun}
				out = append(out, l.refreshUnder(ctx, tx, v, vr, l.log))
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
