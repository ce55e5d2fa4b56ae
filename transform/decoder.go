package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/mbiload/mbiload/schema"
	"golang.org/x/sync/errgroup"
)

// Stats counts what a [Decoder] has done so far.
type Stats struct {
	// Rows is the number of good rows handed out in batches.
	Rows int64
	// Rejected is the number of rows refused within the error budget.
	Rejected int64
	// Lines is the number of physical lines read, the header included.
	Lines int64
	// Bytes is the number of CSV bytes read.
	Bytes int64
}

// Decoder turns a CSV stream into Arrow record batches of a table's schema.
// Two goroutines work behind it: one reads (and so decompresses) the input
// into large chunks, one splits records and converts fields straight into
// the batches' buffers; bounded channels between them and to [Decoder.Next]
// keep memory at a few chunks and batches whatever the input's size.
//
// A Decoder is not safe for concurrent use, except that Schema, Stats and
// Rejects may be called from any goroutine.
type Decoder struct {
	schema *arrow.Schema
	cancel context.CancelFunc
	g      *errgroup.Group
	out    chan batch
	err    error // sticky result once Next reached the end or failed
	closed bool

	// The lines of the batch last returned by Next (see Line).
	lastRuns []lineRun
	lastRows int

	rd       *reader
	rows     atomic.Int64
	rejected atomic.Int64
	lines    atomic.Int64

	mu      sync.Mutex
	rejects []schema.Reject
	notes   []string
}

// NewDecoder starts decoding r, a CSV with a header row, into batches of
// t.ArrowSchema(). It reads and checks the header before returning (see
// [Options] and the package doc for the rules). ctx bounds the whole
// decode: cancelling it stops the goroutines, as does [Decoder.Close],
// which the caller must call. The Decoder does not close r.
func NewDecoder(ctx context.Context, r io.Reader, t *schema.Table, opts Options) (*Decoder, error) {
	if t == nil || len(t.Fields) == 0 {
		return nil, fmt.Errorf("%w: table without columns", ErrInvalidOptions)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrInvalidOptions)
	}
	d := &Decoder{out: make(chan batch, 1)}
	p, err := newParser(t, opts, d)
	if err != nil {
		return nil, err
	}
	d.schema = p.schema
	base, cancel := context.WithCancel(ctx)
	g, gctx := errgroup.WithContext(base)
	d.cancel, d.g = cancel, g
	d.rd = &reader{r: r, geom: opts.geom.orDefault(), out: make(chan *chunk, chunkDepth)}
	p.rd = d.rd
	g.Go(func() error { return d.rd.run(gctx) })

	if err := p.readHeader(gctx); err != nil {
		cancel()
		// A failed read (a bad CRC, say) is the cause of whatever the header
		// parse saw, which may be the group's cancellation.
		if werr := g.Wait(); werr != nil && !errors.Is(werr, context.Canceled) {
			err = werr
		}
		p.drop()
		return nil, err
	}
	g.Go(func() error {
		defer close(d.out)
		defer p.drop()
		return p.run(gctx)
	})
	return d, nil
}

// Next returns the next batch, or io.EOF after the last one. The caller owns
// the batch and must Release it. After an error, Next keeps returning it.
func (d *Decoder) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if d.closed {
		return nil, ErrClosed
	}
	if d.err != nil {
		return nil, d.err
	}
	select {
	case b, ok := <-d.out:
		if ok {
			d.rows.Add(b.rec.NumRows())
			d.lastRuns, d.lastRows = b.runs, int(b.rec.NumRows())
			return b.rec, nil
		}
		d.err = d.g.Wait()
		if d.err == nil {
			d.err = io.EOF
		}
		return nil, d.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Schema returns the schema of every batch: t.ArrowSchema().
func (d *Decoder) Schema() *arrow.Schema { return d.schema }

// Rejects returns the rows refused within the error budget so far, in CSV
// order. Rejected rows never appear in a batch.
func (d *Decoder) Rejects() []schema.Reject {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]schema.Reject(nil), d.rejects...)
}

// Stats returns the counts so far; after io.EOF they are final and Rows is
// the total of the batches' rows.
func (d *Decoder) Stats() Stats {
	return Stats{
		Rows:     d.rows.Load(),
		Rejected: d.rejected.Load(),
		Lines:    d.lines.Load(),
		Bytes:    d.rd.nbytes.Load(),
	}
}

// Close stops the goroutines and releases every buffer the Decoder still
// holds, including batches not yet returned by Next. It is safe to call
// more than once and before EOF; it does not close the input.
func (d *Decoder) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	d.cancel()
	_ = d.g.Wait() // the outcome was, or will never be, reported by Next
	for b := range d.out {
		b.rec.Release()
	}
	return nil
}

func (d *Decoder) addReject(r schema.Reject) {
	d.mu.Lock()
	d.rejects = append(d.rejects, r)
	d.mu.Unlock()
	d.rejected.Add(1)
}
