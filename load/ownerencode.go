package load

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// oidBpchar is PostgreSQL's char(n).
const oidBpchar = 1042

// A column whose type the owner chose (see ownerTypes) is written in that
// type, each value checked to fit it: a value that does not (a string
// longer than a varchar(n), a decimal with more digits than a
// numeric(p,s), a 2 for a boolean) fails the load as an [ErrBadValue]
// naming its line and column, where the server would cut, round or refuse
// it naming nothing.

// newOwnerEncoder returns the encoder writing Arrow array a into column c,
// whose type (c.OID, c.Typmod) the owner chose; a value that does not fit
// is recorded in fe as column col's.
func newOwnerEncoder(a arrow.Array, c copyColumn, fe *fieldError, col int) (colEncoder, error) {
	enc, err := ownerValueEncoder(a, c, fe, col)
	if err != nil {
		return nil, err
	}
	if check := fitCheck(a, c); check != nil {
		inner := enc
		enc = func(dst []byte, i int) []byte {
			if detail := check(i); detail != "" {
				fe.set(col, detail)
				return dst
			}
			return inner(dst, i)
		}
	}
	return withNulls(a, enc), nil
}

// ownerValueEncoder is valueEncoder with the pairs only an owner's type
// meets: integers and strings into boolean, integers into narrower
// integers and into text, strings into char(n).
func ownerValueEncoder(a arrow.Array, c copyColumn, fe *fieldError, col int) (colEncoder, error) {
	switch c.OID {
	case oidBool:
		switch arr := a.(type) {
		case *array.Int16, *array.Int32, *array.Int64:
			ints := intValues(a)
			return func(dst []byte, i int) []byte {
				switch v := ints(i); v {
				case 0, 1:
					return append(dst, 0, 0, 0, 1, byte(v))
				default:
					fe.set(col, fmt.Sprintf("value %d is not a boolean (0 or 1)", v))
					return dst
				}
			}, nil
		case *array.String:
			return func(dst []byte, i int) []byte {
				v, ok := parseBool(arr.Value(i))
				if !ok {
					fe.set(col, fmt.Sprintf("value %.60q is not a boolean", arr.Value(i)))
					return dst
				}
				b := byte(0)
				if v {
					b = 1
				}
				return append(dst, 0, 0, 0, 1, b)
			}, nil
		}
	case oidInt2, oidInt4:
		if ints := intValues(a); ints != nil {
			lo, hi, width := int64(math.MinInt16), int64(math.MaxInt16), byte(2)
			if c.OID == oidInt4 {
				lo, hi, width = math.MinInt32, math.MaxInt32, 4
			}
			return func(dst []byte, i int) []byte {
				v := ints(i)
				if v < lo || v > hi {
					fe.set(col, fmt.Sprintf("value %d is out of the column's range (%d to %d)", v, lo, hi))
					return dst
				}
				if width == 2 {
					dst = append(dst, 0, 0, 0, 2)
					return binary.BigEndian.AppendUint16(dst, uint16(v))
				}
				dst = append(dst, 0, 0, 0, 4)
				return binary.BigEndian.AppendUint32(dst, uint32(v))
			}, nil
		}
	case oidText, oidVarchar, oidBpchar:
		if ints := intValues(a); ints != nil {
			return func(dst []byte, i int) []byte {
				at := len(dst)
				dst = strconv.AppendInt(append(dst, 0, 0, 0, 0), ints(i), 10)
				binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
				return dst
			}, nil
		}
		if arr, ok := a.(*array.String); ok && c.OID == oidBpchar {
			return stringEncoder(arr, oidText, fe, col, nil) // the server pads it
		}
	}
	return valueEncoder(a, c.OID, c.NumericScale, fe, col)
}

// intValues returns the accessor of an Arrow integer array's values as
// int64, nil for another array.
func intValues(a arrow.Array) func(i int) int64 {
	switch arr := a.(type) {
	case *array.Int16:
		v := arr.Int16Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Int32:
		v := arr.Int32Values()
		return func(i int) int64 { return int64(v[i]) }
	case *array.Int64:
		v := arr.Int64Values()
		return func(i int) int64 { return v[i] }
	}
	return nil
}

// parseBool reads the spellings of a boolean PostgreSQL and MySQL exports
// use.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "1", "y", "yes", "on":
		return true, true
	case "f", "false", "0", "n", "no", "off":
		return false, true
	}
	return false, false
}

// fitCheck returns the check of row i's value against a typmod of c
// (varchar(n), char(n), numeric(p,s)): what is wrong, "" when it fits.
// nil when there is nothing to check.
func fitCheck(a arrow.Array, c copyColumn) func(i int) string {
	switch c.OID {
	case oidVarchar, oidBpchar:
		if c.Typmod < 4 {
			return nil
		}
		n := int(c.Typmod - 4)
		text := valueText(a)
		if text == nil {
			return nil
		}
		what := fmt.Sprintf("character varying(%d)", n)
		if c.OID == oidBpchar {
			what = fmt.Sprintf("character(%d)", n)
		}
		return func(i int) string {
			s := text(i)
			if len(s) <= n {
				return "" // no more characters than bytes
			}
			if c.OID == oidBpchar {
				s = strings.TrimRight(s, " ") // char(n) pads with spaces anyway
			}
			if l := utf8.RuneCountInString(s); l > n {
				return fmt.Sprintf("value %.60q (%d characters) is longer than the column's %s", s, l, what)
			}
			return ""
		}
	case oidNumeric:
		p, s, ok := numericTypmod(c.Typmod)
		text := valueText(a)
		if !ok || text == nil {
			return nil
		}
		limit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p-s)), nil))
		unit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
		return func(i int) string {
			if fits, plain := plainDecimalFits(text(i), p, s); plain {
				if fits {
					return ""
				}
				return fmt.Sprintf("value %s does not fit the column's numeric(%d,%d) (%d digits, %d after the point)", text(i), p, s, p, s)
			}
			v, ok := new(big.Rat).SetString(text(i))
			if !ok {
				return "" // the encoder says what is wrong
			}
			scaled := new(big.Rat).Mul(v, unit)
			if !scaled.IsInt() || new(big.Rat).Abs(v).Cmp(limit) >= 0 {
				return fmt.Sprintf("value %s does not fit the column's numeric(%d,%d) (%d digits, %d after the point)", text(i), p, s, p, s)
			}
			return ""
		}
	}
	return nil
}

// plainDecimalFits is fitCheck's numeric(p,s) check without big.Rat for
// the common text, -?[0-9]+(\.[0-9]+)? with 0 <= s <= p: it fits when its
// integer digits (leading zeros aside) are at most p-s and its fraction
// digits (trailing zeros aside) at most s. plain is false for any other
// text or typmod, which big.Rat checks.
func plainDecimalFits(t string, p, s int32) (fits, plain bool) {
	if s < 0 || s > p {
		return false, false
	}
	if len(t) > 0 && t[0] == '-' {
		t = t[1:]
	}
	intPart, frac := t, ""
	if dot := strings.IndexByte(t, '.'); dot >= 0 {
		intPart, frac = t[:dot], t[dot+1:]
		if frac == "" {
			return false, false
		}
	}
	if intPart == "" || !allDigits(intPart) || !allDigits(frac) {
		return false, false
	}
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	return len(intPart) <= int(p-s) && len(frac) <= int(s), true
}

// valueText returns the accessor of row i's value as text for the arrays
// fitCheck reads, nil for another array.
func valueText(a arrow.Array) func(i int) string {
	switch arr := a.(type) {
	case *array.String:
		return arr.Value
	case *array.Decimal128:
		scale := arr.DataType().(*arrow.Decimal128Type).Scale
		return func(i int) string { return arr.Value(i).ToString(scale) }
	case *array.Decimal256:
		scale := arr.DataType().(*arrow.Decimal256Type).Scale
		return func(i int) string { return arr.Value(i).ToString(scale) }
	}
	if ints := intValues(a); ints != nil {
		return func(i int) string { return strconv.FormatInt(ints(i), 10) }
	}
	return nil
}
