package transform

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/mbiload/mbiload/schema"
)

// bom is the UTF-8 byte order mark, skipped at the start of the input.
const bom = "\xef\xbb\xbf"

// parser is the decoding goroutine's state: the scan window over the
// chunks, the columns of the batch being built and the error budget.
type parser struct {
	t       *schema.Table
	opts    Options
	d       *Decoder
	schema  *arrow.Schema
	rd      *reader
	cur     *chunk // the chunk the window lies in, if not carry
	carry   []byte // window for records larger than a chunk's headroom
	sawLast bool

	sc    *scanner
	cv    converter
	cols  []*column // in table order
	order []*column // order[i] receives CSV field i
	open  bool      // the columns hold a started batch
	rows  int       // rows in the batch
	bytes int       // CSV bytes of the batch's records
	bad   int       // rows rejected so far
	runs  []lineRun // the lines the batch's rows start on
	next  int64     // the line a row must start on to extend the last run
}

func newParser(t *schema.Table, opts Options, d *Decoder) (*parser, error) {
	sch := t.ArrowSchema()
	p := &parser{
		t: t, opts: opts, d: d, schema: sch, sc: newScanner(),
		cv: converter{emptyNull: opts.NullString == "", nullString: opts.NullString, zeroDates: opts.ZeroDates},
	}
	for i, f := range t.Fields {
		if f.Type.Kind == schema.KindTimestampTZ {
			if t.Location == nil {
				return nil, fmt.Errorf("%w: table %q column %q is timestamptz but the table has no Location", ErrInvalidOptions, t.SourceName, f.Source.Name)
			}
			if p.cv.zone == nil {
				p.cv.zone = newZoneResolver(t.Location)
			}
		}
		p.cols = append(p.cols, newColumn(f, sch.Field(i).Type, opts.Allocator, opts.BatchBytes))
	}
	return p, nil
}

// drop releases the window and the unfinished batch.
func (p *parser) drop() {
	putChunk(p.cur)
	p.cur, p.carry = nil, nil
	for _, c := range p.cols {
		c.release()
	}
	p.open = false
	p.runs = nil
}

// readHeader skips a BOM, reads the header record and maps it.
func (p *parser) readHeader(ctx context.Context) error {
	for len(p.sc.buf) < len(bom) && !p.sc.eof {
		if err := p.refill(ctx); err != nil {
			return err
		}
	}
	if len(p.sc.buf) >= len(bom) && string(p.sc.buf[:len(bom)]) == bom {
		p.sc.pos = len(bom)
	}
	if crOnly(p.sc.buf[p.sc.pos:]) {
		return fmt.Errorf("table %q: %w", p.t.SourceName, ErrCRLineEndings)
	}
	for {
		switch p.sc.next() {
		case scanMore:
			if err := p.refill(ctx); err != nil {
				return err
			}
			continue
		case scanEOF:
			return fmt.Errorf("table %q: %w", p.t.SourceName, ErrNoHeader)
		case scanBad, scanFatal:
			return fmt.Errorf("table %q header: %w: %s", p.t.SourceName, ErrBadQuote, p.sc.errMsg)
		}
		break
	}
	header := make([]string, len(p.sc.fields))
	for i, f := range p.sc.fields {
		header[i] = string(f.v)
	}
	colOf, err := matchHeader(p.t, header)
	if err != nil {
		return err
	}
	p.sc.keepBlank = len(colOf) == 1
	p.order = make([]*column, len(colOf))
	for i, j := range colOf {
		p.order[i] = p.cols[j]
	}
	p.d.lines.Store(p.sc.line - 1)
	return nil
}

// crOnly reports whether b, the start of the input, ends its first line
// with a lone CR (classic Mac OS line endings): a CR before any LF or
// quote, followed by something other than LF.
func crOnly(b []byte) bool {
	for i, c := range b {
		switch c {
		case '\n', '"':
			return false
		case '\r':
			return i+1 < len(b) && b[i+1] != '\n'
		}
	}
	return false
}

// run decodes records until EOF, sending full batches to the Decoder.
func (p *parser) run(ctx context.Context) error {
	for {
		switch p.sc.next() {
		case scanRecord:
			if p.sc.recEnd-p.sc.recStart > p.opts.MaxRecordBytes {
				return p.tooLarge()
			}
			if err := p.record(); err != nil {
				return err
			}
			if p.rows >= p.opts.BatchRows || p.bytes >= p.opts.BatchBytes {
				if err := p.flush(ctx); err != nil {
					return err
				}
			}
		case scanMore:
			if err := p.refill(ctx); err != nil {
				return err
			}
		case scanEOF:
			p.d.lines.Store(p.sc.line - 1)
			p.d.setNotes(p.notes())
			return p.flush(ctx)
		case scanBad:
			if err := p.reject(p.rowError(p.sc.errField, nil, fmt.Errorf("%w: %s", ErrBadQuote, p.sc.errMsg))); err != nil {
				return err
			}
		case scanFatal:
			return p.rowError(p.sc.errField, nil, fmt.Errorf("%w: %s", ErrBadQuote, p.sc.errMsg))
		}
	}
}

// record appends the scanned record to the batch, or rejects it.
func (p *parser) record() error {
	fields := p.sc.fields
	if len(fields) != len(p.order) {
		return p.reject(p.rowError(-1, nil, fmt.Errorf("%w: record has %d fields, header has %d", ErrRagged, len(fields), len(p.order))))
	}
	if !p.open {
		for _, c := range p.cols {
			c.start()
		}
		p.open = true
	}
	order := p.order[:len(fields)]
	p.cv.line = p.sc.recLine
	for i := range fields {
		f := &fields[i]
		if err := p.cv.appendField(order[i], f.v, f.quoted); err != nil {
			for _, c := range order[:i] {
				c.truncate(p.rows)
			}
			return p.reject(p.rowError(i, f.v, err))
		}
	}
	if l := p.sc.recLine; l != p.next {
		p.runs = append(p.runs, lineRun{row: p.rows, line: l})
	}
	p.next = p.sc.recLine + 1
	p.rows++
	p.bytes += p.sc.recEnd - p.sc.recStart
	return nil
}

// rowError describes a problem with CSV field i (-1: the whole record).
func (p *parser) rowError(i int, value []byte, err error) *RowError {
	re := &RowError{Table: p.t.SourceName, Line: p.sc.recLine, Err: err}
	if i >= 0 && i < len(p.order) {
		re.Column = p.order[i].name
	}
	if value != nil {
		re.Value = shorten(string(value), maxValueLen)
	}
	return re
}

// reject spends the error budget on a bad record, or fails.
func (p *parser) reject(re *RowError) error {
	if p.opts.MaxBadRows == 0 {
		return re
	}
	if p.bad >= p.opts.MaxBadRows {
		return fmt.Errorf("%w (more than %d): %w", ErrTooManyBadRows, p.opts.MaxBadRows, re)
	}
	p.bad++
	p.d.addReject(schema.Reject{
		Line:   re.Line,
		Column: re.Column,
		Record: shorten(string(p.sc.buf[p.sc.recStart:p.sc.recEnd]), maxRejectRecord),
		Reason: re.Reason(),
	})
	return nil
}

// flush hands the batch to the Decoder; an empty batch is never sent.
func (p *parser) flush(ctx context.Context) error {
	if p.rows == 0 {
		return nil
	}
	arrs := make([]arrow.Array, len(p.cols))
	for i, c := range p.cols {
		arrs[i] = c.finish()
	}
	rec := array.NewRecordBatch(p.schema, arrs, int64(p.rows))
	for _, a := range arrs {
		a.Release()
	}
	b := batch{rec: rec, runs: p.runs}
	p.rows, p.bytes, p.open = 0, 0, false
	p.runs, p.next = nil, 0 // the next batch starts a run (records start on line 2 or later)
	p.d.lines.Store(p.sc.line - 1)
	select {
	case p.d.out <- b:
		return nil
	case <-ctx.Done():
		rec.Release()
		return ctx.Err()
	}
}

// refill extends the window with the next chunk, keeping the incomplete
// record at its start.
func (p *parser) refill(ctx context.Context) error {
	if p.sawLast {
		p.sc.eof = true
		return nil
	}
	c, err := p.recv(ctx)
	if err != nil {
		return err
	}
	rem := p.sc.buf[p.sc.pos:]
	if len(rem) > p.opts.MaxRecordBytes {
		putChunk(c)
		return p.tooLarge()
	}
	if len(rem) <= c.head {
		at := c.head - len(rem)
		copy(c.b[at:c.head], rem)
		putChunk(p.cur)
		p.cur = c
		p.sc.setBuf(c.b[at : c.head+c.n])
		if cap(p.carry) > 4*chunkSize {
			p.carry = nil // do not keep a huge record's buffer
		}
	} else {
		// A record larger than the headroom: gather it in carry, reading at
		// least as much again as is already held so rescans stay linear,
		// but never much past the record cap, which bounds the memory a
		// record (or an unterminated quote) can take.
		limit := p.opts.MaxRecordBytes + c.n + 1
		want := min(max(2*len(rem), len(rem)+c.n), limit) + len(c.b) // room for the last chunk read
		carry := p.carry[:0]
		if cap(carry) < want || cap(carry) > 2*want {
			carry = make([]byte, 0, want)
		}
		carry = append(carry, rem...)
		carry = append(carry, c.data()...)
		added := c.n
		putChunk(c)
		for added < len(rem) && len(carry) < limit && !p.sawLast {
			c, err := p.recv(ctx)
			if err != nil {
				return err
			}
			carry = append(carry, c.data()...)
			added += c.n
			putChunk(c)
		}
		putChunk(p.cur)
		p.cur = nil
		p.carry = carry
		p.sc.setBuf(carry)
	}
	p.sc.eof = p.sawLast
	return nil
}

// tooLarge is the error for a record over the record cap; the record
// starts on the line being scanned.
func (p *parser) tooLarge() error {
	return p.rowError(-1, nil, fmt.Errorf("%w: the record starting on this line is over the cap of %s "+
		"(an unterminated quote?)", ErrRecordTooLarge, byteSize(p.opts.MaxRecordBytes)))
}

// byteSize renders n bytes as "16 MiB" when it is whole MiB, else "n bytes".
func byteSize(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// recv takes the next chunk from the reader.
func (p *parser) recv(ctx context.Context) (*chunk, error) {
	select {
	case c, ok := <-p.rd.out:
		if !ok {
			return nil, p.rd.failure()
		}
		if c.last {
			p.sawLast = true
		}
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
