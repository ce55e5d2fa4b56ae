package load

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// aclEntry is one privilege granted on a table or one of its columns.
type aclEntry struct {
	Column    string // "" for the table
	Grantee   string // role name; "" for PUBLIC
	Privilege string
	Grantable bool
}

// privileges are the privilege names aclexplode reports for tables and
// columns; anything else is never pasted into SQL.
var privileges = map[string]bool{
	"SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true,
	"TRUNCATE": true, "REFERENCES": true, "TRIGGER": true,
	"MAINTAIN": true, // PostgreSQL 17 and later
}

// readACL returns the privileges granted on table oid and its columns to
// roles other than its owner.
func readACL(ctx context.Context, q querier, oid uint32) ([]aclEntry, error) {
	rows, err := q.Query(ctx, `
SELECT '' AS col, CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END,
       a.privilege_type, a.is_grantable
FROM pg_class c, aclexplode(c.relacl) a
WHERE c.oid = $1 AND a.grantee <> c.relowner
UNION ALL
SELECT att.attname::text, CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END,
       a.privilege_type, a.is_grantable
FROM pg_class c JOIN pg_attribute att ON att.attrelid = c.oid, aclexplode(att.attacl) a
WHERE c.oid = $1 AND att.attnum > 0 AND NOT att.attisdropped AND a.grantee <> c.relowner
ORDER BY 1, 2, 3`, oid)
	if err != nil {
		return nil, fmt.Errorf("read privileges: %w", err)
	}
	acl, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (aclEntry, error) {
		var e aclEntry
		err := r.Scan(&e.Column, &e.Grantee, &e.Privilege, &e.Grantable)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read privileges: %w", err)
	}
	return acl, nil
}

// copyACL revokes what default privileges gave table (quoted), then
// grants each entry of from whose column still exists.
func copyACL(ctx context.Context, q querier, table string, newOID uint32, from []aclEntry, hasColumn func(string) bool) error {
	current, err := readACL(ctx, q, newOID)
	if err != nil {
		return err
	}
	revoked := map[string]bool{}
	for _, e := range current {
		if revoked[e.Grantee] {
			continue
		}
		revoked[e.Grantee] = true
		if _, err := q.Exec(ctx, "REVOKE ALL ON TABLE "+table+" FROM "+granteeSQL(e.Grantee)); err != nil {
			return fmt.Errorf("revoke default privileges: %w", err)
		}
	}
	for _, e := range from {
		if !privileges[e.Privilege] {
			continue
		}
		cols := ""
		if e.Column != "" {
			if !hasColumn(e.Column) {
				continue
			}
			cols = " (" + schema.Quote(e.Column) + ")"
		}
		sql := "GRANT " + e.Privilege + cols + " ON TABLE " + table + " TO " + granteeSQL(e.Grantee)
		if e.Grantable {
			sql += " WITH GRANT OPTION"
		}
		if _, err := q.Exec(ctx, sql); err != nil {
			return fmt.Errorf("copy privilege %s to %s: %w", e.Privilege, granteeSQL(e.Grantee), err)
		}
	}
	return nil
}

func granteeSQL(role string) string {
	if role == "" {
		return "PUBLIC"
	}
	return schema.Quote(role)
}
