package transform

import (
	"bytes"
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/mbiload/mbiload/schema"
)

var (
	errInvalidUTF8 = &valueError{ErrInvalidUTF8, "is not valid UTF-8"}
	errNUL         = &valueError{ErrBadValue, "holds a NUL byte, which PostgreSQL text cannot store"}
	errNull        = &valueError{ErrNotNull, "is NULL in a NOT NULL column"}
)

// converter appends CSV fields to columns, parsing them by type.
type converter struct {
	emptyNull  bool // NULL is an unquoted empty field (NullString "")
	nullString string
	zeroDates  string
	zone       *zoneResolver // for timestamptz columns
	line       int64         // the line of the record being converted, for notes
	num        []byte        // scratch for numeric text
}

// isNull reports whether an unquoted field is the NULL marker.
func (cv *converter) isNull(v []byte) bool {
	if cv.emptyNull {
		return len(v) == 0
	}
	return string(v) == cv.nullString
}

// appendField parses f into c, appending exactly one value on success and
// nothing on error.
func (cv *converter) appendField(c *column, v []byte, quoted bool) error {
	if !quoted && cv.isNull(v) {
		if c.notNull {
			return errNull
		}
		c.appendNull()
		return nil
	}
	switch c.typ.Kind {
	case schema.KindText:
		if err := checkText(v); err != nil {
			return err
		}
		c.appendBytes(v)
	case schema.KindInt64:
		n, err := parseInt64(v)
		if err != nil {
			return err
		}
		c.appendInt64(n)
	case schema.KindInt32:
		n, err := parseInt32(v)
		if err != nil {
			return err
		}
		c.appendInt32(n)
	case schema.KindInt16:
		n, err := parseInt16(v)
		if err != nil {
			return err
		}
		c.appendInt16(n)
	case schema.KindNumeric:
		return cv.appendNumeric(c, v)
	case schema.KindTimestamp, schema.KindTimestampTZ:
		days, us, zero, err := parseDatetime(v)
		if err != nil {
			return err
		}
		if zero {
			return cv.appendZeroDate(c)
		}
		if c.typ.Kind == schema.KindTimestampTZ {
			sec := cv.zone.utc(days*86400 + us/usPerSecond)
			c.appendInt64(sec*usPerSecond + us%usPerSecond)
		} else {
			c.appendInt64(days*usPerDay + us)
		}
	case schema.KindDate:
		days, zero, err := parseDate(v)
		if err != nil {
			return err
		}
		if zero {
			return cv.appendZeroDate(c)
		}
		c.appendInt32(int32(days))
	case schema.KindBool:
		b, err := parseBool(v)
		if err == errOtherInt {
			c.notes.add(noteOtherInt, cv.line)
		} else if err != nil {
			return err
		}
		c.appendBool(b)
	case schema.KindFloat64:
		x, err := parseFloat(v, 64)
		if err != nil {
			return err
		}
		c.appendFloat64(x)
	case schema.KindFloat32:
		x, err := parseFloat(v, 32)
		if err != nil {
			return err
		}
		c.appendFloat32(float32(x))
	case schema.KindTime:
		us, err := parseTime(v)
		if err != nil {
			return err
		}
		c.appendInt64(us)
	case schema.KindInterval:
		us, err := parseDuration(v)
		if err != nil {
			return err
		}
		c.appendInt64(us)
	case schema.KindJSON:
		if err := checkJSON(v); err != nil {
			return err
		}
		c.appendBytes(v)
	default:
		return badValue("has unsupported type %v", c.typ.Kind)
	}
	return nil
}

// appendZeroDate appends a MySQL zero date: an error under ZeroDatesError,
// else NULL, or -infinity in a NOT NULL column, where NULL cannot go (the
// minimum of the Arrow type stands for -infinity, see [schema.Type.Arrow]).
func (cv *converter) appendZeroDate(c *column) error {
	if cv.zeroDates == ZeroDatesError {
		return errZeroDate
	}
	if !c.notNull {
		c.notes.add(noteZeroNull, cv.line)
		c.appendNull()
		return nil
	}
	c.notes.add(noteZeroInfinity, cv.line)
	if c.typ.Kind == schema.KindDate {
		c.appendInt32(math.MinInt32)
	} else {
		c.appendInt64(math.MinInt64)
	}
	return nil
}

// appendNumeric parses an exact decimal into a Decimal128/256 column, or
// into canonical text for numeric without a precision or wider than 76.
func (cv *converter) appendNumeric(c *column, v []byte) error {
	p, s := int(c.typ.Precision), int(c.typ.Scale)
	if !c.varlen {
		if u, ok := fastDecimal(v, p, s); ok {
			c.appendDecimal(u)
			return nil
		}
	}
	d, ok := splitDecimal(v)
	if !ok {
		return errNotNumber
	}
	if c.varlen {
		if p == 0 {
			s = -1
		}
		var err error
		cv.num, err = d.appendCanonical(cv.num[:0], p, s)
		if err != nil {
			return err
		}
		c.appendBytes(cv.num)
		return nil
	}
	x, err := d.toFixed(p, s)
	if err != nil {
		return err
	}
	c.appendWords(x[:c.width/8])
	return nil
}

// checkText refuses invalid UTF-8 and NUL bytes. ASCII without NULs, the
// common case, is checked eight bytes at a time in one pass.
func checkText(v []byte) error {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		w := binary.LittleEndian.Uint64(v[i:])
		if w&hiBits != 0 || (w-loBits)&^w&hiBits != 0 {
			return checkTextSlow(v)
		}
	}
	for ; i < len(v); i++ {
		if c := v[i]; c == 0 || c >= utf8.RuneSelf {
			return checkTextSlow(v)
		}
	}
	return nil
}

const (
	loBits = 0x0101010101010101
	hiBits = 0x8080808080808080
)

func checkTextSlow(v []byte) error {
	if !utf8.Valid(v) {
		return errInvalidUTF8
	}
	if bytes.IndexByte(v, 0) >= 0 {
		return errNUL
	}
	return nil
}
