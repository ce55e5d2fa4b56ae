package load

import (
	"context"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// tableShapeSQL describes a table and everything attached to it as text
// lines, one per thing a warehouse owner can add: the table's own
// settings, each column's, constraints, indexes, statistics objects,
// triggers, policies, rules, security labels, inheritance, publications,
// the views of its schema and the foreign keys referencing it. Two loads
// that keep everything give the same lines ($1 is the table, $2 its
// schema); oids, file nodes and rows are left out, and so is what the
// server itself manages: pg_attver=N, the entry PostgreSQL 15.20 puts
// into every column's attoptions (a per-table number the server assigns,
// new for every new table, which cannot be set by hand), so a swapped-in
// table always has another.
const tableShapeSQL = `
WITH t AS (SELECT $1::regclass::oid AS oid)
SELECT 'table ' || concat_ws(' | ', c.relkind::text, c.relpersistence::text, pg_get_userbyid(c.relowner),
         coalesce(array_to_string(c.reloptions, ','), ''),
         coalesce((SELECT array_to_string(x.reloptions, ',') FROM pg_class x WHERE x.oid = c.reltoastrelid), ''),
         coalesce((SELECT spcname FROM pg_tablespace WHERE oid = c.reltablespace), ''),
         coalesce((SELECT amname FROM pg_am WHERE oid = c.relam), ''),
         c.relreplident::text, c.relrowsecurity::text, c.relforcerowsecurity::text,
         CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::regtype::text END,
         coalesce(obj_description(c.oid, 'pg_class'), ''), c.relispartition::text,
         coalesce(pg_get_expr(c.relpartbound, c.oid), ''), c.relhassubclass::text)
FROM pg_class c, t WHERE c.oid = t.oid
UNION ALL
SELECT 'grant ' || e.privilege_type || ' to ' || pg_get_userbyid(e.grantee) || ' ' || e.is_grantable::text
FROM pg_class c, t, aclexplode(c.relacl) e WHERE c.oid = t.oid AND e.grantee <> c.relowner
UNION ALL
SELECT 'column ' || concat_ws(' | ', a.attnum::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
         coalesce((SELECT collname FROM pg_collation WHERE oid = a.attcollation), ''), a.attnotnull::text,
         coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, a.attgenerated::text,
         coalesce(a.attstattarget::text, ''), a.attstorage::text, a.attcompression::text,
         coalesce(array_to_string(ARRAY(SELECT o FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_attver=%'), ','), ''),
         coalesce(col_description(a.attrelid, a.attnum), ''),
         coalesce((SELECT string_agg(e.privilege_type || ' to ' || pg_get_userbyid(e.grantee), ',' ORDER BY 1)
                   FROM aclexplode(a.attacl) e), ''))
FROM t, pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || concat_ws(' | ', con.conname::text, pg_get_constraintdef(con.oid), con.convalidated::text,
         coalesce(obj_description(con.oid, 'pg_constraint'), ''))
FROM pg_constraint con, t WHERE con.conrelid = t.oid
UNION ALL
SELECT 'index ' || concat_ws(' | ', pg_get_indexdef(i.indexrelid),
         coalesce((SELECT spcname FROM pg_tablespace s JOIN pg_class ic ON ic.reltablespace = s.oid WHERE ic.oid = i.indexrelid), ''),
         i.indisclustered::text, i.indisreplident::text, coalesce(obj_description(i.indexrelid, 'pg_class'), ''),
         coalesce((SELECT string_agg(ia.attnum || '=' || ia.attstattarget, ',' ORDER BY ia.attnum)
                   FROM pg_attribute ia WHERE ia.attrelid = i.indexrelid AND ia.attstattarget >= 0), ''))
FROM pg_index i, t WHERE i.indrelid = t.oid
UNION ALL
SELECT 'statistics ' || pg_get_statisticsobjdef(s.oid) FROM pg_statistic_ext s, t WHERE s.stxrelid = t.oid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(g.oid) FROM pg_trigger g, t WHERE g.tgrelid = t.oid AND NOT g.tgisinternal
UNION ALL
SELECT 'policy ' || p.polname || ' ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '') FROM pg_policy p, t WHERE p.polrelid = t.oid
UNION ALL
SELECT 'rule ' || pg_get_ruledef(r.oid) FROM pg_rewrite r, t WHERE r.ev_class = t.oid
UNION ALL
SELECT 'label ' || l.provider || ' ' || l.objsubid || ' ' || l.label FROM pg_seclabel l, t
WHERE l.objoid = t.oid AND l.classoid = 'pg_class'::regclass
UNION ALL
SELECT 'inherits ' || h.inhparent::regclass::text FROM pg_inherits h, t WHERE h.inhrelid = t.oid
UNION ALL
SELECT 'inherited by ' || h.inhrelid::regclass::text FROM pg_inherits h, t WHERE h.inhparent = t.oid
UNION ALL
SELECT 'publication ' || p.pubname FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid, t WHERE pr.prrelid = t.oid
UNION ALL
SELECT 'referenced by ' || con.conrelid::regclass::text || ' ' || pg_get_constraintdef(con.oid)
FROM pg_constraint con, t WHERE con.confrelid = t.oid AND con.conrelid <> t.oid
UNION ALL
SELECT 'view ' || v.relname || ' ' || v.relkind::text || ' ' || pg_get_viewdef(v.oid) || ' ' || coalesce(array_to_string(v.reloptions, ','), '')
FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace WHERE n.nspname = $2 AND v.relkind IN ('v', 'm')
ORDER BY 1`

// tableShape returns the lines of tableShapeSQL for table in the env's
// schema.
func tableShape(t testing.TB, e *env, table string) []string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), tableShapeSQL, schema.Quote(e.schema, table), e.schema)
	if err != nil {
		t.Fatalf("read the shape of %s: %v", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.ReplaceAll(s, "\n", " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read the shape of %s: %v", table, err)
	}
	return out
}
