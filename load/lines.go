package load

import "sort"

// maxLineRuns bounds the runs a lineMap keeps (16 bytes each, 4 MiB in
// all): past it, the lines of later rows are unknown and errors name their
// row numbers instead.
const maxLineRuns = 1 << 18

// lineRun says that the export's row row (0-based, in COPY order) starts
// on CSV line line, and each row after it, up to the next run, on the line
// after the previous row's; line 0 means unknown up to the next run.
type lineRun struct {
	row  int64
	line int64
}

// lineMap remembers on which CSV line each row of the export starts, for
// errors found after the row's batch is gone. Rows usually follow each
// other line by line, so a batch costs two [LineSource.Line] calls and
// adds no run; a record spanning lines adds one, found by bisection.
type lineMap struct {
	runs []lineRun
	full bool // maxLineRuns reached: later rows are unknown
}

// add records the lines of a batch of n rows whose first row is the
// export's row first, as src (which just returned the batch) tells them.
func (m *lineMap) add(src LineSource, first int64, n int) {
	if n == 0 || m.full {
		return
	}
	m.span(src, first, 0, src.Line(0), n-1, src.Line(n-1))
}

// span records rows a..b of the batch, whose lines la and lb are known.
// Lines grow by at least one a row, so when they grew by exactly b-a the
// rows in between follow each other; otherwise the range is split.
func (m *lineMap) span(src LineSource, first int64, a int, la int64, b int, lb int64) {
	switch {
	case m.full:
	case la <= 0 || lb <= 0:
		m.put(first+int64(a), 0)
	case lb-la == int64(b-a):
		m.put(first+int64(a), la)
	case b == a+1:
		m.put(first+int64(a), la)
		m.put(first+int64(b), lb)
	default:
		mid := a + (b-a)/2
		lm := src.Line(mid)
		m.span(src, first, a, la, mid, lm)
		m.span(src, first, mid, lm, b, lb)
	}
}

// put records that row starts on line, unless the last run says so.
func (m *lineMap) put(row, line int64) {
	if m.full {
		return
	}
	if k := len(m.runs) - 1; k >= 0 {
		last := m.runs[k]
		if last.line == 0 && line == 0 || last.line > 0 && line == last.line+(row-last.row) {
			return
		}
	}
	if len(m.runs) == maxLineRuns-1 {
		line, m.full = 0, true
	}
	m.runs = append(m.runs, lineRun{row: row, line: line})
}

// line returns the CSV line on which the export's row row (1-based, as
// in [RowError.Row]) starts, or 0 when unknown.
func (m *lineMap) line(row int64) int64 {
	if m == nil || row <= 0 {
		return 0
	}
	i := row - 1
	k := sort.Search(len(m.runs), func(k int) bool { return m.runs[k].row > i }) - 1
	if k < 0 || m.runs[k].line == 0 {
		return 0
	}
	return m.runs[k].line + (i - m.runs[k].row)
}
