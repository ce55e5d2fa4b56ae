package load

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// A NOT NULL follows the metadata when mbiload made it (see the package
// doc). The ledger row of each successful load records those
// (sourceMeta); one the last load did not record is the owner's.

// wantsNotNull reports whether the metadata makes field k NOT NULL: it
// says nullable: false, or k is in key (the primary key a load builds, a
// merge key).
func wantsNotNull(t *schema.Table, key []int, k int) bool {
	return t.Fields[k].Source.NotNull() || slices.Contains(key, k)
}

// relaxed returns the columns of the existing table info whose NOT NULL
// a load of t (keyed on key) drops: the last load recorded it as the
// metadata's, which no longer asks for it. The server requires it of a
// primary key or identity column; a partition, an inheritance child (the
// parent may hold it) or a table whose replica identity is an index keeps
// every NOT NULL.
func relaxed(t *schema.Table, key []int, info *tableInfo, last *lastNames) []*tableColumn {
	if info.IsPartition || len(info.Parents) > 0 || info.ReplIdent == "i" {
		return nil
	}
	var out []*tableColumn
	for k, f := range t.Fields {
		c := info.column(f.Name)
		if c == nil || !c.NotNull || c.PrimaryKey > 0 || c.Identity != "" {
			continue
		}
		if last.madeNotNull(c.Name) && !wantsNotNull(t, key, k) {
			out = append(out, c)
		}
	}
	return out
}

// withoutNotNull returns info without the NOT NULLs of drop.
func withoutNotNull(info *tableInfo, drop []*tableColumn) *tableInfo {
	if len(drop) == 0 {
		return info
	}
	out := *info
	out.Columns = slices.Clone(info.Columns)
	for k := range out.Columns {
		if slices.ContainsFunc(drop, func(c *tableColumn) bool { return c.Name == out.Columns[k].Name }) {
			out.Columns[k].NotNull = false
		}
	}
	return &out
}

// dropNotNull returns the statement dropping the NOT NULL of cols, if any.
func dropNotNull(table string, cols []*tableColumn) []string {
	if len(cols) == 0 {
		return nil
	}
	parts := make([]string, len(cols))
	for k, c := range cols {
		parts[k] = "ALTER COLUMN " + schema.Quote(c.Name) + " DROP NOT NULL"
	}
	return []string{"ALTER TABLE " + table + " " + strings.Join(parts, ", ")}
}

// notNullChanges describes, for SchemaChanges, the NOT NULL columns of
// the existing table info that the published table (final, by field
// index) has not: those of drop, and those a swap's new primary key left.
func notNullChanges(t *schema.Table, info *tableInfo, final func(k int) bool, drop []*tableColumn) []string {
	var out []string
	for k, f := range t.Fields {
		c := info.column(f.Name)
		if c == nil || !c.NotNull || final(k) {
			continue
		}
		why := "no longer in the primary key"
		if slices.ContainsFunc(drop, func(d *tableColumn) bool { return d.Name == c.Name }) {
			why = "the metadata no longer requires it"
		}
		out = append(out, fmt.Sprintf("column %q: NOT NULL dropped (%s)", f.Name, why))
	}
	return out
}

// madeNotNull returns what the ledger row records: the fields NOT NULL in
// the published table (final, by field index) but the owner's, NOT NULL
// in old (the table as the load keeps its NOT NULLs, nil when it creates
// it) and not recorded by the last load. Never nil.
func madeNotNull(t *schema.Table, final func(k int) bool, old *tableInfo, last *lastNames) []string {
	out := []string{}
	for k, f := range t.Fields {
		if !final(k) {
			continue
		}
		if old != nil {
			// A table last loaded by an earlier version, which did not
			// record its NOT NULLs: one the metadata asks for now is taken
			// as mbiload's (those versions' swaps set every NOT NULL from
			// the metadata), so that it follows the metadata from now on.
			takeover := last.unrecorded() && f.Source.NotNull()
			if c := old.column(f.Name); c != nil && c.NotNull && !last.madeNotNull(f.Name) && !takeover {
				continue // the owner's
			}
		}
		out = append(out, f.Name)
	}
	return out
}

// keptFinal is final for a load that keeps the existing table (kept, its
// NOT NULLs once the load's are dropped) and adds the fields it lacks,
// NOT NULL when added (nil: never) says so.
func keptFinal(t *schema.Table, kept *tableInfo, added func(k int) bool) func(k int) bool {
	return func(k int) bool {
		if c := kept.column(t.Fields[k].Name); c != nil {
			return c.NotNull
		}
		return added != nil && added(k)
	}
}

// keepNotNull says what a load that keeps the existing table info (in
// place, append, merge) does to its NOT NULLs (see keptFinal): it returns
// the table as the load leaves them, and the changes and the ledger's
// record of them and of the types, which such a load keeps.
func (r *loadRun) keepNotNull(info *tableInfo, relax []*tableColumn, added func(k int) bool) (*tableInfo, written) {
	t := r.job.Table
	kept := withoutNotNull(info, relax)
	final := keptFinal(t, kept, added)
	return kept, written{changes: notNullChanges(t, info, final, relax),
		notNull: madeNotNull(t, final, kept, r.plan.last), types: madeTypes(t, info, nil, r.plan.last, tableTypes)}
}

// createdNotNull is the ledger's record for a table the load creates
// with the metadata's NOT NULLs and key.
func createdNotNull(t *schema.Table, key []int) []string {
	return madeNotNull(t, func(k int) bool { return wantsNotNull(t, key, k) }, nil, nil)
}

// swapFinal is final for a swap: the metadata's NOT NULLs and those the
// staging table keeps of the old table (kept, see planStaging).
func swapFinal(t *schema.Table, pk []int, kept *tableInfo) func(k int) bool {
	return func(k int) bool {
		if wantsNotNull(t, pk, k) {
			return true
		}
		c := kept.column(t.Fields[k].Name)
		return c != nil && c.NotNull
	}
}

// mayRelax reports whether info has a NOT NULL column relaxed or a swap's
// new primary key might drop: only then does a dry run need the record.
func mayRelax(t *schema.Table, key []int, info *tableInfo) bool {
	for k, f := range t.Fields {
		if c := info.column(f.Name); c != nil && c.NotNull && !wantsNotNull(t, key, k) {
			return true
		}
	}
	return false
}
