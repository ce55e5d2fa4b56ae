package progress

import (
	"io"
	"sync"
)

// Output is where log lines go: straight to a writer, or, while a live
// display draws its lines there, through the display, which prints them
// above its lines (a log line written between two redraws would be drawn
// over, and leave stale copies of the lines in the scrollback).
type Output struct {
	mu    sync.Mutex
	w     io.Writer
	above io.Writer // the live display's writer, or nil
}

// NewOutput returns an Output that writes to w until a display diverts it.
func NewOutput(w io.Writer) *Output { return &Output{w: w} }

// Write writes p (one log record) to the display's writer when one
// diverted the output, else to the writer.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.above != nil {
		return o.above.Write(p)
	}
	return o.w.Write(p)
}

// Divert sends the output through d while d draws live lines; it comes
// back to its writer when d closes. A display that draws no live lines
// leaves the output as it is.
func (o *Output) Divert(d Display) {
	b, ok := d.(*bars)
	if !ok {
		return
	}
	o.mu.Lock()
	o.above = b
	o.mu.Unlock()
	b.onClose(func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.above == b {
			o.above = nil
		}
	})
}
