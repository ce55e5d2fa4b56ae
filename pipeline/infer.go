package pipeline

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

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
	if in.isInt {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			in.isInt = false
		}
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
	if in.isDatetime && !isDatetime(v) {
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

// decimalShape reads a plain decimal number ([+-]digits[.digits]) and
// returns its integer and fractional digit counts.
func decimalShape(v string) (intDigits, scale int, ok bool) {
	s := strings.TrimLeft(v, "+-")
	if len(v)-len(s) > 1 || s == "" {
		return 0, 0, false
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" || hasDot && frac == "" {
		return 0, 0, false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, 0, false
			}
		}
	}
	return len(strings.TrimLeft(whole, "0")), len(frac), true
}

func isDate(v string) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	_, err := strconv.Atoi(v[:4] + v[5:7] + v[8:])
	return err == nil && v[5:7] >= "01" && v[5:7] <= "12" && v[8:] >= "01" && v[8:] <= "31"
}

func isDatetime(v string) bool {
	if len(v) < 19 || (v[10] != ' ' && v[10] != 'T') || !isDate(v[:10]) {
		return false
	}
	t := v[11:]
	if t[2] != ':' || t[5] != ':' {
		return false
	}
	for i, c := range t {
		if i == 2 || i == 5 || (i == 8 && c == '.') {
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// InferColumns reads a CSV with a header row and infers a column type for
// each column from its values, since figures and charts come with no
// metadata: integers (bigint), decimals (numeric with the widest scale
// seen, plus headroom), dates, datetimes, else text. Empty values are NULL
// and do not count. It returns the columns and the number of data rows.
func InferColumns(r io.Reader) ([]schema.Column, int64, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("infer column types: empty CSV, no header row")
		}
		return nil, 0, fmt.Errorf("infer column types: %w", err)
	}
	names := append([]string(nil), header...)
	ins := make([]*inference, len(names))
	for i := range ins {
		ins[i] = newInference()
	}
	var rows int64
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("infer column types: %w", err)
		}
		rows++
		for i, v := range rec {
			ins[i].add(v)
		}
	}
	cols := make([]schema.Column, len(names))
	for i, in := range ins {
		cols[i] = in.column(i+1, names[i])
	}
	return cols, rows, nil
}
