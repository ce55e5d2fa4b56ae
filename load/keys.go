package load

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// keySavepoint is the savepoint a statement that can meet a duplicate key
// runs under, so that the duplicate can be looked for afterwards in the
// same transaction.
const keySavepoint = "mbiload_key"

// SQLSTATEs of a duplicate key.
const (
	codeUniqueViolation    = "23505" // a unique index refused a value
	codeCardinalityViolate = "21000" // ON CONFLICT DO UPDATE met a key twice
)

// uniqueKey is a unique index a load builds or meets, as its KeyError
// names it.
type uniqueKey struct {
	label string   // "primary key", `unique index "orders_email"`
	cols  []string // its columns (target names); nil when not known as plain columns
	show  []string // the columns as the message names them (source names)
}

// describe is the key as a message names it.
func (k uniqueKey) describe(serverCols string) string {
	cols := strings.Join(k.show, ", ")
	if cols == "" {
		cols = serverCols
	}
	if cols == "" {
		return k.label
	}
	return k.label + " (" + cols + ")"
}

// fieldKey is a key on target columns named names, shown by the source
// names of the fields that have them.
func (r *loadRun) fieldKey(label string, names []string) uniqueKey {
	k := uniqueKey{label: label, cols: names}
	for _, n := range names {
		s := n
		if i := fieldIndexByName(r.job.Table, n); i >= 0 {
			s = r.job.Table.Fields[i].Source.Name
		}
		k.show = append(k.show, displayName(s))
	}
	return k
}

// targetKey is the existing target's unique index (or constraint) named
// name: its primary key with its columns, or another one by name only.
func (r *loadRun) targetKey(info *tableInfo, name string) uniqueKey {
	if info == nil || name == "" || name != info.PrimaryKey {
		return uniqueKey{label: fmt.Sprintf("unique index %q", name)}
	}
	return r.fieldKey("primary key", info.primaryKeyNames())
}

// execKeyed runs stmt under the key savepoint, in one round trip.
func (r *loadRun) execKeyed(ctx context.Context, stmt string) (pgconn.CommandTag, error) {
	if r.l.citus {
		return r.execKeyedCitus(ctx, stmt)
	}
	sql := "SAVEPOINT " + keySavepoint + ";\n" + stmt + ";\nRELEASE SAVEPOINT " + keySavepoint
	res, err := r.tx.Conn().PgConn().Exec(ctx, sql).ReadAll()
	if err != nil {
		if r.l.citus {
			err = citusError(err)
		}
		return pgconn.CommandTag{}, err
	}
	if len(res) != 3 {
		return pgconn.CommandTag{}, fmt.Errorf("got %d results, want 3", len(res))
	}
	return res[1].CommandTag, nil
}

// keyError turns err into a *KeyError when the server refused a duplicate
// key, and returns any other error as is. When data is set, the statement
// ran under the key savepoint and data (quoted) is the table the load
// filled by COPY: the duplicate is looked for there (see findDuplicate).
// repeat is where the other row may be as far as the statement tells.
func (r *loadRun) keyError(ctx context.Context, err error, data string, key uniqueKey, repeat Repeat) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != codeUniqueViolation && pe.Code != codeCardinalityViolate {
		return err
	}
	ke := &KeyError{Mode: r.job.Mode, Table: r.job.Table.SourceName, Err: pe, Repeat: repeat}
	cols, value, ok := parseKeyDetail(pe.Detail)
	ke.Key = key.describe(cols)
	if ok {
		if keyColumns(cols) == 1 {
			ke.Value = keyValue([]string{value})
		} else {
			ke.Value = "(" + strings.Trim(fmt.Sprintf("%.*q", maxValueBytes, value), `"`) + ")"
		}
	}
	if row := copyRow(pe.Where); row > 0 {
		ke.Rows, ke.Lines = []int64{row}, []int64{r.lines.line(row)}
	}
	if data != "" && len(key.cols) > 0 {
		if _, err := r.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+keySavepoint); err != nil {
			r.l.log.Debug("look for the duplicate key", "table", r.qtarget, "err", err)
			return ke
		}
		if err := r.findDuplicate(ctx, data, key.cols, ke); err != nil {
			r.l.log.Debug("look for the duplicate key", "table", r.qtarget, "err", err)
		}
	}
	return ke
}

// duplicateParts are the SQL pieces of the key columns: the quoted names,
// the join of t to d, the NOT NULL filter and d's values as text.
func duplicateParts(cols []string) (q, on, notNull, text []string) {
	q = make([]string, len(cols))
	for k, c := range cols {
		q[k] = schema.Quote(c)
		on = append(on, "t."+q[k]+" = d."+q[k])
		notNull = append(notNull, q[k]+" IS NOT NULL")
		text = append(text, "d."+q[k]+"::text")
	}
	return q, on, notNull, text
}

// textDst are the scan destinations of a row of first and then vals.
func textDst(vals []string, first ...any) []any {
	for k := range vals {
		first = append(first, &vals[k])
	}
	return first
}

// findDuplicate looks in table (quoted), filled by the load's COPY (ctid
// order is COPY order), for the smallest value of cols held by several
// rows, and gives ke the value, its count and its first two rows. Only a
// failed load reads the whole table so.
func (r *loadRun) findDuplicate(ctx context.Context, table string, cols []string, ke *KeyError) error {
	if r.plan.dist != nil {
		return r.findDuplicateCitus(ctx, table, cols, ke)
	}
	q, on, notNull, text := duplicateParts(cols)
	list := strings.Join(q, ", ")
	sql := "WITH d AS (SELECT " + list + ", count(*) AS mbiload_n FROM " + table +
		" WHERE " + strings.Join(notNull, " AND ") + " GROUP BY " + list + " HAVING count(*) > 1 ORDER BY " + list + " LIMIT 1)\n" +
		"SELECT d.mbiload_n, (SELECT count(*) FROM " + table + " s WHERE s.ctid < t.ctid) + 1, " + strings.Join(text, ", ") +
		"\nFROM " + table + " t JOIN d ON " + strings.Join(on, " AND ") + "\nORDER BY t.ctid LIMIT 2"
	rows, err := r.tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	var found []int64
	var count, row int64
	vals := make([]string, len(cols))
	if _, err := pgx.ForEachRow(rows, textDst(vals, &count, &row), func() error {
		found = append(found, row)
		return nil
	}); err != nil {
		return err
	}
	if len(found) < 2 {
		if ke.Repeat == RepeatInTableOrExport {
			ke.Repeat = RepeatInTable // not a repeat within the export
		}
		return nil
	}
	ke.Value, ke.Count, ke.Rows, ke.Repeat = keyValue(vals), count, found, RepeatInExport
	ke.Lines = make([]int64, len(found))
	for k, row := range found {
		ke.Lines[k] = r.lines.line(row)
	}
	return nil
}
