package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// rename is an index or constraint built on the staging table under a
// temporary name, renamed to its final name once the old table is gone.
type rename struct {
	constraint bool
	// index says the constraint has an index (primary key, unique,
	// exclusion).
	index      bool
	tmp, final string
}

// buildKeys adds to the staging table the primary key from the metadata
// and the target's other constraints and indexes, under temporary names,
// except the CHECK constraints made with the table (early). Those that
// use a column the export dropped are left out with a warning. A
// duplicate the primary key or a unique constraint or index refuses is a
// [KeyError] naming the source table and the key's final name, never the
// staging table; a foreign key or exclusion constraint the rows break, a
// [ConstraintError]. A NOT VALID constraint stays NOT VALID, but the new
// rows are checked against it, as an INSERT would be. finish are the
// statements that give the published table the old one's comments on
// constraints and indexes and its CLUSTER index.
func (r *loadRun) buildKeys(ctx context.Context, info *tableInfo, qstage, stage string, deps *dependents, dropped []*tableColumn, early map[string]bool) (renames []rename, finish []string, err error) {
	t := r.job.Table
	pgSchema := r.l.cfg.Schema
	tmp := func() string { return stage + "_" + fmt.Sprint(len(renames)+1) }
	usesDropped := func(cols []int16) string {
		for _, c := range dropped {
			if slices.Contains(cols, c.Num) {
				return c.Name
			}
		}
		return ""
	}
	pk := t.PrimaryKey()
	if len(pk) > 0 {
		var old *constraintInfo
		final := ""
		for k, c := range deps.Constraints {
			if c.Type == "p" {
				final, old = c.Name, &deps.Constraints[k]
			}
		}
		if final == "" {
			var err error
			if final, err = r.freeName(ctx, r.target, "pkey"); err != nil {
				return nil, nil, err
			}
		}
		name := tmp()
		if err := r.addPrimaryKey(ctx, qstage, name, pk); err != nil {
			return nil, nil, err
		}
		r.steps.done("primary key")
		renames = append(renames, rename{constraint: true, index: true, tmp: name, final: final})
		if old != nil {
			finish = append(finish, finishing(r.qtarget, pgSchema, final, old, old.Index)...)
		}
	}
	for k := range deps.Constraints {
		c := &deps.Constraints[k]
		if c.Type == "p" && len(pk) > 0 {
			continue
		}
		if early[c.Name] {
			finish = append(finish, finishing(r.qtarget, pgSchema, c.Name, c, c.Index)...)
			continue
		}
		if col := usesDropped(c.Columns); col != "" {
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("constraint %q not re-created: column %q was dropped", c.Name, col))
			continue
		}
		name := tmp()
		if c.Index.Name == "" && r.finalConstraintName() {
			name = c.Name
		}
		if err := r.addConstraint(ctx, info, qstage, name, c); err != nil {
			return nil, nil, err
		}
		if name != c.Name {
			renames = append(renames, rename{constraint: true, index: c.Index.Name != "", tmp: name, final: c.Name})
		}
		finish = append(finish, finishing(r.qtarget, pgSchema, c.Name, c, c.Index)...)
	}
	for _, x := range deps.Indexes {
		if col := usesDropped(x.Columns); col != "" {
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("index %q not re-created: column %q was dropped", x.Name, col))
			continue
		}
		name := tmp()
		if err := r.addIndex(ctx, qstage, name, x); err != nil {
			return nil, nil, err
		}
		renames = append(renames, rename{tmp: name, final: x.Name})
		finish = append(finish, finishing(r.qtarget, pgSchema, x.Name, nil, x)...)
	}
	r.steps.done("other constraints and indexes")
	return renames, finish, nil
}

// addConstraint adds the target's constraint c to the staging table qstage
// under name. A NOT VALID constraint stays NOT VALID, but the rows are
// checked against it. A unique constraint the rows break is a [KeyError],
// another constraint they break a [ConstraintError].
func (r *loadRun) addConstraint(ctx context.Context, info *tableInfo, qstage, name string, c *constraintInfo) error {
	stmt := "ALTER TABLE " + qstage + " ADD CONSTRAINT " + schema.Quote(name) + " " + c.Def
	if strings.HasSuffix(c.Def, " NOT VALID") {
		// Check the rows, then take the validation back.
		stmt += ";\nSAVEPOINT mbiload_validate;\nALTER TABLE " + qstage + " VALIDATE CONSTRAINT " + schema.Quote(name) +
			";\nROLLBACK TO SAVEPOINT mbiload_validate;\nRELEASE SAVEPOINT mbiload_validate"
	}
	var err error
	if c.Type == "u" {
		_, err = r.execKeyed(ctx, stmt)
		err = r.keyError(ctx, err, qstage, r.fieldKey(fmt.Sprintf("unique constraint %q", c.Name), columnNames(info, c.Columns)), RepeatInExport)
	} else {
		err = r.execScript(ctx, stmt)
		err = r.constraintError(err, c, nil, info, nil)
	}
	if errors.As(err, new(*KeyError)) || errors.As(err, new(*ConstraintError)) {
		return err
	}
	if err != nil {
		return fmt.Errorf("re-create constraint %q: %w", c.Name, err)
	}
	return nil
}

// addIndex builds the target's index x on the staging table qstage under
// name. A duplicate a unique index refuses is a [KeyError].
func (r *loadRun) addIndex(ctx context.Context, qstage, name string, x indexInfo) error {
	def := strings.TrimPrefix(x.Def, x.Prefix)
	unique := ""
	if strings.HasPrefix(x.Prefix, "CREATE UNIQUE ") {
		unique = "UNIQUE "
	}
	if _, err := r.tx.Exec(ctx, "CREATE "+unique+"INDEX "+schema.Quote(name)+" ON "+qstage+" USING "+def); err != nil {
		if err := r.keyError(ctx, err, "", uniqueKey{label: fmt.Sprintf("unique index %q", x.Name)}, RepeatInExport); errors.As(err, new(*KeyError)) {
			return err
		}
		return fmt.Errorf("re-create index %q: %w", x.Name, err)
	}
	return nil
}

// freeName picks the name PostgreSQL would give a table's constraint with
// the given label ("pkey"): the table name cut so that "_pkey" fits 63
// bytes, with a number appended to the label while the name is taken in
// the target schema (PostgreSQL's makeObjectName and ChooseRelationName).
func (r *loadRun) freeName(ctx context.Context, table, label string) (string, error) {
	for n := 0; ; n++ {
		l := label
		if n > 0 {
			l = fmt.Sprint(label, n)
		}
		name := cutBytes(table, schema.MaxIdentifierBytes-len(l)-1) + "_" + l
		var taken bool
		if err := r.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2)`, r.l.cfg.Schema, name).Scan(&taken); err != nil {
			return "", fmt.Errorf("choose a constraint name: %w", err)
		}
		if !taken {
			return name, nil
		}
	}
}

// cutBytes returns the longest prefix of s of at most n bytes ending on a
// rune boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
