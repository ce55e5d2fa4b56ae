package load

import (
	"math/big"
	"testing"
)

// TestPlainDecimalFits checks fitCheck's fast numeric(p,s) path against
// the big.Rat check it stands in for.
func TestPlainDecimalFits(t *testing.T) {
	texts := []string{"0", "-0", "00", "0.0", "7", "-7", "007", "12.50", "12.5000", "-0.0001", "0.00010",
		"99999.9999", "100000", "99999.99999", "123456.78", "9", "10", "0.5", "1.", ".5", "+1", "1e3",
		"-", "", "1.2.3", "0x10", "1/2", " 1", "999999999999.9999", "1000000000000"}
	for p := int32(0); p <= 14; p++ {
		for s := int32(-2); s <= p+2; s++ {
			for _, text := range texts {
				checkPlainDecimalFits(t, text, p, s)
			}
		}
	}
}

// FuzzPlainDecimalFits holds the digit-counting fit check to big.Rat's
// arithmetic on any text it takes as plain.
func FuzzPlainDecimalFits(f *testing.F) {
	for _, seed := range []string{"0", "-0.0001", "99999.9999", "007", "12.5000", "1."} {
		f.Add(seed, int32(9), int32(4))
	}
	f.Fuzz(func(t *testing.T, text string, p, s int32) {
		p, s = p%40, s%42
		if p < 0 {
			p = -p
		}
		checkPlainDecimalFits(t, text, p, s)
	})
}

// checkPlainDecimalFits compares plainDecimalFits with big.Rat for one
// text it takes as plain.
func checkPlainDecimalFits(t *testing.T, text string, p, s int32) {
	t.Helper()
	fits, plain := plainDecimalFits(text, p, s)
	if !plain {
		return
	}
	v, ok := new(big.Rat).SetString(text)
	if !ok {
		t.Fatalf("%q numeric(%d,%d): plain, but big.Rat cannot read it", text, p, s)
	}
	limit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p-s)), nil))
	unit := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
	if p-s < 0 {
		limit = new(big.Rat).Inv(new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s-p)), nil)))
	}
	if s < 0 {
		unit = new(big.Rat).Inv(new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-s)), nil)))
	}
	want := new(big.Rat).Mul(v, unit).IsInt() && new(big.Rat).Abs(v).Cmp(limit) < 0
	if fits != want {
		t.Errorf("%q numeric(%d,%d): fits %v, big.Rat says %v", text, p, s, fits, want)
	}
}
