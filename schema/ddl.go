package schema

import "strings"

// CreateTableSQL returns the CREATE TABLE statement for the table in the given
// PostgreSQL schema under the given table name (pass t.Name for the target,
// another name for a staging table). Columns are in metadata order, NOT NULL
// where the metadata says so, and a PRIMARY KEY from is_primary_key.
func (t *Table) CreateTableSQL(pgSchema, name string) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(Quote(pgSchema, name))
	b.WriteString(" (\n")
	for i, f := range t.Fields {
		b.WriteString("  ")
		b.WriteString(Quote(f.Name))
		b.WriteByte(' ')
		b.WriteString(f.Type.PG())
		if f.Source.NotNull() {
			b.WriteString(" NOT NULL")
		}
		if i < len(t.Fields)-1 || len(t.PrimaryKey()) > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	if pk := t.PrimaryKey(); len(pk) > 0 {
		b.WriteString("  PRIMARY KEY (")
		for i, k := range pk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(Quote(t.Fields[k].Name))
		}
		b.WriteString(")\n")
	}
	b.WriteString(")")
	return b.String()
}

// CommentSQL returns the COMMENT ON statements that record the original
// source names of the table and its columns verbatim.
func (t *Table) CommentSQL(pgSchema, name string) []string {
	out := make([]string, 0, len(t.Fields)+1)
	out = append(out, "COMMENT ON TABLE "+Quote(pgSchema, name)+" IS "+QuoteLiteral(t.SourceName))
	for _, f := range t.Fields {
		out = append(out, "COMMENT ON COLUMN "+Quote(pgSchema, name, f.Name)+" IS "+QuoteLiteral(f.Source.Name))
	}
	return out
}

// DDL returns the CREATE TABLE statement followed by the COMMENT statements,
// each ending in a semicolon, as `mbiload tables describe --ddl` prints them.
func (t *Table) DDL(pgSchema string) string {
	var b strings.Builder
	b.WriteString(t.CreateTableSQL(pgSchema, t.Name))
	b.WriteString(";\n")
	for _, c := range t.CommentSQL(pgSchema, t.Name) {
		b.WriteString(c)
		b.WriteString(";\n")
	}
	return b.String()
}
