package load

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkOwnerEncode writes values into owner-typed columns, each
// checked to fit (see newOwnerEncoder).
func BenchmarkOwnerEncode(b *testing.B) {
	mem := memory.NewGoAllocator()
	sb := array.NewStringBuilder(mem)
	ib := array.NewInt64Builder(mem)
	for i := range 4096 {
		sb.Append([]string{"12.50", "-0.0001", "99999.9999", "7", "123456.78"}[i%5])
		ib.Append(int64(i * 37))
	}
	strs, ints := sb.NewArray(), ib.NewArray()
	var fe fieldError
	cases := []struct {
		name string
		a    arrow.Array
		c    copyColumn
	}{
		{"numeric", strs, copyColumn{OID: oidNumeric, Typmod: (12<<16 | 4) + 4, Owner: true, NumericScale: 4}},
		{"varchar", strs, copyColumn{OID: oidVarchar, Typmod: 20 + 4, Owner: true}},
		{"inttext", ints, copyColumn{OID: oidText, Typmod: -1, Owner: true}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			a := tc.a
			enc, err := newOwnerEncoder(a, tc.c, &fe, 0)
			if err != nil {
				b.Fatal(err)
			}
			dst := make([]byte, 0, 1<<16)
			b.ReportAllocs()
			for b.Loop() {
				dst = dst[:0]
				for i := range a.Len() {
					dst = enc(dst, i)
				}
			}
		})
	}
}
