package load

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// What a warehouse owner adds to a table survives a replace: a swap
// re-creates on the staging table what it can carry (see stagingPlan);
// anything else makes the table refilled in place. The additions are read
// by the catalog queries that read the table anyway.

// additionBlockers are the things a swap cannot carry that are not
// objects depending on the table: inheritance, a typed table, forced
// row-level security, security labels, identity columns, indexes in
// another tablespace or with settings a re-created index would lose, and
// foreign keys referencing the table itself.
func additionBlockers(info *tableInfo, d *dependents) []string {
	var out []string
	if len(info.Parents) > 0 {
		out = append(out, "it inherits from "+strings.Join(info.Parents, ", "))
	}
	if info.OfType != "" {
		out = append(out, "it is a table of type "+info.OfType)
	}
	if info.ForceRLS && !info.RowSecurity {
		out = append(out, "row-level security is forced")
	}
	if info.Labels {
		out = append(out, "it has a security label")
	}
	for _, x := range info.IndexStatTargets {
		out = append(out, fmt.Sprintf("index %q has a column statistics target", x))
	}
	for _, c := range info.Columns {
		if c.Identity != "" {
			out = append(out, fmt.Sprintf("column %q is an identity column", c.Name))
		}
	}
	index := func(x indexInfo) {
		if x.Tablespace != "" {
			out = append(out, fmt.Sprintf("index %q lives in tablespace %q", x.Name, x.Tablespace))
		}
	}
	for _, x := range d.Indexes {
		index(x)
	}
	for _, c := range d.Constraints {
		if c.Index.Name != "" {
			index(c.Index)
			if len(c.IndexOptions) > 0 {
				out = append(out, fmt.Sprintf("index %q has storage parameters", c.Index.Name))
			}
		}
		if c.SelfRef {
			out = append(out, fmt.Sprintf("foreign key %q references the table itself", c.Name))
		}
	}
	return out
}

// extraBlockers are the columns a user added (extra, see schemaChanges):
// only an in-place refill keeps them, giving the new rows their defaults,
// identities, generated values or NULL. One that is unfilled fails.
func (r *loadRun) extraBlockers(extra []*tableColumn) ([]string, error) {
	var out []string
	for _, c := range extra {
		if unfilled(c) {
			return nil, r.unfilledError(c)
		}
		out = append(out, fmt.Sprintf("column %q is not in the export (a user added it)", c.Name))
	}
	return out, nil
}

// unfilled reports whether the column c, which the export does not
// have, refuses every new row: NOT NULL with no default, identity or
// generated value to fill it.
func unfilled(c *tableColumn) bool {
	return c.NotNull && !c.HasDefault && c.Identity == "" && c.Generated == ""
}

// unfilledError is the error of a load whose new rows an unfilled column
// c would refuse: it names the table and the column and says what to do.
func (r *loadRun) unfilledError(c *tableColumn) error {
	return &ColumnError{Table: r.qtarget, Column: c.Name, Err: ErrConstraint,
		Detail: "it is not in the export and is NOT NULL without a default; give it a default, or drop its NOT NULL or the column"}
}

// stagingPlan is what a swap's staging table takes over from the old
// table besides its rows: column definitions with the old columns' NOT
// NULL, collation and compression, and statements run with the CREATE
// TABLE (storage modes, statistics targets, column options, CHECK
// constraints under their own names, so the COPY enforces them).
type stagingPlan struct {
	defs   []string
	suffix string          // " USING am WITH (...)"
	create []string        // run with the CREATE TABLE
	early  map[string]bool // the constraints built with it
	// notNull is the old table as the staging table keeps its NOT NULL
	// columns, for refuseNulls.
	notNull *tableInfo
}

// planStaging reads what the staging table of a swap takes over from
// info and deps (see stagingPlan). pk are the metadata's primary key
// fields; relax the columns whose NOT NULL the swap drops (see relaxed);
// kept the columns keeping the owner's type (see ownerTypes).
func planStaging(t *schema.Table, pk []int, info *tableInfo, deps *dependents, qstage string, relax, kept []*tableColumn) stagingPlan {
	p := stagingPlan{early: map[string]bool{}, notNull: withoutNotNull(keptNotNull(info, t, pk), relax)}
	var alter []string
	for k, f := range t.Fields {
		d := schema.Quote(f.Name) + " " + f.Type.PG()
		if c := keptType(kept, f.Name); c != nil {
			d = schema.Quote(f.Name) + " " + c.TypeName
		}
		notNull := wantsNotNull(t, pk, k)
		if c := p.notNull.column(f.Name); c != nil {
			same := sameType(c, f) || keptType(kept, f.Name) != nil
			col := "ALTER COLUMN " + schema.Quote(f.Name)
			if m, ok := compressions[c.Compression]; ok && same {
				d += " COMPRESSION " + m
			}
			if c.Collation != "" && same {
				d += " COLLATE " + c.Collation
			}
			notNull = notNull || c.NotNull
			if c.StatTarget >= 0 {
				alter = append(alter, fmt.Sprintf("%s SET STATISTICS %d", col, c.StatTarget))
			}
			if m, ok := storages[c.Storage]; ok && same {
				alter = append(alter, col+" SET STORAGE "+m)
			}
			if o := optionList(c.Options); o != "" {
				alter = append(alter, col+" SET ("+o+")")
			}
		}
		if notNull {
			def, add := notNullDef(t.Name, f.Name, p.notNull.column(f.Name))
			d += def
			if add != "" {
				alter = append(alter, add)
			}
		}
		p.defs = append(p.defs, d)
	}
	for _, c := range stagedChecks(t, info, deps) {
		alter = append(alter, "ADD CONSTRAINT "+schema.Quote(c.Name)+" "+c.Def)
		p.early[c.Name] = true
	}
	if len(alter) > 0 {
		p.create = append(p.create, "ALTER TABLE "+qstage+" "+strings.Join(alter, ", "))
	}
	if info.AccessMethod != "" {
		p.suffix = " USING " + schema.Quote(info.AccessMethod)
	}
	opts := slices.Clone(info.RelOptions)
	for _, o := range info.ToastOptions {
		opts = append(opts, "toast."+o)
	}
	p.suffix += withOptions(opts)
	return p
}

// keptNotNull returns info without the NOT NULLs only the old primary key
// gave, when the metadata's primary key (pk) replaces it.
func keptNotNull(info *tableInfo, t *schema.Table, pk []int) *tableInfo {
	out := *info
	out.Columns = slices.Clone(info.Columns)
	for k := range out.Columns {
		c := &out.Columns[k]
		if c.PrimaryKey > 0 && len(pk) > 0 && !slices.Contains(pk, fieldIndexByName(t, c.Name)) {
			c.NotNull = false
		}
	}
	return &out
}

// stagedChecks are the CHECK constraints of the old table on columns the
// export has with the same type: a staging table can have them before
// the COPY, which then names the line of a row they refuse.
func stagedChecks(t *schema.Table, info *tableInfo, deps *dependents) []constraintInfo {
	var out []constraintInfo
	for _, c := range deps.Constraints {
		if c.Type != "c" {
			continue
		}
		names := columnNames(info, c.Columns)
		if names == nil {
			continue
		}
		ok := true
		for _, n := range names {
			k := fieldIndexByName(t, n)
			ok = ok && k >= 0 && sameType(info.column(n), t.Fields[k])
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// compressions and storages name pg_attribute's attcompression and
// attstorage codes in SQL; other codes are never pasted into SQL.
var (
	compressions = map[string]string{"p": "pglz", "l": "lz4"}
	storages     = map[string]string{"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}
)

// finishing returns the statements that give the published table
// (quoted) the comment and the CLUSTER mark of an index or constraint
// now named final, as the old one had them.
func finishing(table, pgSchema, final string, constraint *constraintInfo, x indexInfo) []string {
	var out []string
	if constraint != nil && constraint.Comment != nil {
		out = append(out, "COMMENT ON CONSTRAINT "+schema.Quote(final)+" ON "+table+" IS "+schema.QuoteLiteral(*constraint.Comment))
	}
	if x.Name == "" {
		return out
	}
	if x.Comment != nil {
		out = append(out, "COMMENT ON INDEX "+schema.Quote(pgSchema, final)+" IS "+schema.QuoteLiteral(*x.Comment))
	}
	if x.Clustered {
		out = append(out, "ALTER TABLE "+table+" CLUSTER ON "+schema.Quote(final))
	}
	return out
}
