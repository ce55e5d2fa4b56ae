package load

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A merge updates every target row whose key equals an export row's: on a
// key the target holds twice, one export row would overwrite both rows.
// So the key must be unique in the target: a valid, non-partial unique
// index on some or all key columns proves it at no cost; without one, a
// query counts the target's key values (NULLs never match) before
// anything is staged.

// uniqueKeyIndexSQL finds a unique index of table $1 on columns among the
// attribute numbers $2: plain columns, valid, not partial.
const uniqueKeyIndexSQL = `SELECT EXISTS (SELECT 1 FROM pg_index i
 WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
   AND (i.indkey::int2[])[0:i.indnkeyatts - 1] <@ $2::int2[])`

// checkMergeKey fails with an error wrapping [ErrKeyNotUnique] when the
// existing target info holds a value of the merge key in several rows.
func (r *loadRun) checkMergeKey(ctx context.Context, info *tableInfo, key []int) error {
	t := r.job.Table
	names := fieldNames(t, key)
	nums := make([]int16, len(names))
	for k, n := range names {
		nums[k] = info.column(n).Num
	}
	var indexed bool
	if err := r.tx.QueryRow(ctx, uniqueKeyIndexSQL, info.OID, nums).Scan(&indexed); err != nil {
		return fmt.Errorf("look for a unique index on the merge key: %w", err)
	}
	if indexed {
		return nil
	}
	q, _, notNull, text := duplicateParts(names)
	list := strings.Join(q, ", ")
	sql := "SELECT count(*), " + strings.Join(text, ", ") + " FROM " + r.qtarget +
		" d WHERE " + strings.Join(notNull, " AND ") + " GROUP BY " + list +
		" HAVING count(*) > 1 ORDER BY " + list + " LIMIT 1"
	vals := make([]string, len(names))
	var count int64
	err := r.tx.QueryRow(ctx, sql).Scan(textDst(vals, &count)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check that the merge key is unique in %s: %w", r.qtarget, err)
	}
	k := r.fieldKey("key", names)
	return fmt.Errorf("%s: %s is not unique in the table %s: value %s is held by %d rows, and a merge would overwrite each of them "+
		"with the export's row; merge on columns that identify one row (another merge key), or add a unique index on the key, "+
		"or load in replace mode: %w",
		subject(r.job.Mode, t.SourceName), k.describe(""), r.qtarget, keyValue(vals), count, ErrKeyNotUnique)
}
