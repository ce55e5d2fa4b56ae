package transform

import (
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
)

// lineRun says that row row of a batch starts on physical line line, and
// each row after it, up to the next run, on the line after the previous
// row's. Rows usually follow each other line by line, so a batch holds one
// run plus one for each record spanning several lines or rejected row.
type lineRun struct {
	row  int
	line int64
}

// batch is a record batch on its way to [Decoder.Next], with the lines its
// rows start on (runs[0].row is 0).
type batch struct {
	rec  arrow.RecordBatch
	runs []lineRun
}

// lineOf returns the line on which row i starts, or 0 before the first run.
func lineOf(runs []lineRun, i int) int64 {
	k := sort.Search(len(runs), func(k int) bool { return runs[k].row > i }) - 1
	if k < 0 {
		return 0
	}
	return runs[k].line + int64(i-runs[k].row)
}

// Line returns the physical line of the CSV (1-based, the header is line
// 1, as in [RowError]) on which row i of the batch last returned by
// [Decoder.Next] starts, or 0 when that batch has no row i. A record with
// quoted line breaks spans several lines, so the line is not the row's
// number plus one. Like Next, Line is not safe for concurrent use; call it
// from the goroutine calling Next, before the next call to Next.
func (d *Decoder) Line(i int) int64 {
	if i < 0 || i >= d.lastRows {
		return 0
	}
	return lineOf(d.lastRuns, i)
}
