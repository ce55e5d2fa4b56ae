package magentogen

import "strconv"

// Value is one field of a generated row.
type Value struct {
	// Null is true for SQL NULL, written as an empty unquoted CSV field.
	Null bool
	// Text is the field's exact value as it stands in the CSV, unescaped.
	// It is "" when Null is true; an empty string is Text "" with Null false.
	Text string
}

// rowWriter receives the fields of one row from a table's generator. In CSV
// mode it encodes them straight into buf (RFC 4180); otherwise it collects
// them as Values. Generators call one method per field, in column order.
type rowWriter struct {
	buf   []byte
	start int // offset in buf where the current field's value begins
	n     int // fields written in the current row
	csv   bool
	vals  []Value
	tmp   []byte
}

// needsQuote marks the bytes that force a CSV field to be quoted.
var needsQuote = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// begin starts a field; the caller appends its raw value to w.buf and calls
// endPlain or endText.
func (w *rowWriter) begin() {
	if w.csv && w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.start = len(w.buf)
}

// endPlain ends a field whose value is non-empty and needs no quoting
// (numbers, dates).
func (w *rowWriter) endPlain() {
	w.n++
	if !w.csv {
		w.vals = append(w.vals, Value{Text: string(w.buf[w.start:])})
		w.buf = w.buf[:w.start]
	}
}

// endText ends a field of arbitrary text, quoting it when it is empty or
// holds a comma, a quote, CR or LF, and doubling the quotes inside.
func (w *rowWriter) endText() {
	w.n++
	if !w.csv {
		w.vals = append(w.vals, Value{Text: string(w.buf[w.start:])})
		w.buf = w.buf[:w.start]
		return
	}
	f := w.buf[w.start:]
	if len(f) == 0 {
		w.buf = append(w.buf, '"', '"')
		return
	}
	quote := false
	for _, c := range f {
		if needsQuote[c] {
			quote = true
			break
		}
	}
	if !quote {
		return
	}
	w.tmp = append(w.tmp[:0], f...)
	w.buf = append(w.buf[:w.start], '"')
	for _, c := range w.tmp {
		if c == '"' {
			w.buf = append(w.buf, '"')
		}
		w.buf = append(w.buf, c)
	}
	w.buf = append(w.buf, '"')
}

// null writes SQL NULL.
func (w *rowWriter) null() {
	w.begin()
	w.n++
	if !w.csv {
		w.vals = append(w.vals, Value{Null: true})
	}
}

// int writes an integer.
func (w *rowWriter) int(v int64) {
	w.begin()
	w.buf = strconv.AppendInt(w.buf, v, 10)
	w.endPlain()
}

// dec writes units/10^scale with exactly scale fractional digits.
func (w *rowWriter) dec(units int64, scale int) {
	w.begin()
	w.buf = appendDecimal(w.buf, units, scale)
	w.endPlain()
}

// float writes a number in its shortest round-tripping decimal form for the
// given bit size (32 or 64), e.g. "12.5".
func (w *rowWriter) float(v float64, bitSize int) {
	w.begin()
	w.buf = strconv.AppendFloat(w.buf, v, 'f', -1, bitSize)
	w.endPlain()
}

// str writes text.
func (w *rowWriter) str(s string) {
	w.begin()
	w.buf = append(w.buf, s...)
	w.endText()
}

// datetime writes seconds since the epoch as YYYY-MM-DD HH:MM:SS.
func (w *rowWriter) datetime(sec int64) {
	w.begin()
	w.buf = appendDatetime(w.buf, sec)
	w.endPlain()
}

// datetimeMicros writes YYYY-MM-DD HH:MM:SS.ffffff.
func (w *rowWriter) datetimeMicros(sec, us int64) {
	w.begin()
	w.buf = appendMicros(appendDatetime(w.buf, sec), us)
	w.endPlain()
}

// date writes days since the epoch as YYYY-MM-DD.
func (w *rowWriter) date(days int64) {
	w.begin()
	w.buf = appendDate(w.buf, days)
	w.endPlain()
}

// endRow finishes a row: a line feed in CSV mode.
func (w *rowWriter) endRow() {
	if w.csv {
		w.buf = append(w.buf, '\n')
	}
	w.n = 0
}
