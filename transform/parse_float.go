package transform

import (
	"strconv"
	"unsafe"
)

var (
	errNotFloat   = &valueError{ErrBadValue, "is not a floating-point number"}
	errRangeFloat = &valueError{ErrBadValue, "is out of range for the floating-point type"}
)

// parseFloat reads a decimal floating-point number as PostgreSQL's real and
// double precision accept it: digits with an optional sign, decimal point
// and exponent, or NaN, Infinity and inf (any case, infinities signed). Hex
// floats, digit separators and spaces are refused; so are values that
// overflow the type.
func parseFloat(v []byte, bitSize int) (float64, error) {
	if len(v) == 0 {
		return 0, errNotFloat
	}
	for _, c := range v {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			if !floatWord(v) {
				return 0, errNotFloat
			}
			break
		}
	}
	// The string does not outlive the call: on error strconv's message (which
	// would hold it) is dropped.
	f, err := strconv.ParseFloat(unsafe.String(&v[0], len(v)), bitSize)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, errRangeFloat
		}
		return 0, errNotFloat
	}
	if f == 0 && nonzeroMantissa(v) {
		return 0, errRangeFloat // underflow, which PostgreSQL refuses too
	}
	return f, nil
}

// nonzeroMantissa reports a nonzero digit before any exponent.
func nonzeroMantissa(v []byte) bool {
	for _, c := range v {
		switch {
		case c == 'e' || c == 'E':
			return false
		case c >= '1' && c <= '9':
			return true
		}
	}
	return false
}

// floatWord reports the special spellings: [+-]inf, [+-]infinity, nan.
func floatWord(v []byte) bool {
	w := v
	if w[0] == '+' || w[0] == '-' {
		w = w[1:]
	}
	var low [8]byte
	if len(w) > len(low) {
		return false
	}
	for i, c := range w {
		low[i] = c | 0x20
	}
	switch string(low[:len(w)]) {
	case "inf", "infinity":
		return true
	case "nan":
		return len(w) == len(v)
	}
	return false
}
