package transform

import (
	"fmt"
	"math/bits"
)

var (
	errNotNumber    = &valueError{ErrBadValue, "is not a number"}
	errNumericRange = &valueError{ErrBadValue, "is out of range for numeric"}
)

// PostgreSQL's limits for numeric: digits before and after the point.
const (
	pgMaxIntDigits  = 131072
	pgMaxFracDigits = 16383
	maxExponent     = 1000 // PostgreSQL refuses larger exponents too
)

// decimalText is a number as written: sign, digit runs before and after the
// point, and the exponent.
type decimalText struct {
	neg        bool
	intd, frac []byte
	exp        int
}

// numDigits is the number of mantissa digits.
func (d *decimalText) numDigits() int { return len(d.intd) + len(d.frac) }

// digit returns mantissa digit k (0-based, most significant first).
func (d *decimalText) digit(k int) byte {
	if k < len(d.intd) {
		return d.intd[k] - '0'
	}
	return d.frac[k-len(d.intd)] - '0'
}

// point is the position of the decimal point among the mantissa digits
// once the exponent is applied.
func (d *decimalText) point() int { return len(d.intd) + d.exp }

// splitDecimal reads [+-]digits[.digits][e[+-]digits] (at least one mantissa
// digit; ".5" and "5." are fine). NaN and infinities are not numbers here.
func splitDecimal(v []byte) (decimalText, bool) {
	var d decimalText
	i := 0
	if len(v) > 0 && (v[0] == '-' || v[0] == '+') {
		d.neg = v[0] == '-'
		i = 1
	}
	s := i
	for i < len(v) && v[i]-'0' <= 9 {
		i++
	}
	d.intd = v[s:i]
	if i < len(v) && v[i] == '.' {
		i++
		s = i
		for i < len(v) && v[i]-'0' <= 9 {
			i++
		}
		d.frac = v[s:i]
	}
	if len(d.intd)+len(d.frac) == 0 {
		return d, false
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		eneg := false
		if i < len(v) && (v[i] == '-' || v[i] == '+') {
			eneg = v[i] == '-'
			i++
		}
		if i == len(v) {
			return d, false
		}
		e := 0
		for ; i < len(v); i++ {
			c := v[i] - '0'
			if c > 9 {
				return d, false
			}
			if e <= maxExponent {
				e = e*10 + int(c)
			}
		}
		if e > maxExponent {
			return d, false
		}
		if eneg {
			e = -e
		}
		d.exp = e
	}
	return d, i == len(v)
}

// fixedDecimal is the unscaled integer of a decimal value at a given scale,
// as little-endian two's complement words (2 for decimal128, 4 for
// decimal256).
type fixedDecimal [4]uint64

// toFixed converts d to value×10^scale, refusing a value with more
// significant fractional digits than scale (no rounding; extra trailing
// zeros are fine) or more integer digits than precision-scale allows.
func (d *decimalText) toFixed(precision, scale int) (fixedDecimal, error) {
	var out fixedDecimal
	nd := d.numDigits()
	a := 0
	for a < nd && d.digit(a) == 0 {
		a++
	}
	if a == nd {
		return out, nil // zero
	}
	z := nd - 1
	for d.digit(z) == 0 {
		z--
	}
	point := d.point()
	if z-point+1 > scale {
		return out, badValue("has %d fractional digits, scale is %d", nd-point, scale)
	}
	if intDigits := point - a; intDigits > precision-scale {
		return out, badValue("has %d integer digits, numeric(%d,%d) allows %d", intDigits, precision, scale, precision-scale)
	}
	zeros := point - 1 - z + scale // trailing zeros to append
	total := z - a + 1 + zeros
	if total <= 19 {
		var u uint64
		for k := a; k <= z; k++ {
			u = u*10 + uint64(d.digit(k))
		}
		for ; zeros > 0; zeros-- {
			u *= 10
		}
		out[0] = u
	} else {
		for k := a; k <= z; k++ {
			out.mulAdd(uint64(d.digit(k)))
		}
		for ; zeros > 0; zeros-- {
			out.mulAdd(0)
		}
	}
	if d.neg {
		out.negate()
	}
	return out, nil
}

// mulAdd sets x to x*10 + c.
func (x *fixedDecimal) mulAdd(c uint64) {
	for i := range x {
		hi, lo := bits.Mul64(x[i], 10)
		var carry uint64
		lo, carry = bits.Add64(lo, c, 0)
		x[i] = lo
		c = hi + carry
	}
}

// negate sets x to -x in 256-bit two's complement (whose low two words are
// also the 128-bit two's complement).
func (x *fixedDecimal) negate() {
	carry := uint64(1)
	for i := range x {
		x[i], carry = bits.Add64(^x[i], carry, 0)
	}
}

// appendCanonical appends d as plain decimal text: an optional '-', the
// integer digits without leading zeros (at least one), and the fractional
// digits when there are any. With scale < 0 the fraction keeps the digits
// as written (PostgreSQL's display scale: fraction digits minus exponent);
// with scale >= 0 (a numeric(p,s) too wide for Decimal256) the fraction has
// exactly scale digits and precision and scale are checked as in toFixed.
func (d *decimalText) appendCanonical(dst []byte, precision, scale int) ([]byte, error) {
	nd := d.numDigits()
	point := d.point()
	a := 0
	for a < nd && d.digit(a) == 0 {
		a++
	}
	fracDigits := max(nd-point, 0)
	if scale >= 0 {
		z := nd - 1
		for z >= a && d.digit(z) == 0 {
			z--
		}
		if z >= a && z-point+1 > scale {
			return dst, badValue("has %d fractional digits, scale is %d", nd-point, scale)
		}
		if intDigits := point - a; a < nd && intDigits > precision-scale {
			return dst, badValue("has %d integer digits, numeric(%d,%d) allows %d", intDigits, precision, scale, precision-scale)
		}
		fracDigits = scale
	}
	if point-a > pgMaxIntDigits || fracDigits > pgMaxFracDigits {
		return dst, errNumericRange
	}
	if d.neg && a < nd {
		dst = append(dst, '-')
	}
	if a >= point || a == nd {
		dst = append(dst, '0')
	} else {
		for k := a; k < point; k++ {
			if k < nd {
				dst = append(dst, '0'+d.digit(k))
			} else {
				dst = append(dst, '0')
			}
		}
	}
	if fracDigits > 0 {
		dst = append(dst, '.')
		for k := point; k < point+fracDigits; k++ {
			if k >= 0 && k < nd {
				dst = append(dst, '0'+d.digit(k))
			} else {
				dst = append(dst, '0')
			}
		}
	}
	return dst, nil
}

// String is for tests and debugging.
func (d decimalText) String() string {
	return fmt.Sprintf("{neg:%v int:%q frac:%q exp:%d}", d.neg, d.intd, d.frac, d.exp)
}

// pow10 holds 10^0 .. 10^18.
var pow10 = func() (t [19]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// fastDecimal is the common case of toFixed: [+-]digits[.digits] with at
// most scale fractional digits and at most 18 digits once scaled. ok is
// false for anything else, including errors, which the general path then
// reports.
func fastDecimal(v []byte, precision, scale int) (int64, bool) {
	i := 0
	neg := false
	if len(v) > 0 && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		i = 1
	}
	start := i
	var u uint64
	for ; i < len(v); i++ {
		d := v[i] - '0'
		if d > 9 {
			break
		}
		u = u*10 + uint64(d)
	}
	nint := i - start
	nfrac := 0
	if i < len(v) && v[i] == '.' {
		i++
		fs := i
		for ; i < len(v); i++ {
			d := v[i] - '0'
			if d > 9 {
				break
			}
			u = u*10 + uint64(d)
		}
		nfrac = i - fs
	}
	if i != len(v) || nint+nfrac == 0 || nfrac > scale || nint+scale > 18 {
		return 0, false
	}
	u *= pow10[scale-nfrac]
	if precision <= 18 && u >= pow10[precision] {
		return 0, false
	}
	if neg {
		return -int64(u), true
	}
	return int64(u), true
}
