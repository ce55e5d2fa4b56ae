package transform

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// errReader fails after returning its data.
type errReader struct {
	data string
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestDecodeReadError(t *testing.T) {
	checkGoroutines(t)
	boom := errors.New("boom")
	t.Run("in header", func(t *testing.T) {
		got := decodeReader(t, threeCols(t), &errReader{data: "id,na", err: boom}, Options{})
		if !errors.Is(got.err, boom) {
			t.Errorf("error: got %v, want boom", got.err)
		}
	})
	t.Run("in data", func(t *testing.T) {
		got := decodeReader(t, threeCols(t), &errReader{data: "id,name,grand_total\n1,a,1\n2,b", err: boom}, Options{})
		if !errors.Is(got.err, boom) {
			t.Errorf("error: got %v, want boom", got.err)
		}
		if len(got.rows) != 0 {
			t.Errorf("rows: got %d, want none", len(got.rows))
		}
	})
}

// endless yields a CSV that never ends.
type endless struct{ off int }

func (e *endless) Read(p []byte) (int, error) {
	const header, row = "id,name,grand_total\n", "1,abc,2.5\n"
	n := 0
	for n < len(p) {
		if e.off < len(header) {
			k := copy(p[n:], header[e.off:])
			n, e.off = n+k, e.off+k
			continue
		}
		i := (e.off - len(header)) % len(row)
		k := copy(p[n:], row[i:])
		n, e.off = n+k, e.off+k
	}
	return n, nil
}

func TestDecodeCloseEarly(t *testing.T) {
	checkGoroutines(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d, err := NewDecoder(context.Background(), &endless{}, threeCols(t), Options{Allocator: mem, BatchRows: 1000})
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	rec, err := d.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	rec.Release()
	// Close with the pipeline full: a batch waiting for Next, the chunks
	// read ahead waiting for the parser.
	for deadline := time.Now().Add(10 * time.Second); len(d.out) < cap(d.out) || len(d.rd.out) < cap(d.rd.out); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pipeline not full after 10 s: %d/%d batches, %d/%d chunks waiting", len(d.out), cap(d.out), len(d.rd.out), cap(d.rd.out))
		}
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := d.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: got %v, want ErrClosed", err)
	}
}

func TestDecodeCancel(t *testing.T) {
	checkGoroutines(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	d, err := NewDecoder(ctx, &endless{}, threeCols(t), Options{Allocator: mem, BatchRows: 1000})
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	defer d.Close()
	cancel()
	for {
		rec, err := d.Next(context.Background())
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Next: got %v, want context.Canceled", err)
			}
			break
		}
		rec.Release()
	}
	// Next's own context is honoured too.
	d2, err := NewDecoder(context.Background(), &endless{}, threeCols(t), Options{Allocator: mem})
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	defer d2.Close()
	nctx, ncancel := context.WithCancel(context.Background())
	ncancel()
	if rec, err := d2.Next(nctx); err == nil {
		rec.Release() // a batch may already be waiting
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("Next(cancelled): got %v, want context.Canceled", err)
	}
}
