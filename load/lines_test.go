package load

import (
	"testing"
)

// fakeLines is a LineSource over the lines of one batch, counting calls.
type fakeLines struct {
	lines []int64
	calls int
}

func (f *fakeLines) Line(i int) int64 {
	f.calls++
	return f.lines[i]
}

// batchLines returns the lines of rows that start after line start, row k
// spanning span(k) lines.
func batchLines(start int64, n int, span func(k int) int64) []int64 {
	out := make([]int64, n)
	line := start
	for k := range out {
		out[k] = line
		line += span(k)
	}
	return out
}

// TestLineMap: the map gives back every row's line, across batches, with
// records spanning lines anywhere, and costs two calls per batch when no
// record spans lines.
func TestLineMap(t *testing.T) {
	one := func(int) int64 { return 1 }
	tests := []struct {
		name     string
		batches  [][]int64
		maxCalls int // of Line, over all batches; 0: not checked
	}{
		{name: "one line a row", batches: [][]int64{batchLines(2, 1000, one), batchLines(1002, 1000, one)}, maxCalls: 4},
		{name: "one row a batch", batches: [][]int64{{2}, {5}, {6}}, maxCalls: 6},
		{name: "a record spanning lines in the middle", batches: [][]int64{
			batchLines(2, 1000, func(k int) int64 { return map[bool]int64{true: 4, false: 1}[k == 500] }),
			batchLines(1005, 7, one),
		}, maxCalls: 2*11 + 2},
		{name: "first and last rows span lines", batches: [][]int64{
			batchLines(2, 9, func(k int) int64 { return map[bool]int64{true: 3, false: 1}[k == 0 || k == 8] }),
		}},
		{name: "every row spans lines", batches: [][]int64{batchLines(2, 100, func(k int) int64 { return int64(k%3 + 2) })}},
		{name: "a rejected row between batches", batches: [][]int64{batchLines(2, 10, one), batchLines(13, 10, one)}, maxCalls: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m lineMap
			var want []int64
			calls := 0
			for _, b := range tc.batches {
				src := &fakeLines{lines: b}
				m.add(src, int64(len(want)), len(b))
				calls += src.calls
				want = append(want, b...)
			}
			for k, w := range want {
				if got := m.line(int64(k + 1)); got != w {
					t.Fatalf("row %d: got line %d, want %d", k+1, got, w)
				}
			}
			if tc.maxCalls > 0 && calls > tc.maxCalls {
				t.Errorf("got %d calls of Line, want at most %d", calls, tc.maxCalls)
			}
			if got := m.line(0); got != 0 {
				t.Errorf("row 0: got line %d, want 0", got)
			}
		})
	}
}

// TestLineMapFull: past maxLineRuns runs, later rows have no line (0)
// rather than a wrong one, and earlier rows keep theirs.
func TestLineMapFull(t *testing.T) {
	var m lineMap
	rows := maxLineRuns + 100
	b := batchLines(2, rows, func(int) int64 { return 2 })
	m.add(&fakeLines{lines: b}, 0, rows)
	if !m.full || len(m.runs) != maxLineRuns {
		t.Fatalf("got full %v with %d runs, want full with %d", m.full, len(m.runs), maxLineRuns)
	}
	if got := m.line(1); got != 2 {
		t.Errorf("row 1: got line %d, want 2", got)
	}
	if got, want := m.line(maxLineRuns-1), b[maxLineRuns-2]; got != want {
		t.Errorf("row %d: got line %d, want %d", maxLineRuns-1, got, want)
	}
	if got := m.line(int64(rows)); got != 0 {
		t.Errorf("row %d: got line %d, want 0 (unknown)", rows, got)
	}
	m.add(&fakeLines{lines: []int64{1e6}}, int64(rows), 1)
	if got := m.line(int64(rows + 1)); got != 0 {
		t.Errorf("a row after the map is full: got line %d, want 0", got)
	}
	var nilMap *lineMap
	if got := nilMap.line(3); got != 0 {
		t.Errorf("nil map: got line %d, want 0", got)
	}
}
