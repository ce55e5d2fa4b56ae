package load

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// querier is what the catalog readers need: a transaction or a connection.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// tableInfo is an existing target table as the catalogs describe it.
type tableInfo struct {
	OID         uint32
	Kind        string // pg_class.relkind
	Persistence string // pg_class.relpersistence
	Owner       string
	CanOwn      bool // the current user is a member of the owner role
	Comment     *string
	RelOptions  []string
	Tablespace  uint32
	RowSecurity bool
	ReplIdent   string
	IsPartition bool
	HasSubclass bool
	// PrimaryKey names the primary key constraint, "" when there is none.
	PrimaryKey string
	Columns    []tableColumn
}

// tableColumn is one live column of an existing table.
type tableColumn struct {
	Num      int16
	Name     string
	OID      uint32
	Typmod   int32
	TypeName string // format_type
	NotNull  bool
	// PrimaryKey is the column's 1-based position in the table's primary
	// key, 0 when it is not part of it.
	PrimaryKey int
	Comment    *string
}

// column returns the column named name, or nil.
func (t *tableInfo) column(name string) *tableColumn {
	for k := range t.Columns {
		if t.Columns[k].Name == name {
			return &t.Columns[k]
		}
	}
	return nil
}

// lookupTable reads the table pgSchema.name, or returns nil when there is
// no relation of that name.
func lookupTable(ctx context.Context, q querier, pgSchema, name string) (*tableInfo, error) {
	t := &tableInfo{}
	err := q.QueryRow(ctx, `
SELECT c.oid, c.relkind::text, c.relpersistence::text, pg_get_userbyid(c.relowner),
       pg_has_role(c.relowner, 'MEMBER'), obj_description(c.oid, 'pg_class'),
       coalesce(c.reloptions, '{}'), c.reltablespace, c.relrowsecurity, c.relreplident::text,
       c.relispartition, c.relhassubclass,
       coalesce((SELECT con.conname FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'p'), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2`, pgSchema, name).Scan(
		&t.OID, &t.Kind, &t.Persistence, &t.Owner, &t.CanOwn, &t.Comment, &t.RelOptions,
		&t.Tablespace, &t.RowSecurity, &t.ReplIdent, &t.IsPartition, &t.HasSubclass, &t.PrimaryKey)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up table: %w", err)
	}
	switch t.Kind {
	case "r", "p":
	default:
		return nil, fmt.Errorf("%w: %s is a %s", ErrNotATable, schema.Quote(pgSchema, name), relkindName(t.Kind))
	}
	rows, err := q.Query(ctx, `
SELECT a.attnum, a.attname, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod),
       a.attnotnull, col_description(a.attrelid, a.attnum),
       coalesce((SELECT u.k FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY AS u (attnum, k)
                 WHERE i.indrelid = a.attrelid AND i.indisprimary AND u.attnum = a.attnum), 0)
FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, t.OID)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	t.Columns, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableColumn, error) {
		var c tableColumn
		err := r.Scan(&c.Num, &c.Name, &c.OID, &c.Typmod, &c.TypeName, &c.NotNull, &c.Comment, &c.PrimaryKey)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	return t, nil
}

func relkindName(k string) string {
	switch k {
	case "v":
		return "view"
	case "m":
		return "materialized view"
	case "f":
		return "foreign table"
	case "S":
		return "sequence"
	case "i", "I":
		return "index"
	case "c":
		return "composite type"
	}
	return "relation of kind " + k
}

// fieldTypmod is the atttypmod PostgreSQL gives a column of type t.
func fieldTypmod(t schema.Type) int32 {
	if t.Kind == schema.KindNumeric && t.Precision > 0 {
		return (t.Precision<<16 | t.Scale&0xffff) + 4
	}
	return -1
}

// numericTypmod decodes a numeric typmod; ok is false when unconstrained.
func numericTypmod(typmod int32) (precision, scale int32, ok bool) {
	if typmod < 4 {
		return 0, 0, false
	}
	m := typmod - 4
	return (m >> 16) & 0xffff, ((m & 0x7ff) ^ 1024) - 1024, true
}

// sameType reports whether an existing column has exactly field f's type.
func sameType(c *tableColumn, f schema.Field) bool {
	return c.OID == f.Type.PGOID() && c.Typmod == fieldTypmod(f.Type)
}

// schemaChanges compares the table's fields with an existing table's
// columns and describes the differences. dropped and retyped list the
// affected existing columns.
func schemaChanges(t *schema.Table, info *tableInfo) (changes []string, dropped, retyped []*tableColumn) {
	var common []string
	for _, f := range t.Fields {
		c := info.column(f.Name)
		switch {
		case c == nil:
			changes = append(changes, fmt.Sprintf("added column %q (%s)", f.Name, f.Type.PG()))
		case !sameType(c, f):
			changes = append(changes, fmt.Sprintf("retyped column %q from %s to %s", f.Name, c.TypeName, f.Type.PG()))
			retyped = append(retyped, c)
			common = append(common, f.Name)
		default:
			common = append(common, f.Name)
		}
	}
	var before []string
	for k := range info.Columns {
		c := &info.Columns[k]
		if fieldIndexByName(t, c.Name) < 0 {
			changes = append(changes, fmt.Sprintf("dropped column %q (%s)", c.Name, c.TypeName))
			dropped = append(dropped, c)
			continue
		}
		before = append(before, c.Name)
	}
	if !slices.Equal(before, common) {
		changes = append(changes, "reordered columns")
	}
	return changes, dropped, retyped
}

// fieldIndexByName returns the index of the field with target name name.
func fieldIndexByName(t *schema.Table, name string) int {
	for k, f := range t.Fields {
		if f.Name == name {
			return k
		}
	}
	return -1
}
