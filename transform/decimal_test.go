package transform

import (
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

var canonicalRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)

// checkDecimal checks the decimal paths on one input against math/big:
// canonical text keeps the value and PostgreSQL's display scale, toFixed
// gives value×10^scale exactly or refuses for the right reason, and the
// fast path agrees with toFixed.
func checkDecimal(t *testing.T, s string, precision, scale int) {
	d, ok := splitDecimal([]byte(s))
	want, ratOK := new(big.Rat).SetString(s)
	lower := strings.ToLower(s)
	if !ok {
		if _, fast := fastDecimal([]byte(s), precision, scale); fast {
			t.Fatalf("%q: fast path accepted what splitDecimal refused", s)
		}
		return
	}
	if !ratOK || strings.ContainsAny(lower, "inx_/") {
		t.Fatalf("%q: splitDecimal accepted, math/big did not", s)
	}
	text, err := d.appendCanonical(nil, 0, -1)
	if err == nil {
		if !canonicalRE.Match(text) {
			t.Fatalf("%q: canonical %q is not plain decimal text", s, text)
		}
		got, _ := new(big.Rat).SetString(string(text))
		if got.Cmp(want) != 0 {
			t.Fatalf("%q: canonical %q changes the value", s, text)
		}
		frac := 0
		if i := strings.IndexByte(string(text), '.'); i >= 0 {
			frac = len(text) - i - 1
		}
		if wantFrac := max(len(d.frac)-d.exp, 0); frac != wantFrac {
			t.Fatalf("%q: canonical %q has %d fractional digits, want %d", s, text, frac, wantFrac)
		}
	}
	x, err := d.toFixed(precision, scale)
	scaled := new(big.Rat).Mul(want, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	fits := scaled.IsInt() && new(big.Int).Abs(scaled.Num()).Cmp(limit) < 0
	if (err == nil) != fits {
		t.Fatalf("%q into (%d,%d): error %v, want fit %v", s, precision, scale, err, fits)
	}
	if err != nil {
		return
	}
	got := decimal256.New(x[3], x[2], x[1], x[0]).BigInt()
	if got.Cmp(scaled.Num()) != 0 {
		t.Fatalf("%q into (%d,%d): got %v, want %v", s, precision, scale, got, scaled.Num())
	}
	if u, fast := fastDecimal([]byte(s), precision, scale); fast && big.NewInt(u).Cmp(got) != 0 {
		t.Fatalf("%q: fast path %d, general path %v", s, u, got)
	}
}

func TestDecimalPaths(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "0e5", "-0.000e-3", "1", "+1", "-1", ".5", "5.", "-.5", "00012.3400", "1e3", "1.5E-3",
		"123456789012345678", "1234567890123456789", "99999999999999999999999999999999999999",
		"-12345678901234567890123456789012345678901234567890.0123456789", "1e75", "1e-10", "12.34567",
		"123456789", "1.2345000", "9223372036854775807", "-9223372036854775808", "1e1000", "1e-1000",
	} {
		for _, ps := range [][2]int{{12, 4}, {20, 4}, {38, 0}, {38, 10}, {60, 10}, {76, 38}, {18, 18}, {1, 0}} {
			t.Run(s, func(t *testing.T) { checkDecimal(t, s, ps[0], ps[1]) })
		}
	}
}

// FuzzDecimal checks the decimal parsers against math/big on any input.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"0", "-1.5e3", ".5", "12.34567", "1e-3", "99999999.9999", "+007.50"} {
		f.Add(s, uint8(12), uint8(4))
	}
	f.Fuzz(func(t *testing.T, s string, p, sc uint8) {
		precision := 1 + int(p)%76
		scale := int(sc) % (precision + 1)
		checkDecimal(t, s, precision, scale)
	})
}
