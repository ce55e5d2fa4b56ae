package load

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// PostgreSQL type OIDs the encoder writes.
const (
	oidBool        = 16
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidVarchar     = 1043
	oidDate        = 1082
	oidTime        = 1083
	oidInterval    = 1186
	oidTimestamp   = 1114
	oidTimestampTZ = 1184
	oidNumeric     = 1700
	oidJSONB       = 3802
)

// Offsets between the Unix epoch (Arrow) and PostgreSQL's epoch, 2000-01-01.
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
)

// nullField is a NULL in binary COPY: a field length of -1.
var nullField = [4]byte{0xff, 0xff, 0xff, 0xff}

// colEncoder appends row i of one column as a binary COPY field (length
// and bytes) to dst. Encoders are built once per batch and capture the typed
// Arrow array, so the hot path has no interface boxing.
type colEncoder func(dst []byte, i int) []byte

// fieldError records the first value an encoder could not write (an
// [ErrBadValue]); encoders return dst unchanged after setting it.
type fieldError struct {
	bad    bool
	col    int    // the column's index in the COPY's column list
	detail string // what is wrong with the value
}

// set records a bad value of column col, unless one is recorded already.
func (fe *fieldError) set(col int, detail string) {
	if !fe.bad {
		fe.bad, fe.col, fe.detail = true, col, detail
	}
}

// newColEncoder returns the encoder writing Arrow array a into a column of
// PostgreSQL type oid (see [compatible] for the pairs that can occur).
// numericScale is the target numeric column's scale when oid is numeric
// (the display scale written), or -1 to use the source's scale. A value it
// cannot write is recorded in fe as column col's.
func newColEncoder(a arrow.Array, oid uint32, numericScale int32, fe *fieldError, col int) (colEncoder, error) {
	enc, err := valueEncoder(a, oid, numericScale, fe, col)
	if err != nil {
		return nil, err
	}
	return withNulls(a, enc), nil
}

// withNulls wraps enc, which writes a value, to write a's NULLs too.
func withNulls(a arrow.Array, enc colEncoder) colEncoder {
	if a.NullN() == 0 {
		return enc
	}
	return func(dst []byte, i int) []byte {
		if a.IsNull(i) {
			return append(dst, nullField[:]...)
		}
		return enc(dst, i)
	}
}

// valueEncoder is newColEncoder without the NULL check: one complete switch
// over the Arrow type, then the target type.
func valueEncoder(a arrow.Array, oid uint32, numericScale int32, fe *fieldError, col int) (colEncoder, error) {
	bad := func() (colEncoder, error) {
		return nil, fmt.Errorf("%w: Arrow %s into PostgreSQL type oid %d", ErrUnsupportedType, a.DataType(), oid)
	}
	switch arr := a.(type) {
	case *array.Boolean:
		if oid != oidBool {
			return bad()
		}
		return func(dst []byte, i int) []byte {
			v := byte(0)
			if arr.Value(i) {
				v = 1
			}
			return append(dst, 0, 0, 0, 1, v)
		}, nil
	case *array.Int16:
		return intEncoder(arr.Int16Values(), oid, numericScale, bad)
	case *array.Int32:
		return intEncoder(arr.Int32Values(), oid, numericScale, bad)
	case *array.Int64:
		return intEncoder(arr.Int64Values(), oid, numericScale, bad)
	case *array.Float32:
		vals := arr.Float32Values()
		switch oid {
		case oidFloat4:
			return func(dst []byte, i int) []byte {
				dst = append(dst, 0, 0, 0, 4)
				return binary.BigEndian.AppendUint32(dst, math.Float32bits(vals[i]))
			}, nil
		case oidFloat8:
			return func(dst []byte, i int) []byte {
				dst = append(dst, 0, 0, 0, 8)
				return binary.BigEndian.AppendUint64(dst, math.Float64bits(float64(vals[i])))
			}, nil
		}
		return bad()
	case *array.Float64:
		if oid != oidFloat8 {
			return bad()
		}
		vals := arr.Float64Values()
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 8)
			return binary.BigEndian.AppendUint64(dst, math.Float64bits(vals[i]))
		}, nil
	case *array.String:
		return stringEncoder(arr, oid, fe, col, bad)
	case *array.Decimal128:
		if oid != oidNumeric {
			return bad()
		}
		scale := arr.DataType().(*arrow.Decimal128Type).Scale
		dscale := displayScale(scale, numericScale)
		if scale < 0 {
			return bad()
		}
		vals := arr.Values()
		return func(dst []byte, i int) []byte {
			hi, lo := vals[i].HighBits(), vals[i].LowBits()
			neg := hi < 0
			if neg {
				lo = ^lo + 1
				hi = ^hi
				if lo == 0 {
					hi++
				}
			}
			if hi == 0 {
				return appendNumericU64(dst, neg, lo, scale, dscale)
			}
			m := [2]uint64{lo, uint64(hi)}
			return appendNumericWords(dst, neg, m[:], scale, dscale)
		}, nil
	case *array.Decimal256:
		if oid != oidNumeric {
			return bad()
		}
		scale := arr.DataType().(*arrow.Decimal256Type).Scale
		dscale := displayScale(scale, numericScale)
		if scale < 0 {
			return bad()
		}
		vals := arr.Values()
		return func(dst []byte, i int) []byte {
			m := vals[i].Array()
			neg := int64(m[3]) < 0
			if neg {
				carry := uint64(1)
				for k := range m {
					m[k] = ^m[k] + carry
					if m[k] != 0 {
						carry = 0
					}
				}
			}
			return appendNumericWords(dst, neg, m[:], scale, dscale)
		}, nil
	case *array.Date32:
		if oid != oidDate {
			return bad()
		}
		vals := arr.Date32Values()
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 4)
			d := int32(vals[i])
			if d != math.MinInt32 { // else -infinity, PostgreSQL's minimum too
				d -= pgEpochDays
			}
			return binary.BigEndian.AppendUint32(dst, uint32(d))
		}, nil
	case *array.Time64:
		if oid != oidTime || arr.DataType().(*arrow.Time64Type).Unit != arrow.Microsecond {
			return bad()
		}
		vals := arr.Time64Values()
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 8)
			return binary.BigEndian.AppendUint64(dst, uint64(vals[i]))
		}, nil
	case *array.Duration:
		if oid != oidInterval || arr.DataType().(*arrow.DurationType).Unit != arrow.Microsecond {
			return bad()
		}
		vals := arr.DurationValues()
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 16) // microseconds, days, months
			dst = binary.BigEndian.AppendUint64(dst, uint64(vals[i]))
			return append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
		}, nil
	case *array.Timestamp:
		if (oid != oidTimestamp && oid != oidTimestampTZ) || arr.DataType().(*arrow.TimestampType).Unit != arrow.Microsecond {
			return bad()
		}
		vals := arr.TimestampValues()
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 8)
			ts := int64(vals[i])
			if ts != math.MinInt64 { // else -infinity, PostgreSQL's minimum too
				ts -= pgEpochMicros
			}
			return binary.BigEndian.AppendUint64(dst, uint64(ts))
		}, nil
	default:
		return bad()
	}
}

// displayScale is the dscale written for a decimal of scale s into a
// numeric column of scale target (-1: unconstrained, keep s).
func displayScale(s, target int32) int32 {
	if target > s {
		return target
	}
	return s
}

// intEncoder writes Arrow integers into int2, int4, int8 or numeric
// columns; the caller has checked the target is at least as wide.
func intEncoder[T int16 | int32 | int64](vals []T, oid uint32, numericScale int32, bad func() (colEncoder, error)) (colEncoder, error) {
	var width int
	switch any(vals).(type) {
	case []int16:
		width = 2
	case []int32:
		width = 4
	default:
		width = 8
	}
	switch {
	case oid == oidInt2 && width <= 2:
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 2)
			return binary.BigEndian.AppendUint16(dst, uint16(vals[i]))
		}, nil
	case oid == oidInt4 && width <= 4:
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 4)
			return binary.BigEndian.AppendUint32(dst, uint32(vals[i]))
		}, nil
	case oid == oidInt8:
		return func(dst []byte, i int) []byte {
			dst = append(dst, 0, 0, 0, 8)
			return binary.BigEndian.AppendUint64(dst, uint64(vals[i]))
		}, nil
	case oid == oidNumeric:
		dscale := max(numericScale, 0)
		return func(dst []byte, i int) []byte {
			v := int64(vals[i])
			if v < 0 {
				return appendNumericU64(dst, true, uint64(-v), 0, dscale) // -MinInt64 wraps to its magnitude
			}
			return appendNumericU64(dst, false, uint64(v), 0, dscale)
		}, nil
	}
	return bad()
}

// stringEncoder writes Arrow strings: as is into text-like columns, with
// jsonb's version byte into jsonb, and as a binary numeric when the string
// holds canonical decimal text.
func stringEncoder(arr *array.String, oid uint32, fe *fieldError, col int, bad func() (colEncoder, error)) (colEncoder, error) {
	// The offsets and bytes are read directly: String.Value re-checks the
	// index on every call.
	offs := arr.ValueOffsets()
	data := arr.ValueBytes()
	base := int32(0)
	if len(offs) > 0 {
		base = offs[0]
	}
	value := func(i int) []byte { return data[offs[i]-base : offs[i+1]-base] }
	switch oid {
	case oidText, oidVarchar, oidJSON:
		return func(dst []byte, i int) []byte {
			v := value(i)
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
			return append(dst, v...)
		}, nil
	case oidJSONB:
		return func(dst []byte, i int) []byte {
			v := value(i)
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)+1))
			dst = append(dst, 1)
			return append(dst, v...)
		}, nil
	case oidNumeric:
		var scratch []uint16
		return func(dst []byte, i int) []byte {
			s := arr.Value(i)
			out, ok := appendNumericText(dst, s, &scratch)
			if !ok {
				fe.set(col, fmt.Sprintf("value %.60q is not a decimal PostgreSQL can store", s))
			}
			return out
		}, nil
	}
	return bad()
}
