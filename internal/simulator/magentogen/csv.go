package magentogen

import (
	"context"
	"fmt"
	"io"
)

// bufSize is the size of the write buffer: rows are encoded into it and it is
// written out whenever it holds more than this.
const bufSize = 1 << 20

// ctxCheckRows is how many rows pass between checks of the context.
const ctxCheckRows = 4096

// WriteCSV writes the header row and all rows of the table to w as RFC 4180
// CSV: a field is quoted iff it is empty or holds a comma, a quote, CR or LF,
// quotes inside are doubled, NULL is an empty unquoted field, and every line
// ends in LF. It streams through a buffer of about 1 MiB and stops with the
// context's error when ctx is done.
func (t *Table) WriteCSV(ctx context.Context, w io.Writer) error {
	rw := &rowWriter{buf: make([]byte, 0, bufSize+64<<10), csv: true}
	for _, c := range t.Columns {
		rw.str(c.Name)
	}
	rw.endRow()
	g := t.newGen()
	for i := int64(0); i < t.Rows; i++ {
		if i%ctxCheckRows == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("write %s csv at row %d: %w", t.Name, i, err)
			}
		}
		g.fill(rw, i)
		if len(rw.buf) >= bufSize {
			if _, err := w.Write(rw.buf); err != nil {
				return fmt.Errorf("write %s csv: %w", t.Name, err)
			}
			rw.buf = rw.buf[:0]
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s csv: %w", t.Name, err)
	}
	if _, err := w.Write(rw.buf); err != nil {
		return fmt.Errorf("write %s csv: %w", t.Name, err)
	}
	return nil
}
