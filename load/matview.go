package load

import (
	"context"
	"fmt"
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

// ViewRefresh is what happened to a materialized view reading a loaded table.
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
// tables roots, directly or through views (rewrite rules, followed
// recursively), ordered by the longest chain from a table, then by name.
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
	var oid uint32
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&oid, &name}, func() error {
		oids = append(oids, oid)
		byOID[oid] = name
		return nil
	}); err != nil {
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
