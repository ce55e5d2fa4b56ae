package transform

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// peakAllocator tracks the peak of bytes outstanding.
type peakAllocator struct {
	mem       *memory.CheckedAllocator
	mu        sync.Mutex
	cur, peak int
}

var _ memory.Allocator = (*peakAllocator)(nil)

func (a *peakAllocator) note(delta int) {
	a.mu.Lock()
	a.cur += delta
	a.peak = max(a.peak, a.cur)
	a.mu.Unlock()
}

func (a *peakAllocator) Allocate(size int) []byte {
	b := a.mem.Allocate(size)
	a.note(len(b))
	return b
}

func (a *peakAllocator) Reallocate(size int, b []byte) []byte {
	old := len(b)
	nb := a.mem.Reallocate(size, b)
	a.note(len(nb) - old)
	return nb
}

func (a *peakAllocator) Free(b []byte) {
	a.note(-len(b))
	a.mem.Free(b)
}

// rowsReader yields a header and n rows of endless's CSV.
type rowsReader struct {
	endless
	left int64 // bytes left
}

func newRowsReader(rows int64) *rowsReader {
	return &rowsReader{left: int64(len("id,name,grand_total\n")) + rows*int64(len("1,abc,2.5\n"))}
}

func (r *rowsReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.endless.Read(p)
	r.left -= int64(n)
	return n, err
}

// TestMemoryBounded checks that the decoder's Arrow memory does not grow
// with the number of rows: for 50,000 and 500,000 rows alike, the peak
// stays within a few batches when the consumer releases each batch.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 500,000 rows")
	}
	peak := func(rows int64) int {
		a := &peakAllocator{mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
		defer a.mem.AssertSize(t, 0)
		d, err := NewDecoder(context.Background(), newRowsReader(rows), threeCols(t), Options{Allocator: a, BatchRows: 5000})
		if err != nil {
			t.Fatalf("NewDecoder: %v", err)
		}
		defer d.Close()
		var n int64
		for {
			rec, err := d.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			n += rec.NumRows()
			rec.Release()
		}
		if n != rows {
			t.Fatalf("rows: got %d, want %d", n, rows)
		}
		return a.peak
	}
	small, large := peak(50_000), peak(500_000)
	t.Logf("peak Arrow memory: %d bytes for 50,000 rows, %d for 500,000", small, large)
	// One batch of 5000 rows is about 5000*(4+16+4+3) bytes plus bitmaps;
	// a batch being built, one queued and one held by the consumer, with
	// room for growth, fit in six whatever the number of rows.
	const bound = 6 * 5000 * 27
	for _, p := range []int{small, large} {
		if p > bound {
			t.Errorf("peak Arrow memory: got %d bytes, want at most %d (a few batches)", p, bound)
		}
	}
}
