package transform

import (
	"errors"
	"math"
)

// Static reasons for the hot paths (no allocation per bad value).
var (
	errNotInteger = &valueError{ErrBadValue, "is not an integer"}
	errRange16    = &valueError{ErrBadValue, "is out of range for smallint"}
	errRange32    = &valueError{ErrBadValue, "is out of range for integer"}
	errRange64    = &valueError{ErrBadValue, "is out of range for bigint"}
	errNotBool    = &valueError{ErrBadValue, "is not a boolean (want an integer, t, f, true or false)"}
)

// parseInt reads an optionally signed ('+' or '-') decimal integer and
// checks it against [lo, hi]. Leading zeros are allowed; spaces, decimal
// points and exponents are not.
func parseInt(v []byte, lo, hi int64, errRange error) (int64, error) {
	i := 0
	neg := false
	if len(v) > 0 && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		i = 1
	}
	if i == len(v) {
		return 0, errNotInteger
	}
	for i < len(v)-1 && v[i] == '0' {
		i++
	}
	digits := v[i:]
	var u uint64
	for _, c := range digits {
		d := c - '0'
		if d > 9 {
			return 0, errNotInteger
		}
		u = u*10 + uint64(d)
	}
	if len(digits) > 19 {
		return 0, errRange
	}
	if neg {
		if u > uint64(-(lo+1))+1 {
			return 0, errRange
		}
		return -int64(u), nil
	}
	if u > uint64(hi) {
		return 0, errRange
	}
	return int64(u), nil
}

func parseInt16(v []byte) (int16, error) {
	n, err := parseInt(v, math.MinInt16, math.MaxInt16, errRange16)
	return int16(n), err
}

func parseInt32(v []byte) (int32, error) {
	n, err := parseInt(v, math.MinInt32, math.MaxInt32, errRange32)
	return int32(n), err
}

func parseInt64(v []byte) (int64, error) {
	return parseInt(v, math.MinInt64, math.MaxInt64, errRange64)
}

// parseBool accepts t, f, true and false in any case and integers: 0 is
// false, any other (1, 2, -1, as a MySQL tinyint(1) may hold) true.
// (PostgreSQL's yes/no/on/off are not accepted: the source is MySQL's
// tinyint(1).)
func parseBool(v []byte) (bool, error) {
	switch len(v) {
	case 1:
		switch v[0] {
		case '0', 'f', 'F':
			return false, nil
		case '1', 't', 'T':
			return true, nil
		}
	case 4:
		if v[0]|0x20 == 't' && v[1]|0x20 == 'r' && v[2]|0x20 == 'u' && v[3]|0x20 == 'e' {
			return true, nil
		}
	case 5:
		if v[0]|0x20 == 'f' && v[1]|0x20 == 'a' && v[2]|0x20 == 'l' && v[3]|0x20 == 's' && v[4]|0x20 == 'e' {
			return false, nil
		}
	}
	// MySQL's boolean is tinyint(1), which holds any tinyint; like MySQL in
	// a condition, any other integer is true unless zero.
	if n, err := parseInt64(v); err == nil {
		return n != 0, errOtherInt
	}
	return false, errNotBool
}

// errOtherInt is parseBool's report of an integer other than 0 and 1: the
// value is good, and counted (see [Decoder.Notes]).
var errOtherInt = errors.New("transform: an integer other than 0 and 1 read as a boolean")
