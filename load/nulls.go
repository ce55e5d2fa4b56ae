package load

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/mbiload/mbiload/schema"
)

// nullRule refuses a NULL in a COPY column: the [RowError] says detail and
// unwraps to err. The zero rule lets NULLs through.
type nullRule struct {
	err    error // ErrNullKey or ErrBadValue; nil: NULL is allowed
	detail string
}

// The rules: the server would refuse these NULLs too, but only after the
// COPY or at its end, naming the staging table and no line.
var (
	nullMergeKey   = nullRule{ErrNullKey, "key value is empty (NULL); merge needs a key in every row"}
	nullPrimaryKey = nullRule{ErrNullKey, "primary key value is empty (NULL)"}
	nullNotNull    = nullRule{ErrBadValue, "value is empty (NULL) and the column is NOT NULL in the table"}
)

// refuseNulls sets the NULL rule of the COPY columns of the table's
// fields (cols[k] holds field k): the fields in key (the primary key the
// load builds) and the NOT NULL columns of the existing target info
// refuse NULL.
func refuseNulls(cols []copyColumn, t *schema.Table, key []int, info *tableInfo) {
	for k, f := range t.Fields {
		if slices.Contains(key, k) {
			cols[k].NotNull = nullPrimaryKey
			continue
		}
		if info == nil {
			continue
		}
		if c := info.column(f.Name); c != nil && c.NotNull {
			cols[k].NotNull = nullNotNull
			if c.PrimaryKey > 0 {
				cols[k].NotNull = nullPrimaryKey
			}
		}
	}
}

// checkNotNull fails on the first row of rec holding a NULL in a column
// with a NULL rule; only a column with nulls is searched.
func (r *copyReader) checkNotNull(rec arrow.RecordBatch) error {
	row, col := -1, -1
	for k, c := range r.cols {
		if c.NotNull.err == nil || c.Src < 0 {
			continue
		}
		a := rec.Column(c.Src)
		if a.NullN() == 0 {
			continue
		}
		end := int(rec.NumRows())
		if row >= 0 {
			end = row
		}
		for i := range end {
			if a.IsNull(i) {
				row, col = i, k
				break
			}
		}
	}
	if row < 0 {
		return nil
	}
	rule := r.cols[col].NotNull
	return r.rowError(row, r.rows+int64(row)+1, col, rule.detail, rule.err)
}
