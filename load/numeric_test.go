package load

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// numericText renders a binary numeric field (length prefix included) as
// PostgreSQL's numeric_out would.
func numericText(t testing.TB, b []byte) string {
	t.Helper()
	n := int(binary.BigEndian.Uint32(b))
	b = b[4:]
	if len(b) != n {
		t.Fatalf("field length %d, have %d bytes", n, len(b))
	}
	nd := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*nd {
		t.Fatalf("ndigits %d, have %d bytes", nd, len(b))
	}
	var digits strings.Builder
	for k := 0; k < nd; k++ {
		d := binary.BigEndian.Uint16(b[8+2*k:])
		if d >= 10000 {
			t.Fatalf("digit %d out of range", d)
		}
		if k == 0 && d == 0 || k == nd-1 && d == 0 {
			t.Fatalf("digits not normalised: %v", b[8:])
		}
		fmt.Fprintf(&digits, "%04d", d)
	}
	// digits holds groups weight, weight-1, ...; place the point after
	// group `weight`.
	ds := digits.String()
	intLen := (weight + 1) * 4
	var ip, fp string
	switch {
	case nd == 0:
		ip = "0"
	case intLen <= 0:
		ip, fp = "0", strings.Repeat("0", -intLen)+ds
	case intLen >= len(ds):
		ip = ds + strings.Repeat("0", intLen-len(ds))
	default:
		ip, fp = ds[:intLen], ds[intLen:]
	}
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	if len(fp) > dscale {
		if strings.Trim(fp[dscale:], "0") != "" {
			t.Fatalf("digits beyond dscale %d: %s", dscale, fp)
		}
		fp = fp[:dscale]
	}
	fp += strings.Repeat("0", dscale-len(fp))
	s := ip
	if dscale > 0 {
		s += "." + fp
	}
	if sign == numericNeg {
		s = "-" + s
	}
	return s
}

// bigText renders v × 10^-scale with scale fractional digits.
func bigText(v *big.Int, scale int) string {
	neg := v.Sign() < 0
	s := new(big.Int).Abs(v).String()
	if len(s) <= scale {
		s = strings.Repeat("0", scale-len(s)+1) + s
	}
	if scale > 0 {
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// TestNumericRandom encodes random decimals of every width and scale and
// decodes them back.
func TestNumericRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var scratch []uint16
	for i := 0; i < 20000; i++ {
		digits := 1 + rng.IntN(76)
		scale := rng.IntN(digits + 1)
		var sb strings.Builder
		for k := 0; k < digits; k++ {
			if rng.IntN(4) == 0 {
				sb.WriteByte('0')
			} else {
				sb.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		v, _ := new(big.Int).SetString(sb.String(), 10)
		if rng.IntN(2) == 0 {
			v.Neg(v)
		}
		want := bigText(v, scale)
		if v.Sign() == 0 {
			want = strings.TrimPrefix(want, "-")
		}
		var got string
		if digits <= 38 {
			n := decimal128.FromBigInt(v)
			hi, lo := n.HighBits(), n.LowBits()
			neg := hi < 0
			if neg {
				lo, hi = ^lo+1, ^hi
				if lo == 0 {
					hi++
				}
			}
			m := []uint64{lo, uint64(hi)}
			got = numericText(t, appendNumericWords(nil, neg, m, int32(scale), int32(scale)))
		} else {
			a := decimal256.FromBigInt(v).Array()
			neg := v.Sign() < 0
			if neg {
				a = decimal256.FromBigInt(new(big.Int).Neg(v)).Array()
			}
			got = numericText(t, appendNumericWords(nil, neg, a[:], int32(scale), int32(scale)))
		}
		if got != want {
			t.Fatalf("%s scale %d: got %s, want %s", v, scale, got, want)
		}
		out, ok := appendNumericText(nil, want, &scratch)
		if !ok {
			t.Fatalf("text %s refused", want)
		}
		if got := numericText(t, out); got != want {
			t.Fatalf("text %s: got %s", want, got)
		}
	}
}

func TestNumericTextRefused(t *testing.T) {
	var scratch []uint16
	for _, s := range []string{"", "-", ".", "1e5", "+1", "1.2.3", "NaN", " 1", "1-", "0x10", "1." + strings.Repeat("0", 16384)} {
		t.Run(fmt.Sprintf("%.20q", s), func(t *testing.T) {
			out, ok := appendNumericText([]byte("keep"), s, &scratch)
			if ok || string(out) != "keep" {
				t.Errorf("got ok=%v out=%q, want refused and unchanged", ok, out)
			}
		})
	}
}

// FuzzNumericText checks that canonical decimal text encodes to the same
// value and display scale, and that anything else is refused.
func FuzzNumericText(f *testing.F) {
	for _, s := range []string{"0", "-0.0001", "123.4500", "00012.3400", "-0", "1e5", "", ".", "-", "9999.9999", "10000.00001", "1.", ".5"} {
		f.Add(s)
	}
	var scratch []uint16
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := appendNumericText(nil, s, &scratch)
		ip, fp, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
		canonical := len(ip)+len(fp) > 0 && allDigits(ip) && allDigits(fp) && strings.Count(s, ".") <= 1 &&
			len(fp) <= numericMaxScale && len(strings.TrimLeft(ip, "0")) <= 4*numericMaxGroup
		if ok != canonical {
			t.Fatalf("%q: got ok=%v, want %v", s, ok, canonical)
		}
		if !ok {
			return
		}
		want := strings.TrimLeft(ip, "0")
		if want == "" {
			want = "0"
		}
		if fp != "" {
			want += "." + fp
		}
		if strings.HasPrefix(s, "-") && strings.Trim(ip+fp, "0") != "" {
			want = "-" + want
		}
		if got := numericText(t, out); got != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}
