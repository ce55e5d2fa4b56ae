package simulator

import (
	"bytes"
	"hash"
	"hash/crc32"
	"io"
)

// utf8BOM is the byte order mark Quirks.BOM puts in front of a CSV.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// recordCounter counts CSV records in a byte stream fed in pieces, RFC 4180
// aware: newlines inside quoted fields do not end a record, and blank lines
// are not records (encoding/csv skips them too).
type recordCounter struct {
	inQuote bool
	cur     int64 // bytes of the current record so far
	last    byte  // last byte consumed
	records int64
}

// scan consumes p.
func (c *recordCounter) scan(p []byte) {
	for len(p) > 0 {
		j := c.scanLine(p)
		if j < 0 {
			return
		}
		p = p[j+1:]
	}
}

// scanLine consumes p up to and including its first newline outside quotes
// and returns that newline's index, or consumes all of p and returns -1.
func (c *recordCounter) scanLine(p []byte) int {
	off := 0
	for off < len(p) {
		rest := p[off:]
		if c.inQuote {
			q := bytes.IndexByte(rest, '"')
			if q < 0 {
				c.consume(rest)
				return -1
			}
			c.consume(rest[:q+1])
			c.inQuote = false
			off += q + 1
			continue
		}
		nl := bytes.IndexByte(rest, '\n')
		seg := rest
		if nl >= 0 {
			seg = rest[:nl]
		}
		if q := bytes.IndexByte(seg, '"'); q >= 0 {
			c.consume(rest[:q+1])
			c.inQuote = true
			off += q + 1
			continue
		}
		if nl < 0 {
			c.consume(rest)
			return -1
		}
		n := c.cur + int64(nl)
		if c.endsWithCR(rest, nl) {
			n--
		}
		if n > 0 {
			c.records++
		}
		c.cur, c.last = 0, '\n'
		return off + nl
	}
	return -1
}

// endsWithCR reports whether the byte before rest[nl] is a carriage return.
func (c *recordCounter) endsWithCR(rest []byte, nl int) bool {
	if nl > 0 {
		return rest[nl-1] == '\r'
	}
	return c.last == '\r' && c.cur > 0
}

func (c *recordCounter) consume(p []byte) {
	if len(p) > 0 {
		c.cur += int64(len(p))
		c.last = p[len(p)-1]
	}
}

// rows returns the number of data rows seen: records after the header.
func (c *recordCounter) rows() int64 {
	records := c.records
	if c.cur > 1 || (c.cur == 1 && c.last != '\r') {
		records++
	}
	return max(0, records-1)
}

// shaper is the io.Writer a table's CSV is written through when a zip is
// built: it applies the CSV quirks (a BOM in front, CRLF record ends), counts
// records, and keeps the CRC-32 and size of what it passes on to dst.
type shaper struct {
	dst     io.Writer
	bom     bool
	crlf    bool
	started bool
	lastOut byte
	count   recordCounter
	crc     hash.Hash32
	size    int64
}

func newShaper(dst io.Writer, q Quirks) *shaper {
	return &shaper{dst: dst, bom: q.BOM, crlf: q.CRLF, crc: crc32.NewIEEE()}
}

// Write implements io.Writer.
func (s *shaper) Write(p []byte) (int, error) {
	n := len(p)
	if !s.started {
		s.started = true
		if s.bom && !bytes.HasPrefix(p, utf8BOM) {
			if err := s.out(utf8BOM); err != nil {
				return 0, err
			}
		}
	}
	if !s.crlf {
		s.count.scan(p)
		return n, s.out(p)
	}
	for len(p) > 0 {
		j := s.count.scanLine(p)
		if j < 0 {
			return n, s.out(p)
		}
		crBefore := (j > 0 && p[j-1] == '\r') || (j == 0 && s.lastOut == '\r')
		if crBefore {
			if err := s.out(p[:j+1]); err != nil {
				return 0, err
			}
		} else {
			if err := s.out(p[:j]); err != nil {
				return 0, err
			}
			if err := s.out([]byte("\r\n")); err != nil {
				return 0, err
			}
		}
		p = p[j+1:]
	}
	return n, nil
}

func (s *shaper) out(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	s.crc.Write(p)
	s.size += int64(len(p))
	s.lastOut = p[len(p)-1]
	_, err := s.dst.Write(p)
	return err
}

var _ io.Writer = (*shaper)(nil)
