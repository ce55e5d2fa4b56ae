package load

import (
	"context"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// mergeStatement is what a merge writes, whatever the statement that
// writes it: the target, the staged rows as source (for each key, the
// last row in CSV order), and the pieces of SQL both writers use.
type mergeStatement struct {
	target string // quoted
	// source is a subquery: the staged rows, one per key value, the last.
	source string
	// on matches a target row t to a source row s on the key; set updates
	// the columns outside the key (empty: the key is every column); names
	// and values insert a source row.
	on                 string
	set, names, values []string
}

// newMergeStatement builds the merge of the rows staged in qstage (with
// their CSV order in seqColumn) into target on the fields key.
func newMergeStatement(t *schema.Table, key []int, target, qstage string) mergeStatement {
	keyNames := quoteNames(fieldNames(t, key))
	m := mergeStatement{target: target}
	var on []string
	for _, k := range key {
		q := schema.Quote(t.Fields[k].Name)
		on = append(on, "t."+q+" = s."+q)
	}
	m.on = strings.Join(on, " AND ")
	for k, f := range t.Fields {
		q := schema.Quote(f.Name)
		m.names = append(m.names, q)
		m.values = append(m.values, "s."+q)
		if !slices.Contains(key, k) {
			m.set = append(m.set, q+" = s."+q)
		}
	}
	m.source = "(SELECT DISTINCT ON (" + keyNames + ") * FROM " + qstage +
		" ORDER BY " + keyNames + ", " + schema.Quote(seqColumn) + " DESC)"
	return m
}

// mergeWriter writes a merge's staged rows into its target under the key
// savepoint, returning the rows inserted plus updated: one mechanism of
// the merge mode, chosen by the server's version (see Loader.mergeWriter).
type mergeWriter interface {
	write(ctx context.Context, r *loadRun, m mergeStatement) (int64, error)
}

// mergeWriter returns the merge mechanism of the server: PostgreSQL's
// MERGE from 15 on, an UPDATE and an INSERT on 14 (see upsertMerge).
func (l *Loader) mergeWriter() mergeWriter {
	if l.version < 150000 {
		return upsertMerge{}
	}
	return sqlMerge{}
}

// sqlMerge is the merge through PostgreSQL's MERGE (15 and later).
type sqlMerge struct{}

func (sqlMerge) write(ctx context.Context, r *loadRun, m mergeStatement) (int64, error) {
	sql := "MERGE INTO " + m.target + " t\nUSING " + m.source + " s\nON " + m.on
	if len(m.set) > 0 {
		sql += "\nWHEN MATCHED THEN UPDATE SET " + strings.Join(m.set, ", ")
	}
	sql += "\nWHEN NOT MATCHED THEN INSERT (" + strings.Join(m.names, ", ") + ") VALUES (" + strings.Join(m.values, ", ") + ")"
	tag, err := r.execKeyed(ctx, sql)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
