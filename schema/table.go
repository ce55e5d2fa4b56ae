package schema

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Options controls how column metadata is resolved into a [Table].
type Options struct {
	// Identifiers selects the naming rule; empty means [IdentifiersSnake].
	Identifiers IdentifierMode
	// SourceTimezone, when set, is the account's time zone: datetime columns
	// (wall-clock times in that zone) become timestamptz instants. When nil
	// they stay timestamp without time zone.
	SourceTimezone *time.Location
}

// Field is one resolved column: its source metadata, target identifier and
// mapped type.
type Field struct {
	// Source is the column metadata as the API served it.
	Source Column
	// Name is the PostgreSQL column name (unquoted).
	Name string
	// Type is the mapped type.
	Type Type
}

// Table is a source table resolved for loading: target identifiers, mapped
// types and the warnings raised while mapping. Build one with [NewTable].
type Table struct {
	// SourceID is the table's id in the API, if known.
	SourceID ID
	// SourceName is the table's name in the API.
	SourceName string
	// Name is the PostgreSQL table name (unquoted).
	Name string
	// HistoryName is the table snapshot loads append to (unquoted); empty
	// means Name + "_history" (cut to 63 bytes). Sync and backfill set it
	// from the name assignment over the whole warehouse, which keeps it
	// clear of every other table's name.
	HistoryName string
	// Fields are the columns in metadata order.
	Fields []Field
	// Warnings lists mapping problems that did not stop the table, such as
	// unknown types mapped to text.
	Warnings []string
	// Location is the source time zone from [Options], or nil.
	Location *time.Location
}

// Arrow field metadata keys set by [Table.ArrowSchema].
const (
	// MetaSourceName holds a column's or table's original source name.
	MetaSourceName = "mbiload.source_name"
	// MetaSourceType holds a column's source type name.
	MetaSourceType = "mbiload.source_type"
	// MetaPGType holds the PostgreSQL type of a column.
	MetaPGType = "mbiload.pg_type"
)

// NewTable resolves a source table's column metadata. tableID may be empty.
func NewTable(tableID ID, tableName string, cols []Column, opts Options) (*Table, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %q: %w", tableName, ErrNoColumns)
	}
	if tableName == "" && tableID == "" {
		return nil, fmt.Errorf("%w: a table needs a name or an id", ErrNoName)
	}
	mode := opts.Identifiers
	if mode == "" {
		mode = IdentifiersSnake
	}
	if mode != IdentifiersSnake && mode != IdentifiersPreserve {
		return nil, fmt.Errorf("table %q: unknown identifier mode %q", tableName, mode)
	}
	t := &Table{
		SourceID:   tableID,
		SourceName: tableName,
		Name:       TableIdentifier(tableName, tableID, mode),
		Fields:     make([]Field, len(cols)),
		Location:   opts.SourceTimezone,
	}
	seen := make(map[string]int, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		if j, dup := seen[c.Name]; dup {
			return nil, fmt.Errorf("table %q: columns %d and %d are both named %q: %w", tableName, j+1, i+1, c.Name, ErrDuplicateColumn)
		}
		seen[c.Name] = i
		names[i] = c.Name
		typ, err := parseType(c.Type, int(c.Precision), int(c.Scale))
		if err != nil {
			return nil, fmt.Errorf("table %q column %q: %w", tableName, c.Name, err)
		}
		if typ.Unknown {
			t.Warnings = append(t.Warnings, fmt.Sprintf("table %q column %q: unknown type %q loaded as text", tableName, c.Name, c.Type))
		}
		if typ.Kind == KindTimestamp && opts.SourceTimezone != nil {
			typ.Kind = KindTimestampTZ
		}
		t.Fields[i] = Field{Source: c, Type: typ}
	}
	ids := ColumnIdentifiers(names, mode, func(i int) string { return "col_" + strconv.Itoa(i+1) })
	for i := range t.Fields {
		t.Fields[i].Name = ids[i]
	}
	return t, nil
}

// PrimaryKey returns the indexes of the fields marked as primary key, in
// metadata order, or nil.
func (t *Table) PrimaryKey() []int {
	var pk []int
	for i, f := range t.Fields {
		if f.Source.IsPrimaryKey {
			pk = append(pk, i)
		}
	}
	return pk
}

// FieldIndex returns the index of the field with the given source name, or -1.
func (t *Table) FieldIndex(sourceName string) int {
	for i, f := range t.Fields {
		if f.Source.Name == sourceName {
			return i
		}
	}
	return -1
}

// ColumnNames returns the target column names in metadata order.
func (t *Table) ColumnNames() []string {
	out := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = f.Name
	}
	return out
}

// ArrowSchema returns the Arrow schema of the table's record batches: one
// field per column, named by its target identifier, nullable unless the
// metadata says otherwise, with the source name, source type and PostgreSQL
// type in the field metadata.
func (t *Table) ArrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Fields))
	for i, f := range t.Fields {
		fields[i] = arrow.Field{
			Name:     f.Name,
			Type:     f.Type.Arrow(),
			Nullable: !f.Source.NotNull(),
			Metadata: arrow.NewMetadata(
				[]string{MetaSourceName, MetaSourceType, MetaPGType},
				[]string{f.Source.Name, f.Source.Type, f.Type.PG()},
			),
		}
	}
	md := arrow.NewMetadata([]string{MetaSourceName}, []string{t.SourceName})
	return arrow.NewSchema(fields, &md)
}
