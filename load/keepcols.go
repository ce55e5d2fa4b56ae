package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// ErrUserColumns is a replace refused because it would empty columns a
// user added to the table (columns the export does not have) that hold
// values, and the table has no key to keep them by. See
// [UserColumnsError].
var ErrUserColumns = errors.New("load: a replace would empty columns a user added")

// UserColumnsError is a replace of a table whose user-added columns hold
// values while the table has no key (a primary key on export columns, or
// a unique constraint on the job's key) to carry them from the old rows
// to the new ones. It unwraps to [ErrUserColumns].
type UserColumnsError struct {
	// Table is the target table, schema-qualified.
	Table string
	// Columns are the user's columns that hold values.
	Columns []string
}

// Error names the table and the columns and says what to do.
func (e *UserColumnsError) Error() string {
	return fmt.Sprintf("%v: %s has %s, not in the export, holding values, and no primary key on export columns "+
		"(nor a unique constraint on the merge key) to keep them by; nothing was replaced. Give the table such a key, "+
		"drop the %s, or load in merge or append mode",
		ErrUserColumns, e.Table, plural(len(e.Columns), "column ", "columns ")+quotedList(e.Columns), plural(len(e.Columns), "column", "columns"))
}

// Unwrap returns ErrUserColumns.
func (e *UserColumnsError) Unwrap() error { return ErrUserColumns }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func quotedList(names []string) string {
	q := make([]string, len(names))
	for k, n := range names {
		q[k] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// refillKey is the key an in-place refill matches old rows and new ones
// on, nil when it empties the table and inserts the export:
//
//   - the columns the first foreign key referencing the table references,
//     so that referencing rows keep their targets;
//   - when the table has columns a user added (extra, not generated), its
//     primary key when every column of it is the export's, else the job's
//     key when a unique constraint or index covers exactly it, so that the
//     rows whose key stays keep those columns' values; without one, user
//     columns holding values fail the load (see refuseValued).
//
// why says, for messages, what the key is for.
func (r *loadRun) refillKey(ctx context.Context, info *tableInfo, deps *dependents, extra []*tableColumn) (key []string, why string, err error) {
	if len(deps.FKRefs) > 0 {
		f := deps.FKRefs[0]
		return f.Columns, fmt.Sprintf("foreign key %q references the table", f.Name), nil
	}
	keep := keptColumns(extra)
	if len(keep) == 0 {
		return nil, "", nil
	}
	names := make([]string, len(keep))
	for k, c := range keep {
		names[k] = c.Name
	}
	if key, what := r.userColumnsKey(info, deps); key != nil {
		why = fmt.Sprintf("keeping the values of the %s %s (a user added them) by %s (%s)",
			plural(len(names), "column", "columns"), quotedList(names), what, quotedList(key))
		return key, why, nil
	}
	if err := r.refuseValued(ctx, keep); err != nil {
		return nil, "", err
	}
	return nil, "", nil
}

// keptColumns are the columns of extra whose values are the user's to
// keep: all but generated ones.
func keptColumns(extra []*tableColumn) []*tableColumn {
	var out []*tableColumn
	for _, c := range extra {
		if c.Generated == "" {
			out = append(out, c)
		}
	}
	return out
}

// userColumnsKey returns the target's primary key when the export has all
// its columns, else the job's key when a unique constraint or a unique,
// non-partial index of the target is on exactly its columns; what names
// it. nil when there is neither.
func (r *loadRun) userColumnsKey(info *tableInfo, deps *dependents) (key []string, what string) {
	t := r.job.Table
	if pk := info.primaryKeyNames(); len(pk) > 0 && !slices.ContainsFunc(pk, func(n string) bool { return fieldIndexByName(t, n) < 0 }) {
		return pk, "the primary key"
	}
	if len(r.job.Key) == 0 {
		return nil, ""
	}
	idx, err := mergeKey(r.job)
	if err != nil {
		return nil, ""
	}
	key = fieldNames(t, idx)
	var nums []int16
	for _, n := range key {
		c := info.column(n)
		if c == nil {
			return nil, ""
		}
		nums = append(nums, c.Num)
	}
	same := func(cols []int16) bool {
		return len(cols) == len(nums) && !slices.ContainsFunc(nums, func(n int16) bool { return !slices.Contains(cols, n) })
	}
	for _, c := range deps.Constraints {
		if (c.Type == "p" || c.Type == "u") && same(c.Columns) {
			return key, "the key"
		}
	}
	for _, x := range deps.Indexes {
		if strings.HasPrefix(x.Prefix, "CREATE UNIQUE INDEX") && !strings.Contains(x.Def, " WHERE ") && same(x.Columns) {
			return key, "the key"
		}
	}
	return nil, ""
}

// refuseValued fails with a [UserColumnsError] when a column of keep
// (identity columns aside) holds a value in any row. An empty column
// loses nothing.
func (r *loadRun) refuseValued(ctx context.Context, keep []*tableColumn) error {
	var conds, names []string
	for _, c := range keep {
		if c.Identity == "" {
			conds = append(conds, schema.Quote(c.Name)+" IS NOT NULL")
			names = append(names, c.Name)
		}
	}
	if len(conds) == 0 {
		return nil
	}
	var found bool
	sql := "SELECT EXISTS (SELECT 1 FROM ONLY " + r.qtarget + " WHERE " + strings.Join(conds, " OR ") + ")"
	if err := r.tx.QueryRow(ctx, sql).Scan(&found); err != nil {
		return fmt.Errorf("look for values in the user's columns: %w", err)
	}
	if found {
		return &UserColumnsError{Table: r.qtarget, Columns: names}
	}
	return nil
}

// keepAside sets the key and the user's columns (see keptColumns) of the
// old rows aside in qkeep (a table of the load's transaction, in the
// ledger schema), and returns the two statements that then fill
// the emptied table from qstage: the rows whose key was there with the old
// row's values (OVERRIDING SYSTEM VALUE: an identity column keeps its
// numbers), the others with the defaults. only is "ONLY " or "" (a
// partitioned table).
func (r *loadRun) keepAside(ctx context.Context, qstage, qkeep, only string, key []string, extra []*tableColumn) ([]string, error) {
	names := quoteNames(r.job.Table.ColumnNames())
	var carried, kcols, scols []string
	for _, c := range keptColumns(extra) {
		carried = append(carried, schema.Quote(c.Name))
		kcols = append(kcols, "t."+schema.Quote(c.Name))
	}
	for _, n := range r.job.Table.ColumnNames() {
		scols = append(scols, "s."+schema.Quote(n))
	}
	keep := "CREATE TABLE " + qkeep + " AS SELECT " + quoteNames(key) + ", " + strings.Join(carried, ", ") + " FROM " + only + r.qtarget
	if w := sparse(keptColumns(extra)); w != "" {
		keep += " WHERE " + w
	}
	if err := r.execKeep(ctx, keep, qkeep); err != nil {
		return nil, fmt.Errorf("publish in place: set the user's columns aside: %w", err)
	}
	on := strings.Join(keyJoin(key), " AND ")
	return []string{
		"INSERT INTO " + r.qtarget + " (" + names + ", " + strings.Join(carried, ", ") + ") OVERRIDING SYSTEM VALUE SELECT " +
			strings.Join(scols, ", ") + ", " + strings.Join(kcols, ", ") + " FROM " + qstage + " s JOIN " + qkeep + " t ON " + on,
		"INSERT INTO " + r.qtarget + " (" + names + ") SELECT " + names + " FROM " + qstage + " s WHERE NOT EXISTS (SELECT 1 FROM " + qkeep + " t WHERE " + on + ")",
	}, nil
}

// keyJoin joins s and t on the key columns.
func keyJoin(key []string) []string {
	on := make([]string, len(key))
	for k, c := range key {
		on[k] = "s." + schema.Quote(c) + " = t." + schema.Quote(c)
	}
	return on
}

// sparse returns, when no column of cols has a default or identity, the
// condition of a row holding a value in one of them: only those rows need
// setting aside, as a new row's value is NULL anyway. "" otherwise.
func sparse(cols []*tableColumn) string {
	var conds []string
	for _, c := range cols {
		if c.HasDefault || c.Identity != "" {
			return ""
		}
		conds = append(conds, schema.Quote(c.Name)+" IS NOT NULL")
	}
	return strings.Join(conds, " OR ")
}
