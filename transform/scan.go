package transform

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// field is one field of the record being scanned. v points into the scan
// window or the scanner's scratch space and is valid until the next scan.
type field struct {
	v      []byte
	quoted bool
}

// scanStatus is what [scanner.next] found.
type scanStatus uint8

const (
	// scanRecord: fields holds a record.
	scanRecord scanStatus = iota
	// scanMore: the record at pos is incomplete; extend the window and call
	// again (the scan restarts at the record's first byte).
	scanMore
	// scanEOF: no records are left.
	scanEOF
	// scanBad: a badly quoted record was skipped up to the end of its
	// physical line; errMsg says why and errField which field.
	scanBad
	// scanFatal: the input ended inside a quoted field.
	scanFatal
)

// scanner splits RFC 4180 records out of a window of CSV bytes. The window
// holds whole records from pos on, plus possibly the start of an incomplete
// one; the caller refills it when next returns scanMore.
//
// Rules, as encoding/csv reads them unless noted: fields are separated by
// commas; a record ends at LF or CRLF (a CR before the LF is dropped) or at
// the end of the input, where a final CR is dropped too; a field starting
// with a quote is quoted, may hold commas, line breaks and doubled quotes,
// and must be followed by a comma or the end of the record. Unlike
// encoding/csv: a CR LF inside quotes is kept as is, a blank line is a
// record of one NULL field (blank lines at the end of the input are
// ignored unless keepBlank is set), and a badly quoted record is skipped to the end of its line so
// that decoding can go on.
type scanner struct {
	buf  []byte
	pos  int
	eof  bool
	line int64 // physical line (1-based) on which the record at pos starts

	// The last record scanned.
	fields   []field
	recStart int   // buf[recStart:recEnd] is the raw record, without its
	recEnd   int   // line terminator
	recLine  int64 // physical line on which it starts
	errMsg   string
	errField int

	scratch  []byte // unescaped quoted fields
	nonBlank int    // a position >= pos known to hold a non-blank line, or -1

	// keepBlank makes blank lines at the end records too (a one-column
	// table, where a blank line is a NULL value).
	keepBlank bool
}

func newScanner() *scanner {
	return &scanner{line: 1, nonBlank: -1, fields: make([]field, 0, 64)}
}

// setBuf replaces the window; the record at pos must now start at b[0].
func (s *scanner) setBuf(b []byte) {
	s.buf, s.pos, s.nonBlank = b, 0, -1
}

// next scans the record at pos.
func (s *scanner) next() scanStatus {
	s.fields = s.fields[:0]
	s.scratch = s.scratch[:0]
	buf, start := s.buf, s.pos
	if start >= len(buf) {
		if s.eof {
			return scanEOF
		}
		return scanMore
	}
	s.recStart, s.recLine = start, s.line
	rest := buf[start:]
	nl := bytes.IndexByte(rest, '\n')
	line := rest
	if nl >= 0 {
		line = rest[:nl]
	} else if !s.eof {
		return scanMore
	}
	if q := bytes.IndexByte(line, '"'); q >= 0 {
		return s.slow(start, q)
	}
	// Fast path: a physical line without quotes is one record.
	end := len(line)
	if end > 0 && line[end-1] == '\r' {
		end--
	}
	content := line[:end]
	if end == 0 && !s.keepBlank {
		switch s.blankTail(start) {
		case scanEOF:
			return scanEOF
		case scanMore:
			return scanMore
		}
	}
	s.fields = splitCommas(s.fields, content)
	s.recEnd = start + end
	if nl >= 0 {
		s.pos = start + nl + 1
	} else {
		s.pos = len(buf)
	}
	s.line++
	return scanRecord
}

// blankTail decides about a blank line at from: scanEOF when only blank
// lines follow to the end of the input (they are consumed), scanMore when
// that cannot be known yet, scanRecord when a non-blank line follows.
func (s *scanner) blankTail(from int) scanStatus {
	if s.nonBlank > from {
		return scanRecord
	}
	buf := s.buf
	i, lines := from, int64(0)
	for i < len(buf) {
		switch {
		case buf[i] == '\n':
			i++
			lines++
		case buf[i] == '\r' && i+1 < len(buf) && buf[i+1] == '\n':
			i += 2
			lines++
		case buf[i] == '\r' && i+1 == len(buf):
			if !s.eof {
				return scanMore
			}
			i++
		default:
			s.nonBlank = i
			return scanRecord
		}
	}
	if !s.eof {
		return scanMore
	}
	if i > 0 && buf[i-1] != '\n' {
		lines++ // a final line without a terminator
	}
	s.line += lines
	s.pos = len(buf)
	return scanEOF
}

// slow scans a record whose first physical line holds a quote, the first
// one at start+q. The fields before the quote's field hold no quotes, so
// they are split fast.
func (s *scanner) slow(start, q int) scanStatus {
	buf := s.buf
	i := start
	if q > 0 && buf[start+q-1] == ',' {
		s.fields = splitCommas(s.fields, buf[start:start+q-1])
		i = start + q
	}
	eol := -1 // the next LF at or after i (len(buf) at EOF), once known
	for {
		if i < len(buf) && buf[i] == '"' {
			j := i + 1
			seg := j
			escaped := false
			mark := len(s.scratch)
			for {
				k := bytes.IndexByte(buf[j:], '"')
				if k < 0 {
					if !s.eof {
						return scanMore
					}
					s.errMsg, s.errField = "quoted field is never closed", len(s.fields)
					return scanFatal
				}
				j += k
				if j+1 == len(buf) && !s.eof {
					return scanMore // is the quote doubled?
				}
				if j+1 < len(buf) && buf[j+1] == '"' {
					s.scratch = append(s.scratch, buf[seg:j+1]...)
					escaped = true
					j += 2
					seg = j
					continue
				}
				break
			}
			v := buf[i+1 : j : j]
			if escaped {
				s.scratch = append(s.scratch, buf[seg:j]...)
				v = s.scratch[mark:len(s.scratch):len(s.scratch)]
			}
			s.fields = append(s.fields, field{v: v, quoted: true})
			j++ // past the closing quote
			if j == len(buf) {
				return s.done(start, j, j)
			}
			switch c := buf[j]; {
			case c == ',':
				i = j + 1
				if eol < i {
					eol = -1
				}
				continue
			case c == '\n':
				return s.done(start, j, j+1)
			case c == '\r' && j+1 < len(buf) && buf[j+1] == '\n':
				return s.done(start, j, j+2)
			case c == '\r' && j+1 == len(buf):
				if !s.eof {
					return scanMore
				}
				return s.done(start, j, j+1)
			default:
				s.fields = s.fields[:len(s.fields)-1]
				return s.bad(start, j, "text after the closing quote of a quoted field")
			}
		}
		// An unquoted field from i to the next comma or line end.
		if eol < i {
			k := bytes.IndexByte(buf[i:], '\n')
			switch {
			case k >= 0:
				eol = i + k
			case s.eof:
				eol = len(buf)
			default:
				return scanMore
			}
		}
		end := eol
		c := bytes.IndexByte(buf[i:eol], ',')
		if c >= 0 {
			end = i + c
		}
		v := buf[i:end:end]
		if q := bytes.IndexByte(v, '"'); q >= 0 {
			return s.bad(start, i+q, "quote in an unquoted field")
		}
		if c >= 0 {
			s.fields = append(s.fields, field{v: v})
			i = end + 1
			continue
		}
		if len(v) > 0 && v[len(v)-1] == '\r' {
			v = v[: len(v)-1 : len(v)-1]
			end--
		}
		s.fields = append(s.fields, field{v: v})
		next := eol + 1
		if eol == len(buf) {
			next = eol
		}
		return s.done(start, end, next)
	}
}

// done finishes a record spanning buf[start:next], whose content ends at
// recEnd, and advances the line count by the line breaks it spans.
func (s *scanner) done(start, recEnd, next int) scanStatus {
	s.recEnd = recEnd
	s.advance(start, next)
	return scanRecord
}

// bad skips a malformed record from start to the end of the physical line
// holding position at.
func (s *scanner) bad(start, at int, msg string) scanStatus {
	buf := s.buf
	next := len(buf)
	if k := bytes.IndexByte(buf[at:], '\n'); k >= 0 {
		next = at + k + 1
	} else if !s.eof {
		return scanMore
	}
	end := next
	if end > start && buf[end-1] == '\n' {
		end--
	}
	if end > start && buf[end-1] == '\r' {
		end--
	}
	s.recEnd = end
	s.errMsg, s.errField = msg, len(s.fields)
	s.advance(start, next)
	return scanBad
}

func (s *scanner) advance(start, next int) {
	lines := int64(bytes.Count(s.buf[start:next], []byte{'\n'}))
	if next == len(s.buf) && next > start && s.buf[next-1] != '\n' {
		lines++ // the input's last line has no terminator
	}
	s.line += lines
	s.pos = next
}

// splitCommas appends the comma-separated fields of a line without quotes.
// It finds commas eight bytes at a time: for w^commas, a byte is zero
// exactly where w holds a comma, and the expression below sets the high bit
// of exactly those bytes (no borrow between bytes, unlike the shorter
// has-zero test).
func splitCommas(fields []field, content []byte) []field {
	const commas = 0x2C2C2C2C2C2C2C2C
	const low7 = 0x7F7F7F7F7F7F7F7F
	start, i := 0, 0
	for ; i+8 <= len(content); i += 8 {
		x := binary.LittleEndian.Uint64(content[i:]) ^ commas
		m := ^((x&low7 + low7) | x | low7)
		for m != 0 {
			k := i + bits.TrailingZeros64(m)>>3
			fields = append(fields, field{v: content[start:k:k]})
			start = k + 1
			m &= m - 1
		}
	}
	for ; i < len(content); i++ {
		if content[i] == ',' {
			fields = append(fields, field{v: content[start:i:i]})
			start = i + 1
		}
	}
	return append(fields, field{v: content[start:]})
}
