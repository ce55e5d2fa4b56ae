package load

import (
	"encoding/binary"
	"math/bits"
)

// PostgreSQL's binary numeric: int16 ndigits, int16 weight, uint16 sign,
// int16 dscale, then ndigits base-10000 digits, most significant first. The
// value is sum(digit[k] * 10000^(weight-k)); dscale is the number of decimal
// digits shown after the point.
const (
	numericPos      = 0x0000
	numericNeg      = 0x4000
	numericMaxScale = 0x3FFF // NUMERIC_DSCALE_MAX
	numericMaxGroup = 32767  // weight is an int16
)

var pow10u = [...]uint64{1, 10, 100, 1000, 10000}

// appendNumericU64 appends the binary numeric of ±v × 10^-scale with display
// scale dscale (scale ≥ 0).
func appendNumericU64(b []byte, neg bool, v uint64, scale, dscale int32) []byte {
	var g [8]uint16 // 20 digits → 5 groups, plus one partial group
	n := 0
	if r := scale & 3; r != 0 {
		g[0] = uint16(v % pow10u[r] * pow10u[4-r])
		v /= pow10u[r]
		n = 1
	}
	for v != 0 {
		g[n] = uint16(v % 10000)
		v /= 10000
		n++
	}
	return appendNumericGroups(b, neg, g[:n], (scale+3)/4, dscale)
}

// appendNumericWords appends the binary numeric of ±m × 10^-scale, where m
// is an unsigned little-endian multi-word magnitude (it is overwritten).
func appendNumericWords(b []byte, neg bool, m []uint64, scale, dscale int32) []byte {
	for len(m) > 0 && m[len(m)-1] == 0 {
		m = m[:len(m)-1]
	}
	if len(m) <= 1 {
		var v uint64
		if len(m) == 1 {
			v = m[0]
		}
		return appendNumericU64(b, neg, v, scale, dscale)
	}
	var g [24]uint16 // 78 digits → 20 groups, plus one partial group
	n := 0
	if r := scale & 3; r != 0 {
		g[0] = uint16(divWords(m, pow10u[r]) * pow10u[4-r])
		n = 1
	}
	for len(m) > 0 {
		g[n] = uint16(divWords(m, 10000))
		n++
		for len(m) > 0 && m[len(m)-1] == 0 {
			m = m[:len(m)-1]
		}
	}
	return appendNumericGroups(b, neg, g[:n], (scale+3)/4, dscale)
}

// divWords divides the little-endian magnitude m by d in place and returns
// the remainder.
func divWords(m []uint64, d uint64) uint64 {
	var rem uint64
	for i := len(m) - 1; i >= 0; i-- {
		m[i], rem = bits.Div64(rem, m[i], d)
	}
	return rem
}

// appendNumericGroups writes a numeric from base-10000 groups given least
// significant first, fracGroups of them after the decimal point. Zero
// groups at both ends are dropped, as PostgreSQL stores them.
func appendNumericGroups(b []byte, neg bool, g []uint16, fracGroups, dscale int32) []byte {
	lo, hi := 0, len(g)
	for lo < hi && g[lo] == 0 {
		lo++
	}
	for hi > lo && g[hi-1] == 0 {
		hi--
	}
	nd := hi - lo
	var weight int32
	sign := uint16(numericPos)
	if nd > 0 {
		weight = int32(hi-1) - fracGroups
		if neg {
			sign = numericNeg
		}
	}
	b = binary.BigEndian.AppendUint32(b, uint32(8+2*nd))
	b = binary.BigEndian.AppendUint16(b, uint16(nd))
	b = binary.BigEndian.AppendUint16(b, uint16(int16(weight)))
	b = binary.BigEndian.AppendUint16(b, sign)
	b = binary.BigEndian.AppendUint16(b, uint16(dscale))
	for k := hi - 1; k >= lo; k-- {
		b = binary.BigEndian.AppendUint16(b, g[k])
	}
	return b
}

// appendNumericText appends the binary numeric of a canonical decimal text:
// an optional '-', digits, and optionally '.' and more digits (no '+', no
// exponent, at least one digit). scratch is reused between calls. ok is
// false, and b unchanged, when s is not such a text or is out of
// PostgreSQL's numeric range.
func appendNumericText(b []byte, s string, scratch *[]uint16) (_ []byte, ok bool) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
			break
		}
	}
	if len(intPart)+len(frac) == 0 || !allDigits(intPart) || !allDigits(frac) || len(frac) > numericMaxScale {
		return b, false
	}
	for len(intPart) > 0 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	intGroups := (len(intPart) + 3) / 4
	fracGroups := (len(frac) + 3) / 4
	if intGroups > numericMaxGroup {
		return b, false
	}
	// Groups least significant first, as appendNumericGroups wants them.
	g := (*scratch)[:0]
	for end := len(frac); end > 0; {
		start := (fracGroups - len(g) - 1) * 4
		g = append(g, uint16(digitsValue(frac[start:min(start+4, end)], 4)))
		end = start
	}
	for end := len(intPart); end > 0; end -= 4 {
		start := max(end-4, 0)
		g = append(g, uint16(digitsValue(intPart[start:end], 0)))
	}
	*scratch = g
	return appendNumericGroups(b, neg, g, int32(fracGroups), int32(len(frac))), true
}

// digitsValue returns the value of up to four decimal digits; with width 4
// the digits are the leading ones of a 4-digit group (fraction groups are
// padded with zeros on the right).
func digitsValue(s string, width int) uint32 {
	var v uint32
	for i := 0; i < len(s); i++ {
		v = v*10 + uint32(s[i]-'0')
	}
	for k := len(s); k < width; k++ {
		v *= 10
	}
	return v
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
