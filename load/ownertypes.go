package load

import (
	"fmt"
	"slices"

	"github.com/mbiload/mbiload/schema"
)

// A column type the owner chose stays (a table made by hand keeps its
// varchar(100), char(3), boolean and json columns): a replace retypes a
// column only when mbiload made its current type, as the ledger row of
// each successful load records (see sourceMeta). A column whose type
// differs from the metadata's is then
//
//   - mbiload's when its type is the one recorded (the vendor changed
//     the type): it takes the metadata's type, as before;
//   - the owner's otherwise (a table mbiload never loaded, a column
//     someone retyped): it keeps its type, and each value of the export
//     is checked to fit it as it is written (see newOwnerEncoder); a
//     value that does not fails the load naming its line and column, and
//     nothing is replaced. A type the export's values cannot be written
//     into at all (a date into integer) is replaced, and the change says
//     why.
//
// A table last loaded by a version that did not record types is taken
// over: the columns that load wrote are mbiload's.

// formatType is format_type's spelling of type t, as the catalog reads a
// column's type (tableColumn.TypeName).
func formatType(t schema.Type) string {
	switch t.Kind {
	case schema.KindTime:
		return "time without time zone"
	case schema.KindTimestamp:
		return "timestamp without time zone"
	case schema.KindTimestampTZ:
		return "timestamp with time zone"
	}
	return t.PG()
}

// madeType reports whether column c's current type is mbiload's doing,
// by what the last load recorded.
func (n *lastNames) madeType(c *tableColumn) bool {
	if n == nil {
		return false
	}
	if n.types == nil {
		_, ok := n.cols[c.Name] // an earlier version: it set every type it wrote
		return ok
	}
	t, ok := n.types[c.Name]
	return ok && t == c.TypeName
}

// ownerWritable reports whether field f's values can be written into
// column c's type, each checked to fit (see newOwnerEncoder).
func ownerWritable(f schema.Field, c *tableColumn) bool {
	if ok, _ := compatible(f, c); ok {
		return true
	}
	var oids []uint32
	switch f.Type.Kind {
	case schema.KindText:
		oids = []uint32{oidText, oidVarchar, oidBpchar, oidBool}
	case schema.KindJSON:
		oids = []uint32{oidText, oidVarchar, oidBpchar, oidJSON}
	case schema.KindInt16, schema.KindInt32, schema.KindInt64:
		oids = []uint32{oidBool, oidInt2, oidInt4, oidInt8, oidNumeric, oidText, oidVarchar, oidBpchar}
	case schema.KindNumeric:
		oids = []uint32{oidNumeric}
	}
	return slices.Contains(oids, c.OID)
}

// ownerTypes splits retyped (see schemaChanges) into the columns that
// keep the owner's type (kept) and those that take the metadata's, and
// rewrites changes to say which.
func ownerTypes(t *schema.Table, info *tableInfo, last *lastNames, changes []string, retyped []*tableColumn) (outChanges []string, outRetyped, kept []*tableColumn) {
	for _, c := range retyped {
		f := t.Fields[fieldIndexByName(t, c.Name)]
		old := retypedChange(f, c)
		switch {
		case last.madeType(c) || c.Generated != "":
			outRetyped = append(outRetyped, c)
			continue
		case ownerWritable(f, c):
			kept = append(kept, c)
			changes = replaceChange(changes, old,
				fmt.Sprintf("kept column %q as %s (the owner's type; the export has %s)", f.Name, c.TypeName, f.Type.PG()))
		default:
			outRetyped = append(outRetyped, c)
			changes = replaceChange(changes, old,
				old+fmt.Sprintf(" (the owner's type %s cannot hold the export's %s values)", c.TypeName, f.Type.PG()))
		}
	}
	return changes, outRetyped, kept
}

// retypedChange is schemaChanges' text for column c retyped to f's type.
func retypedChange(f schema.Field, c *tableColumn) string {
	return fmt.Sprintf("retyped column %q from %s to %s", f.Name, c.TypeName, f.Type.PG())
}

func replaceChange(changes []string, old, now string) []string {
	if k := slices.Index(changes, old); k >= 0 {
		changes[k] = now
	}
	return changes
}

// keptType returns the column of kept named name, or nil.
func keptType(kept []*tableColumn, name string) *tableColumn {
	if k := slices.IndexFunc(kept, func(c *tableColumn) bool { return c.Name == name }); k >= 0 {
		return kept[k]
	}
	return nil
}

// ownerColumns is fieldColumns with the columns of kept written in the
// owner's type: each value checked, unless the type holds every value of
// the field's (compatible).
func ownerColumns(t *schema.Table, kept []*tableColumn) []copyColumn {
	cols := fieldColumns(t)
	for k, f := range t.Fields {
		if c := keptType(kept, f.Name); c != nil {
			cols[k] = targetColumn(k, f, c)
			if ok, _ := compatible(f, c); !ok {
				cols[k].Owner, cols[k].Typmod = true, c.Typmod
			}
		}
	}
	return cols
}

// columnTypes says which type a load leaves an existing column with.
type columnTypes int

const (
	// exportTypes: the metadata's type, as a replace (or a create) gives.
	exportTypes columnTypes = iota
	// tableTypes: the table's own, as an append or a merge keeps.
	tableTypes
)

// madeTypes returns what the ledger row records: the type of each column
// of the published table that is mbiload's doing. info is the table as it
// was (nil when the load creates it); types says which type the columns
// but kept (the owner's) end with. Never nil.
func madeTypes(t *schema.Table, info *tableInfo, kept []*tableColumn, last *lastNames, types columnTypes) map[string]string {
	out := map[string]string{}
	for _, f := range t.Fields {
		var c *tableColumn
		if info != nil {
			c = info.column(f.Name)
		}
		switch {
		case c == nil || (types == exportTypes && !sameType(c, f) && keptType(kept, c.Name) == nil):
			out[f.Name] = formatType(f.Type)
		case keptType(kept, c.Name) != nil:
		case last.madeType(c):
			out[f.Name] = c.TypeName
		}
	}
	return out
}

// ownerColumnDefs is columnDefs with the columns of kept in their type.
func ownerColumnDefs(t *schema.Table, kept []*tableColumn) []string {
	out := columnDefs(t)
	for k, f := range t.Fields {
		if c := keptType(kept, f.Name); c != nil {
			out[k] = schema.Quote(f.Name) + " " + c.TypeName
			if f.Source.NotNull() { // as fieldDef
				out[k] += " NOT NULL"
			}
		}
	}
	return out
}

// hasRetyped reports whether a column of info has another type than t's
// field of its name: only then does a dry run need the last load's
// record of types.
func hasRetyped(t *schema.Table, info *tableInfo) bool {
	for _, f := range t.Fields {
		if c := info.column(f.Name); c != nil && !sameType(c, f) {
			return true
		}
	}
	return false
}

// ownedColumns returns the columns of the existing table info that an
// append or merge writes in the owner's type, each value checked: not
// compatible, but ownerWritable, and not of a type mbiload made. A column
// the export's values cannot go into fails with a [ColumnError].
func (r *loadRun) ownedColumns(info *tableInfo, last *lastNames) ([]*tableColumn, error) {
	t := r.job.Table
	var owned []*tableColumn
	for _, f := range t.Fields {
		c := info.column(f.Name)
		if c == nil {
			continue
		}
		ok, detail := compatible(f, c)
		switch {
		case ok:
		case !last.madeType(c) && c.Generated == "" && ownerWritable(f, c):
			owned = append(owned, c)
		default:
			return nil, &ColumnError{Table: r.qtarget, Column: f.Name, Detail: detail + "; load in replace mode to take the export's types", Err: ErrIncompatibleType}
		}
	}
	return owned, nil
}
