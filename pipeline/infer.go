package pipeline

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// inference tracks which types every non-empty value of a column fits.
type inference struct {
	isInt, isDecimal, isDate, isDatetime bool
	intDigits, scale                     int
	seen                                 bool
}

func newInference() *inference {
	return &inference{isInt: true, isDecimal: true, isDate: true, isDatetime: true}
}

func (in *inference) add(v string) {
	if v == "" {
		return
	}
	in.seen = true
	if in.isInt && !isInteger(v) {
		in.isInt = false
	}
	if in.isDecimal {
		intDigits, scale, ok := decimalShape(v)
		if ok {
			in.intDigits, in.scale = max(in.intDigits, intDigits), max(in.scale, scale)
		} else {
			in.isDecimal = false
		}
	}
	if in.isDate && !isDate(v) {
		in.isDate = false
	}
	if in.isDatetime && !isDate(v) && !isDatetime(v) {
		in.isDatetime = false
	}
}

// column returns the inferred column metadata.
func (in *inference) column(id int, name string) schema.Column {
	c := schema.Column{ID: schema.ID(strconv.Itoa(id)), Name: name, Type: "text"}
	switch {
	case !in.seen:
	case in.isInt:
		c.Type = "bigint"
	case in.isDecimal:
		p := in.intDigits + in.scale
		// Leave room for larger values in later exports of the same figure.
		p = max(p+4, 18)
		if p > 38 {
			c.Type = "decimal"
		} else {
			c.Type = fmt.Sprintf("decimal(%d,%d)", p, in.scale)
		}
	case in.isDate:
		c.Type = "date"
	case in.isDatetime:
		c.Type = "datetime"
	}
	return c
}

// digits reports whether s is one or more ASCII digits without a leading
// zero (a lone "0" is fine): "007" is a code, whose zeros a number would
// lose.
func digits(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	return onlyDigits(s)
}

// onlyDigits reports whether s holds nothing but ASCII digits ("" does).
func onlyDigits(s string) bool { return strings.Trim(s, "0123456789") == "" }

// isInteger reports whether v is [+-]digits within int64.
func isInteger(v string) bool {
	if !digits(strings.TrimLeft(v, "+-")) {
		return false
	}
	_, err := strconv.ParseInt(v, 10, 64)
	return err == nil
}

// decimalShape reads a plain decimal number ([+-]digits[.digits], the
// integer part without leading zeros) and returns its integer and
// fractional digit counts.
func decimalShape(v string) (intDigits, scale int, ok bool) {
	s := strings.TrimLeft(v, "+-")
	if len(v)-len(s) > 1 {
		return 0, 0, false
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if !digits(whole) || hasDot && frac == "" || !onlyDigits(frac) {
		return 0, 0, false
	}
	if whole == "0" {
		whole = ""
	}
	return len(whole), len(frac), true
}

// isDate reports whether v is a real calendar date YYYY-MM-DD after year 0.
func isDate(v string) bool {
	if len(v) != 10 {
		return false
	}
	t, err := time.Parse(time.DateOnly, v)
	return err == nil && t.Year() > 0
}

// isDatetime reports whether v is YYYY-MM-DD HH:MM:SS (or with a T) with up
// to six fractional digits (more only when they are zeros), as the
// decoder reads datetimes.
func isDatetime(v string) bool {
	if len(v) < 19 || v[10] != ' ' && v[10] != 'T' || !isDate(v[:10]) {
		return false
	}
	if _, err := time.Parse(time.TimeOnly, v[11:19]); err != nil {
		return false
	}
	frac := v[19:]
	if frac == "" {
		return true
	}
	if frac[0] != '.' || len(frac) == 1 {
		return false
	}
	for i := 1; i < len(frac); i++ {
		if c := frac[i]; c < '0' || c > '9' || i > 6 && c != '0' {
			return false
		}
	}
	return true
}

// utf8BOM is the byte order mark a CSV may start with.
var utf8BOM = []byte("\ufeff")

// inferColumns reads a CSV with a header row and infers a column type for
// each column from its values, since figures and charts come with no
// metadata: integers (bigint), decimals (numeric with the widest scale
// seen, plus headroom), dates, datetimes, else text. A value with a leading
// zero keeps its column text (a code such as a ZIP code would lose its
// zeros as a number). Empty values are NULL and do not count; a leading
// BOM is not part of the first name. Column ids are 1, 2, ... in header
// order.
func inferColumns(r io.Reader) ([]schema.Column, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("infer column types: empty CSV, no header row")
		}
		return nil, fmt.Errorf("infer column types: %w", err)
	}
	names := append([]string(nil), header...)
	ins := make([]*inference, len(names))
	for i := range ins {
		ins[i] = newInference()
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("infer column types: %w", err)
		}
		for i, v := range rec {
			ins[i].add(v)
		}
	}
	cols := make([]schema.Column, len(names))
	for i, in := range ins {
		cols[i] = in.column(i+1, names[i])
	}
	return cols, nil
}
