package transform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// Chunk geometry: the reader fills chunkSize bytes after chunkHead bytes of
// headroom, where the parser copies the incomplete record that ended the
// previous chunk, so records spanning chunks cost one small copy.
const (
	chunkSize  = 1 << 20
	chunkHead  = 64 << 10
	chunkDepth = 4 // chunks in flight between reader and parser
)

// chunkGeom is the chunk geometry; tests shrink it to exercise records
// that span chunks. The zero value means the default.
type chunkGeom struct{ head, size int }

func (g chunkGeom) orDefault() chunkGeom {
	if g.size == 0 {
		return chunkGeom{head: chunkHead, size: chunkSize}
	}
	return g
}

// chunk is a block of CSV bytes read from the input.
type chunk struct {
	b    []byte // head + size bytes
	head int
	n    int  // bytes read into b[head:]
	last bool // the input ends with this chunk
}

func (c *chunk) data() []byte { return c.b[c.head : c.head+c.n] }

var chunkPool = sync.Pool{New: func() any { return &chunk{b: make([]byte, chunkHead+chunkSize), head: chunkHead} }}

func getChunk(g chunkGeom) *chunk {
	var c *chunk
	if g.head == chunkHead && g.size == chunkSize {
		c = chunkPool.Get().(*chunk)
	} else {
		c = &chunk{b: make([]byte, g.head+g.size), head: g.head}
	}
	c.n, c.last = 0, false
	return c
}

func putChunk(c *chunk) {
	if c != nil && c.head == chunkHead && len(c.b) == chunkHead+chunkSize {
		chunkPool.Put(c)
	}
}

// errAborted: the reader stopped without reaching EOF or saying why.
var errAborted = errors.New("transform: input aborted")

// reader is the reading goroutine: it reads the input into chunks until EOF
// and sends them on out, the last one with last set, then closes out. A
// read error is stored before out is closed, so the parser reports the same
// error, whichever goroutine's error the errgroup sees first.
type reader struct {
	r      io.Reader
	geom   chunkGeom
	out    chan *chunk
	nbytes atomic.Int64
	err    atomic.Pointer[error]
}

func (rd *reader) run(ctx context.Context) error {
	err := readChunks(ctx, rd.r, rd.geom, rd.out, &rd.nbytes)
	if err != nil {
		rd.err.Store(&err)
	}
	close(rd.out)
	return err
}

// failure is the reader's error once out is closed without a last chunk.
func (rd *reader) failure() error {
	if e := rd.err.Load(); e != nil {
		return *e
	}
	return errAborted
}

// readChunks reads r into chunks until EOF, sending them on out.
func readChunks(ctx context.Context, r io.Reader, g chunkGeom, out chan<- *chunk, nbytes *atomic.Int64) error {
	for {
		c := getChunk(g)
		buf := c.b[c.head:]
		var err error
		for c.n < len(buf) && err == nil {
			if cerr := ctx.Err(); cerr != nil {
				putChunk(c)
				return cerr
			}
			var m int
			m, err = r.Read(buf[c.n:])
			c.n += m
		}
		nbytes.Add(int64(c.n))
		if err != nil && err != io.EOF {
			putChunk(c)
			return fmt.Errorf("read csv: %w", err)
		}
		// c belongs to the consumer once sent (it may be back in the pool
		// and reused by another decoder): decide on last before sending.
		last := err == io.EOF
		c.last = last
		select {
		case out <- c:
		case <-ctx.Done():
			putChunk(c)
			return ctx.Err()
		}
		if last {
			return nil
		}
	}
}
