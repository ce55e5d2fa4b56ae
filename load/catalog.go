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
	// ToastOptions are the reloptions of its TOAST table, without the
	// "toast." prefix they are set with.
	ToastOptions []string
	// AccessMethod is its table access method when it is not the
	// database's default (default_table_access_method), else "".
	AccessMethod string
	Tablespace   uint32
	RowSecurity  bool
	ForceRLS     bool // FORCE ROW LEVEL SECURITY
	ReplIdent    string
	IsPartition  bool
	HasSubclass  bool
	// Parents are the tables it inherits from (schema-qualified).
	Parents []string
	// OfType is the composite type of a typed table (CREATE TABLE OF), "".
	OfType string
	// Labels says a security label is set on it or one of its columns.
	Labels bool
	// IndexStatTargets names its indexes with a column that has a
	// statistics target of its own (ALTER INDEX ... SET STATISTICS).
	IndexStatTargets []string
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
	// Identity is pg_attribute.attidentity ("a", "d" or ""), Generated
	// attgenerated ("s" stored, "v" virtual on PostgreSQL 18, or "");
	// HasDefault says it has a default (or a generation expression).
	Identity, Generated string
	HasDefault          bool
	// Collation is the column's collation as SQL names it (quoted,
	// schema-qualified unless in pg_catalog), when it is not its type's
	// default, else "".
	Collation string
	// StatTarget is its statistics target, -1 for the default.
	StatTarget int16
	// Storage is its storage mode ("p", "e", "m", "x") when it is not its
	// type's default, else ""; Compression its compression method ("p"
	// pglz, "l" lz4) when one was set, else "".
	Storage, Compression string
	// Options are its attribute options ("n_distinct=100").
	Options []string
	// NotNullName names its NOT NULL constraint, which PostgreSQL 18 and
	// later keep in pg_constraint (contype 'n'), "" before 18 or when it
	// has none; NotNullNotValid and NotNullNoInherit say that constraint
	// is NOT VALID, NO INHERIT (see notNullDef).
	NotNullName                       string
	NotNullNotValid, NotNullNoInherit bool
}

// column returns the column named name, or nil.
func (t *tableInfo) column(name string) *tableColumn {
	if k := slices.IndexFunc(t.Columns, func(c tableColumn) bool { return c.Name == name }); k >= 0 {
		return &t.Columns[k]
	}
	return nil
}

// primaryKeyNames returns the names of the primary key's columns, in the
// key's order.
func (t *tableInfo) primaryKeyNames() []string {
	var cols []*tableColumn
	for k := range t.Columns {
		if t.Columns[k].PrimaryKey > 0 {
			cols = append(cols, &t.Columns[k])
		}
	}
	slices.SortFunc(cols, func(a, b *tableColumn) int { return a.PrimaryKey - b.PrimaryKey })
	names := make([]string, len(cols))
	for k, c := range cols {
		names[k] = c.Name
	}
	return names
}

// lookupTable reads the table pgSchema.name, or returns nil when there is
// no relation of that name.
func lookupTable(ctx context.Context, q querier, pgSchema, name string) (*tableInfo, error) {
	t := &tableInfo{}
	err := q.QueryRow(ctx, `
SELECT c.oid, c.relkind::text, c.relpersistence::text, pg_get_userbyid(c.relowner),
       pg_has_role(c.relowner, 'MEMBER'), td.description,
       coalesce(c.reloptions, '{}'),
       coalesce((SELECT x.reloptions FROM pg_class x WHERE x.oid = c.reltoastrelid), '{}'),
       coalesce((SELECT am.amname::text FROM pg_am am WHERE am.oid = c.relam
                 AND am.amname <> current_setting('default_table_access_method')), ''),
       c.reltablespace, c.relrowsecurity, c.relforcerowsecurity, c.relreplident::text,
       c.relispartition, c.relhassubclass,
       ARRAY(SELECT h.inhparent::regclass::text FROM pg_inherits h WHERE h.inhrelid = c.oid ORDER BY h.inhseqno),
       CASE WHEN c.reloftype = 0 THEN '' ELSE format_type(c.reloftype, NULL) END,
       EXISTS (SELECT 1 FROM pg_seclabel l WHERE l.objoid = c.oid AND l.classoid = 'pg_class'::regclass),
       ARRAY(SELECT DISTINCT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_attribute ia ON ia.attrelid = i.indexrelid
             WHERE i.indrelid = c.oid AND coalesce(ia.attstattarget, -1) >= 0),
       coalesce((SELECT con.conname FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'p'), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_description td ON td.objoid = c.oid AND td.classoid = 'pg_class'::regclass AND td.objsubid = 0
WHERE n.nspname = $1 AND c.relname = $2`, pgSchema, name).Scan(
		&t.OID, &t.Kind, &t.Persistence, &t.Owner, &t.CanOwn, &t.Comment, &t.RelOptions, &t.ToastOptions,
		&t.AccessMethod, &t.Tablespace, &t.RowSecurity, &t.ForceRLS, &t.ReplIdent, &t.IsPartition, &t.HasSubclass,
		&t.Parents, &t.OfType, &t.Labels, &t.IndexStatTargets, &t.PrimaryKey)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up table: %w", err)
	}
	switch t.Kind {
	case "r", "p":
	default:
		return nil, notATable(ctx, q, pgSchema, name, t.OID, t.Kind)
	}
	rows, err := q.Query(ctx, `
SELECT a.attnum, a.attname, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod),
       a.attnotnull, d.description,
       coalesce((SELECT u.k FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY AS u (attnum, k)
                 WHERE i.indrelid = a.attrelid AND i.indisprimary AND u.attnum = a.attnum), 0),
       a.attidentity::text, a.attgenerated::text, a.atthasdef,
       CASE WHEN a.attcollation <> ty.typcollation THEN a.attcollation::regcollation::text ELSE '' END,
       coalesce(a.attstattarget, -1)::int2,
       CASE WHEN a.attstorage <> ty.typstorage THEN a.attstorage::text ELSE '' END,
       a.attcompression::text, coalesce(a.attoptions, '{}'),
       coalesce(nn.conname::text, ''), coalesce(NOT nn.convalidated, false), coalesce(nn.connoinherit, false)
FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
     LEFT JOIN pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
     LEFT JOIN pg_constraint nn ON nn.conrelid = a.attrelid AND nn.contype = 'n' AND nn.conkey[1] = a.attnum
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, t.OID)
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	t.Columns, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableColumn, error) {
		var c tableColumn
		err := r.Scan(&c.Num, &c.Name, &c.OID, &c.Typmod, &c.TypeName, &c.NotNull, &c.Comment, &c.PrimaryKey,
			&c.Identity, &c.Generated, &c.HasDefault, &c.Collation, &c.StatTarget, &c.Storage, &c.Compression, &c.Options,
			&c.NotNullName, &c.NotNullNotValid, &c.NotNullNoInherit)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	return t, nil
}

// relkindNames name the pg_class.relkind values that are not tables.
var relkindNames = map[string]string{"v": "view", "m": "materialized view", "f": "foreign table", "S": "sequence",
	"i": "index", "I": "index", "c": "composite type"}

func relkindName(k string) string {
	if name, ok := relkindNames[k]; ok {
		return name
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

// schemaChanges describes how the table's fields differ from an existing
// table's columns. A column the export does not have is dropped when the
// last load wrote it (last, lastNames.cols), else a user added it: it is
// extra, and kept.
func schemaChanges(t *schema.Table, info *tableInfo, last map[string]string) (changes []string, dropped, retyped, extra []*tableColumn) {
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
			if _, ok := last[c.Name]; !ok {
				extra = append(extra, c)
				continue
			}
			changes = append(changes, fmt.Sprintf("dropped column %q (%s)", c.Name, c.TypeName))
			dropped = append(dropped, c)
			continue
		}
		before = append(before, c.Name)
	}
	if !slices.Equal(before, common) {
		changes = append(changes, "reordered columns")
	}
	return changes, dropped, retyped, extra
}

// hasOtherColumns reports whether info has a column t does not (and
// schemaChanges needs the last load's columns).
func hasOtherColumns(t *schema.Table, info *tableInfo) bool {
	return slices.ContainsFunc(info.Columns, func(c tableColumn) bool { return fieldIndexByName(t, c.Name) < 0 })
}

// fieldIndexByName returns the index of the field with target name name.
func fieldIndexByName(t *schema.Table, name string) int {
	return slices.IndexFunc(t.Fields, func(f schema.Field) bool { return f.Name == name })
}
