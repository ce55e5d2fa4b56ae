package load

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// copySignature starts every binary COPY stream: the 11-byte signature, an
// int32 of flags (0: no OIDs) and an int32 header extension length (0).
var copySignature = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyTrailer ends a binary COPY stream: a field count of -1.
var copyTrailer = []byte{0xff, 0xff}

// fillTarget is how many bytes the reader encodes before handing them on.
const fillTarget = 256 << 10

// copyColumn is one column of a COPY's column list and where its values
// come from.
type copyColumn struct {
	// Name is the target column name (unquoted).
	Name string
	// Src is the index of the batch column holding the values, or -1 for a
	// constant (Const) or the row sequence number (Seq).
	Src int
	// OID is the target column's type; NumericScale the target's numeric
	// scale (-1 when unconstrained or not numeric).
	OID          uint32
	NumericScale int32
	// Owner says the target's type is one the owner chose (see
	// ownerTypes): its values are written by newOwnerEncoder, checked
	// against Typmod, the target's atttypmod.
	Owner  bool
	Typmod int32
	// NotNull, when set, refuses a NULL value (see refuseNulls).
	NotNull nullRule
	// Const is the encoded field (length and bytes) written in every row.
	Const []byte
	// Seq writes the 1-based number of the row in the stream as int8.
	Seq bool
}

// copyReader is the io.Reader that pgconn's CopyFrom pulls: it takes batches
// from a [Batches] source and encodes their rows into PostgreSQL's binary
// COPY format, releasing each batch once encoded. It watches ctx itself, as
// a COPY does not unblock a stalled reader.
type copyReader struct {
	ctx    context.Context
	src    Batches
	lines  LineSource // src's, if it knows lines
	lmap   lineMap    // the lines of the rows sent so far
	schema *arrow.Schema
	cols   []copyColumn

	buf  []byte
	off  int
	rec  arrow.RecordBatch
	encs []colEncoder
	row  int
	nrow int
	fe   fieldError

	started bool
	rows    int64 // rows encoded so far
	err     error // sticky; io.EOF once the trailer is buffered
	onBatch func(rows int64)

	// mu serialises Read and close: when the connection breaks, pgconn's
	// CopyFrom can return while its writer goroutine is still inside Read.
	mu     sync.Mutex
	closed bool
}

// newCopyReader returns a reader of src's batches (whose schema must be
// sch) into the columns cols.
func newCopyReader(ctx context.Context, src Batches, sch *arrow.Schema, cols []copyColumn) *copyReader {
	lines, _ := src.(LineSource)
	return &copyReader{ctx: ctx, src: src, lines: lines, schema: sch, cols: cols, buf: make([]byte, 0, fillTarget+64<<10)}
}

// Read implements io.Reader.
func (r *copyReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, errCopyClosed
	}
	for r.off >= len(r.buf) {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
	}
	if r.err != nil && r.err != io.EOF {
		return 0, r.err
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// fill encodes rows into the empty buffer until it holds fillTarget bytes,
// the source ends (trailer appended, err = io.EOF) or fails (err set).
func (r *copyReader) fill() {
	r.buf, r.off = r.buf[:0], 0
	if !r.started {
		r.buf = append(r.buf, copySignature...)
		r.started = true
	}
	for len(r.buf) < fillTarget {
		if r.rec == nil {
			if err := r.ctx.Err(); err != nil {
				r.err = err
				return
			}
			rec, err := r.src.Next(r.ctx)
			if errors.Is(err, io.EOF) {
				r.buf = append(r.buf, copyTrailer...)
				r.err = io.EOF
				return
			}
			if err != nil {
				r.err = err
				return
			}
			if err := r.start(rec); err != nil {
				rec.Release()
				r.err = err
				return
			}
			continue
		}
		if !r.encodeRows() {
			return
		}
	}
}

// start makes rec the current batch and builds its column encoders. A
// NULL in a NOT NULL column fails the batch before any of its rows is
// encoded.
func (r *copyReader) start(rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(r.schema) {
		return fmt.Errorf("%w: batch schema %s, want %s", ErrSchemaMismatch, rec.Schema(), r.schema)
	}
	if err := r.checkNotNull(rec); err != nil {
		return err
	}
	if cap(r.encs) < len(r.cols) {
		r.encs = make([]colEncoder, len(r.cols))
	}
	r.encs = r.encs[:len(r.cols)]
	for k, c := range r.cols {
		switch {
		case c.Seq:
			r.encs[k] = r.seqEncoder()
		case c.Src < 0:
			r.encs[k] = constEncoder(c.Const)
		default:
			a := rec.Column(c.Src)
			var enc colEncoder
			var err error
			if c.Owner {
				enc, err = newOwnerEncoder(a, c, &r.fe, k)
			} else {
				enc, err = newColEncoder(a, c.OID, c.NumericScale, &r.fe, k)
			}
			if err != nil {
				return fmt.Errorf("column %s: %w", c.Name, err)
			}
			r.encs[k] = enc
		}
	}
	r.rec, r.row, r.nrow = rec, 0, int(rec.NumRows())
	if r.lines != nil {
		r.lmap.add(r.lines, r.rows, r.nrow)
	}
	if r.onBatch != nil {
		r.onBatch(int64(r.nrow))
	}
	return nil
}

// encodeRows encodes rows of the current batch until the buffer is full
// or the batch ends (then released). It reports false on an encoding error.
func (r *copyReader) encodeRows() bool {
	nf := uint16(len(r.encs))
	buf, encs := r.buf, r.encs
	i := r.row
	for ; i < r.nrow && len(buf) < fillTarget; i++ {
		buf = binary.BigEndian.AppendUint16(buf, nf)
		for _, enc := range encs {
			buf = enc(buf, i)
		}
		if r.fe.bad {
			r.buf = buf
			r.err = r.rowError(i, r.rows+int64(i-r.row)+1, r.fe.col, r.fe.detail, ErrBadValue)
			return false
		}
	}
	r.rows += int64(i - r.row)
	r.buf, r.row = buf, i
	if i == r.nrow {
		r.rec.Release()
		r.rec = nil
	}
	return true
}

// seqEncoder writes the stream's 1-based row number as int8.
func (r *copyReader) seqEncoder() colEncoder {
	return func(dst []byte, i int) []byte {
		dst = append(dst, 0, 0, 0, 8)
		return binary.BigEndian.AppendUint64(dst, uint64(r.rows+int64(i-r.row)+1))
	}
}

// rowError describes the value of row i of the batch just taken from the
// source (the export's row number row) in column k of the COPY.
func (r *copyReader) rowError(i int, row int64, k int, detail string, sentinel error) *RowError {
	c := r.cols[k]
	e := &RowError{Table: sourceName(r.schema.Metadata(), ""), Row: row, Column: c.Name, Detail: detail, Err: sentinel}
	if c.Src >= 0 {
		e.Column = sourceName(r.schema.Field(c.Src).Metadata, c.Name)
	}
	if r.lines != nil {
		e.Line = r.lines.Line(i)
	}
	return e
}

// sourceName is the source name recorded in Arrow metadata (see
// schema.Table.ArrowSchema), or def.
func sourceName(md arrow.Metadata, def string) string {
	if v, ok := md.GetValue(schema.MetaSourceName); ok {
		return v
	}
	return def
}

func constEncoder(field []byte) colEncoder {
	return func(dst []byte, _ int) []byte { return append(dst, field...) }
}

// errCopyClosed is what Read returns once the COPY is over.
var errCopyClosed = errors.New("load: COPY already ended")

// close releases the batch still held after an aborted COPY and makes
// later Reads fail. The caller cancels the reader's context first, so an
// in-flight Read blocked in the source returns promptly.
func (r *copyReader) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
}

// copyResult is what a COPY did.
type copyResult struct {
	Rows   int64 // rows the server stored
	Sent   int64 // rows encoded and sent
	Source error // the source's or encoder's error, if it stopped the COPY
	// Lines maps the rows sent to their CSV lines (when the source is a
	// [LineSource]), for errors the server finds later.
	Lines *lineMap
}

// copyBatches streams src into table (an already quoted name) through the
// binary COPY protocol on conn. A failure of the source or the encoder is
// returned as such (not as the server's "COPY from stdin failed").
func copyBatches(ctx context.Context, conn *pgconn.PgConn, table string, opts copyOptions, src Batches, sch *arrow.Schema, cols []copyColumn, onBatch func(int64)) (copyResult, error) {
	rctx, cancel := context.WithCancel(ctx)
	r := newCopyReader(rctx, src, sch, cols)
	r.onBatch = onBatch
	sql := "COPY " + table + " (" + quoteColumns(cols) + ") FROM STDIN (FORMAT binary" + string(opts) + ")"
	tag, err := conn.CopyFrom(ctx, r, sql)
	cancel()
	r.close()
	res := copyResult{Rows: tag.RowsAffected(), Sent: r.rows, Lines: &r.lmap}
	srcErr := r.err
	if srcErr == io.EOF || (errors.Is(srcErr, context.Canceled) && ctx.Err() == nil) {
		srcErr = nil // the end, or our own cancel once the COPY had failed
	}
	if srcErr != nil {
		res.Source = srcErr
		return res, srcErr
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		// Cancelled mid-COPY, pgconn may report the connection it closed
		// ("use of closed network connection") rather than the cause.
		return res, fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return res, err
}
