package magentogen

import (
	"math"
	"math/bits"
	"strconv"
)

// pow10 holds 10^0 .. 10^18.
var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// appendDecimal appends units / 10^scale as a plain decimal with exactly scale
// fractional digits, e.g. (-125000, 4) → "-12.5000".
func appendDecimal(dst []byte, units int64, scale int) []byte {
	if units < 0 {
		dst = append(dst, '-')
		units = -units
	}
	p := pow10[scale]
	dst = strconv.AppendInt(dst, units/p, 10)
	if scale == 0 {
		return dst
	}
	// The digits of p+frac are "1" and the zero-padded fraction; the "1"
	// becomes the decimal point.
	n := len(dst)
	dst = strconv.AppendInt(dst, p+units%p, 10)
	dst[n] = '.'
	return dst
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's civil_from_days). days may be negative back to the
// year 0.
func civil(days int64) (year, month, day int64) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	year = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		month = mp + 3
	} else {
		month = mp - 9
	}
	if month <= 2 {
		year++
	}
	return year, month, day
}

func append2(dst []byte, v int64) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendDate appends days since the epoch as YYYY-MM-DD.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	dst = append2(dst, y/100)
	dst = append2(dst, y%100)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

// appendDatetime appends seconds since the epoch as YYYY-MM-DD HH:MM:SS.
func appendDatetime(dst []byte, sec int64) []byte {
	dst = appendDate(dst, sec/86400)
	s := sec % 86400
	dst = append(dst, ' ')
	dst = append2(dst, s/3600)
	dst = append(dst, ':')
	dst = append2(dst, s/60%60)
	dst = append(dst, ':')
	return append2(dst, s%60)
}

// appendMicros appends a fractional-second part ".ffffff".
func appendMicros(dst []byte, us int64) []byte {
	dst = append(dst, '.')
	for d := int64(100000); d > 0; d /= 10 {
		dst = append(dst, byte('0'+us/d%10))
	}
	return dst
}

// isqrt returns floor(sqrt(x)), exactly, on every platform.
func isqrt(x uint64) uint64 {
	r := uint64(math.Sqrt(float64(x)))
	for r > 0 && mulOverflowsOrExceeds(r, x) {
		r--
	}
	for r < math.MaxUint32 && !mulOverflowsOrExceeds(r+1, x) {
		r++
	}
	return r
}

// mulOverflowsOrExceeds reports whether r*r > x.
func mulOverflowsOrExceeds(r, x uint64) bool {
	hi, lo := bits.Mul64(r, r)
	return hi != 0 || lo > x
}

// scaleFrac returns floor(a*b/c) without overflow; c must be positive and the
// result must fit in 64 bits (a ≤ c guarantees it).
func scaleFrac(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c)
	return q
}
