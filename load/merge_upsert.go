package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// upsertMerge is the merge of PostgreSQL 14, which has no MERGE: one
// statement of data-modifying CTEs over the same source, both seeing the
// target as it was, updates the target rows whose key a source row has
// and inserts the others. Unlike INSERT ... ON CONFLICT it needs no unique
// index on the key, so a key without one merges as MERGE does (a NULL
// never matches; NULL keys fail the COPY before); a constraint refuses
// the same rows with the same errors as with MERGE.
type upsertMerge struct{}

func (upsertMerge) write(ctx context.Context, r *loadRun, m mergeStatement) (int64, error) {
	update := "SELECT 1 WHERE false"
	if len(m.set) > 0 {
		update = "UPDATE " + m.target + " t SET " + strings.Join(m.set, ", ") +
			" FROM s WHERE " + m.on + " RETURNING 1"
	}
	stmt := "WITH s AS MATERIALIZED " + m.source +
		",\nu AS (" + update + ")" +
		",\ni AS (INSERT INTO " + m.target + " (" + strings.Join(m.names, ", ") + ")" +
		" SELECT " + strings.Join(m.values, ", ") + " FROM s WHERE NOT EXISTS (SELECT 1 FROM " + m.target + " t WHERE " + m.on + ")" +
		" RETURNING 1)\nSELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM i)"
	sql := "SAVEPOINT " + keySavepoint + ";\n" + stmt + ";\nRELEASE SAVEPOINT " + keySavepoint
	res, err := r.tx.Conn().PgConn().Exec(ctx, sql).ReadAll()
	if err != nil {
		return 0, err
	}
	if len(res) != 3 || len(res[1].Rows) != 1 || len(res[1].Rows[0]) != 1 {
		return 0, fmt.Errorf("merge: got %d results, want 3 and one count", len(res))
	}
	n, err := strconv.ParseInt(string(res[1].Rows[0][0]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("merge: read the row count: %w", err)
	}
	return n, nil
}
