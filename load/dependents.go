package load

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// dependents is what hangs off an existing target table and must survive a
// replace: its indexes and constraints (re-created on the staging table),
// the views that read it (re-pointed), and the objects a rename-swap cannot
// carry (blockers, which force an in-place publish).
type dependents struct {
	Indexes     []indexInfo
	Constraints []constraintInfo
	Views       []viewInfo
	Blockers    []string
	// FKRefs are foreign keys of other tables referencing the target: an
	// in-place publish must keep the referenced keys' rows.
	FKRefs []fkRef
}

// indexInfo is an index that backs no constraint.
type indexInfo struct {
	Name    string
	Def     string // pg_get_indexdef, schema-qualified
	Prefix  string // "CREATE [UNIQUE ]INDEX name ON schema.table USING "
	Columns []int16
	// Tablespace names its tablespace when it is not the default, else "".
	Tablespace string
	// Clustered says CLUSTER uses it.
	Clustered bool
	// Comment is its COMMENT ON INDEX, nil when none.
	Comment *string
}

// constraintInfo is a primary key, unique, exclusion, check or foreign key
// constraint of the target.
type constraintInfo struct {
	Name    string
	Type    string // pg_constraint.contype
	Def     string // pg_get_constraintdef, schema-qualified
	Columns []int16
	// SelfRef says a foreign key references the table itself.
	SelfRef bool
	// Comment is its COMMENT ON CONSTRAINT, nil when none.
	Comment *string
	// Index describes the index of a primary key, unique or exclusion
	// constraint (Name "" for other constraints); its definition is
	// the constraint's.
	Index indexInfo
	// IndexOptions are the storage parameters of that index.
	IndexOptions []string
}

// viewInfo is a view or materialized view reading the target.
type viewInfo struct {
	OID        uint32
	Name       string // schema-qualified, quoted
	Kind       string
	CanOwn     bool
	Def        string // pg_get_viewdef, schema-qualified
	RelOptions []string
	Columns    []int16 // target columns it uses (0: the whole row)
}

// fkRef is a foreign key on another table that references the target.
type fkRef struct {
	Name    string
	Table   string // schema-qualified, quoted
	Columns []string
	Actions string // confdeltype
}

// readDependents reads what depends on table oid. The transaction's
// search_path must be pg_catalog so definitions come schema-qualified.
func readDependents(ctx context.Context, q querier, info *tableInfo) (*dependents, error) {
	d := &dependents{}
	var err error
	if d.Indexes, err = readIndexes(ctx, q, info.OID); err != nil {
		return nil, err
	}
	if d.Constraints, err = readConstraints(ctx, q, info.OID); err != nil {
		return nil, err
	}
	if d.Views, err = readViews(ctx, q, info.OID); err != nil {
		return nil, err
	}
	if d.FKRefs, err = readFKRefs(ctx, q, info.OID); err != nil {
		return nil, err
	}
	others, err := readOtherDependents(ctx, q, info.OID)
	if err != nil {
		return nil, err
	}
	d.Blockers = blockers(info, d, others)
	return d, nil
}

// readIndexes reads the indexes of table oid that back no constraint.
func readIndexes(ctx context.Context, q querier, oid uint32) ([]indexInfo, error) {
	return readRows(ctx, q, "indexes", `
SELECT ic.relname, pg_get_indexdef(i.indexrelid),
       'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' ||
         quote_ident(ic.relname) || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' USING ',
       ARRAY(SELECT dp.refobjsubid::int2 FROM pg_depend dp WHERE dp.classid = 'pg_class'::regclass
             AND dp.objid = i.indexrelid AND dp.refobjid = i.indrelid AND dp.refobjsubid > 0 ORDER BY 1),
       coalesce(ts.spcname::text, ''), i.indisclustered, d.description
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
     LEFT JOIN pg_description d ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE i.indrelid = $1
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid)
ORDER BY ic.relname`, oid, func(r pgx.CollectableRow) (indexInfo, error) {
		var x indexInfo
		err := r.Scan(&x.Name, &x.Def, &x.Prefix, &x.Columns, &x.Tablespace, &x.Clustered, &x.Comment)
		return x, err
	})
}

// readConstraints reads the primary key, unique, exclusion, check and
// foreign key constraints of table oid, with the index of those that have
// one.
func readConstraints(ctx context.Context, q querier, oid uint32) ([]constraintInfo, error) {
	return readRows(ctx, q, "constraints", `
SELECT con.conname, con.contype::text, pg_get_constraintdef(con.oid), coalesce(con.conkey, '{}'),
       con.contype = 'f' AND con.confrelid = con.conrelid, cd.description,
       coalesce(ic.relname::text, ''), coalesce(ic.reloptions, '{}'), coalesce(ts.spcname::text, ''),
       coalesce(i.indisclustered, false), id.description
FROM pg_constraint con
     LEFT JOIN pg_class ic ON ic.oid = con.conindid AND con.contype IN ('p', 'u', 'x')
     LEFT JOIN pg_index i ON i.indexrelid = ic.oid
     LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
     LEFT JOIN pg_description cd ON cd.objoid = con.oid AND cd.classoid = 'pg_constraint'::regclass AND cd.objsubid = 0
     LEFT JOIN pg_description id ON id.objoid = ic.oid AND id.classoid = 'pg_class'::regclass AND id.objsubid = 0
WHERE con.conrelid = $1 AND con.contype IN ('p', 'u', 'x', 'c', 'f')
ORDER BY con.contype, con.conname`, oid, func(r pgx.CollectableRow) (constraintInfo, error) {
		var c constraintInfo
		x := &c.Index
		err := r.Scan(&c.Name, &c.Type, &c.Def, &c.Columns, &c.SelfRef, &c.Comment,
			&x.Name, &c.IndexOptions, &x.Tablespace, &x.Clustered, &x.Comment)
		return c, err
	})
}

// readViews reads the views and materialized views whose rules read table
// oid.
func readViews(ctx context.Context, q querier, oid uint32) ([]viewInfo, error) {
	return readRows(ctx, q, "dependent views", `
SELECT v.oid, quote_ident(vn.nspname) || '.' || quote_ident(v.relname), v.relkind::text,
       pg_has_role(v.relowner, 'MEMBER'),
       CASE WHEN v.relkind = 'v' THEN pg_get_viewdef(v.oid) ELSE '' END,
       coalesce(v.reloptions, '{}'),
       array_agg(DISTINCT dp.refobjsubid::int2 ORDER BY dp.refobjsubid::int2)
FROM pg_depend dp JOIN pg_rewrite r ON r.oid = dp.objid
     JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace
WHERE dp.classid = 'pg_rewrite'::regclass AND dp.refclassid = 'pg_class'::regclass
  AND dp.refobjid = $1 AND r.ev_class <> $1
GROUP BY v.oid, vn.nspname, v.relname, v.relkind, v.relowner, v.reloptions
ORDER BY 2`, oid, func(r pgx.CollectableRow) (viewInfo, error) {
		var v viewInfo
		err := r.Scan(&v.OID, &v.Name, &v.Kind, &v.CanOwn, &v.Def, &v.RelOptions, &v.Columns)
		return v, err
	})
}

// readFKRefs reads the foreign keys of other tables that reference table
// oid.
func readFKRefs(ctx context.Context, q querier, oid uint32) ([]fkRef, error) {
	return readRows(ctx, q, "referencing foreign keys", `
SELECT con.conname, quote_ident(n.nspname) || '.' || quote_ident(c.relname), con.confdeltype::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype = 'f' AND con.confrelid = $1 AND con.conrelid <> $1
ORDER BY 2, 1`, oid, func(r pgx.CollectableRow) (fkRef, error) {
		var f fkRef
		err := r.Scan(&f.Name, &f.Table, &f.Actions, &f.Columns)
		return f, err
	})
}

// readOtherDependents describes everything else that depends on table oid
// or its row type, except what the other readers handle (own indexes and
// constraints, views, referencing foreign keys), internal dependencies and
// the truncate trigger Citus gives every distributed table (a staging table
// made like the target gets its own: see distributeLike).
func readOtherDependents(ctx context.Context, q querier, oid uint32) ([]string, error) {
	return readRows(ctx, q, "dependent objects", `
SELECT DISTINCT pg_describe_object(dp.classid, dp.objid, 0)
FROM pg_depend dp
WHERE dp.deptype IN ('n', 'a')
  AND ((dp.refclassid = 'pg_class'::regclass AND dp.refobjid = $1)
       OR (dp.refclassid = 'pg_type'::regclass AND dp.refobjid = (SELECT reltype FROM pg_class WHERE oid = $1)))
  AND NOT (dp.classid = 'pg_class'::regclass AND EXISTS
           (SELECT 1 FROM pg_index i WHERE i.indexrelid = dp.objid AND i.indrelid = $1))
  AND NOT (dp.classid = 'pg_constraint'::regclass AND EXISTS
           (SELECT 1 FROM pg_constraint con WHERE con.oid = dp.objid AND (con.conrelid = $1 OR con.contype = 'f')))
  AND NOT (dp.classid = 'pg_rewrite'::regclass AND EXISTS
           (SELECT 1 FROM pg_rewrite r WHERE r.oid = dp.objid AND r.ev_class <> $1))
  AND NOT (dp.classid = 'pg_trigger'::regclass AND EXISTS
           (SELECT 1 FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
            WHERE tg.oid = dp.objid AND p.proname = 'citus_truncate_trigger'
              AND p.pronamespace = 'pg_catalog'::regnamespace))
  AND NOT (dp.classid = 'pg_type'::regclass AND EXISTS
           (SELECT 1 FROM pg_type t WHERE t.oid = dp.objid AND t.typelem = (SELECT reltype FROM pg_class WHERE oid = $1)))
ORDER BY 1`, oid, pgx.RowTo[string])
}

// readRows runs the catalog query sql for table oid and collects its rows
// with fn; what names the read in errors.
func readRows[T any](ctx context.Context, q querier, what, sql string, oid uint32, fn pgx.RowToFunc[T]) ([]T, error) {
	rows, err := q.Query(ctx, sql, oid)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, fn)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// fingerprint summarises the structure a staged replace was built for; a
// different fingerprint under the publish lock means the target changed.
func (d *dependents) fingerprint(info *tableInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%s|%q %q %q|", info.OID, info.Persistence, info.RelOptions, info.ToastOptions, info.AccessMethod)
	for _, c := range info.Columns {
		fmt.Fprintf(&b, "%d %q %d %d %v %q %d %q %q %q|", c.Num, c.Name, c.OID, c.Typmod, c.NotNull,
			c.Collation, c.StatTarget, c.Storage, c.Compression, c.Options)
	}
	index := func(x indexInfo) {
		fmt.Fprintf(&b, "%v %q|", x.Clustered, deref(x.Comment))
	}
	for _, x := range d.Indexes {
		fmt.Fprintf(&b, "i %s %s|", x.Name, x.Def)
		index(x)
	}
	for _, c := range d.Constraints {
		fmt.Fprintf(&b, "c %s %s %q|", c.Name, c.Def, deref(c.Comment))
		index(c.Index)
	}
	for _, v := range d.Views {
		fmt.Fprintf(&b, "v %d %s %v|", v.OID, v.Def, v.RelOptions)
	}
	fmt.Fprintf(&b, "%v", d.Blockers)
	return b.String()
}

// deref is *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// recheckTarget re-reads the target under the publish lock and fails with
// ErrTargetChanged when it was dropped, or altered in a way that changes its
// dependents, since the load first read it (info and deps).
func (r *loadRun) recheckTarget(ctx context.Context, info *tableInfo, deps *dependents) (*tableInfo, error) {
	now, err := lookupTable(ctx, r.tx, r.l.cfg.Schema, r.target)
	if err != nil {
		return nil, err
	}
	if now == nil {
		return nil, fmt.Errorf("%w: %s was dropped", ErrTargetChanged, r.qtarget)
	}
	nowDeps, err := readDependents(ctx, r.tx, now)
	if err != nil {
		return nil, err
	}
	if nowDeps.fingerprint(now) != deps.fingerprint(info) {
		return nil, fmt.Errorf("%w: %s was altered", ErrTargetChanged, r.qtarget)
	}
	return now, nil
}
