package load

import (
	"context"
	"fmt"

	"github.com/mbiload/mbiload/schema"
)

// notATable is the error for a target name that another kind of relation
// has: an index (orders_pkey, for a source table named orders_pkey), a
// sequence, a view. mbiload never renames or drops what it did not make,
// and a name of its choosing would change with the catalog from night to
// night: the message names the relation, its table and how to rename it.
func notATable(ctx context.Context, q querier, pgSchema, name string, oid uint32, kind string) error {
	qname := schema.Quote(pgSchema, name)
	what := relkindName(kind)
	var ownerSchema, ownerName string
	_ = q.QueryRow(ctx, `SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = coalesce(
  (SELECT indrelid FROM pg_index WHERE indexrelid = $1),
  (SELECT refobjid FROM pg_depend WHERE classid = 'pg_class'::regclass AND objid = $1
     AND refclassid = 'pg_class'::regclass AND deptype IN ('a', 'i') LIMIT 1))`, oid).Scan(&ownerSchema, &ownerName)
	if ownerName != "" {
		what += " of table " + schema.Quote(ownerSchema, ownerName)
	}
	alter := map[string]string{"i": "INDEX", "I": "INDEX", "S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW",
		"f": "FOREIGN TABLE"}[kind]
	fix := "rename it"
	if alter != "" {
		fix = fmt.Sprintf("rename it (ALTER %s %s RENAME TO ...)", alter, qname)
	}
	return fmt.Errorf("%w: %s is %s %s, and a table cannot have its name; %s, or load the source table into another schema",
		ErrNotATable, qname, article(what), what, fix)
}

// article is "a" or "an" for a word.
func article(word string) string {
	if word != "" && (word[0] == 'a' || word[0] == 'e' || word[0] == 'i' || word[0] == 'o' || word[0] == 'u') {
		return "an"
	}
	return "a"
}
