package load

import (
	"fmt"

	"github.com/mbiload/mbiload/schema"
)

// compatible reports whether values of field f can be written into the
// existing column c without loss. Besides identical types, the safe
// widenings are:
//
//   - smallint → integer → bigint, and any integer → numeric with room for
//     its digits (or unconstrained numeric);
//   - numeric(p,s) → numeric(p',s') with s' ≥ s and p'-s' ≥ p-s, or →
//     unconstrained numeric;
//   - real → double precision;
//   - json → text (the document's text).
//
// Everything else (text into integer, integer into text, timestamp into
// timestamptz, ...) is refused: it changes what values mean or loses them,
// and needs a decision a nightly job should not take (load with
// --mode replace to take the export's types).
func compatible(f schema.Field, c *tableColumn) (bool, string) {
	if sameType(c, f) {
		return true, ""
	}
	t := f.Type
	intDigits := map[schema.Kind]int32{schema.KindInt16: 5, schema.KindInt32: 10, schema.KindInt64: 19}
	ok := false
	switch t.Kind {
	case schema.KindInt16, schema.KindInt32, schema.KindInt64:
		switch c.OID {
		case oidInt4:
			ok = t.Kind == schema.KindInt16
		case oidInt8:
			ok = true
		case oidNumeric:
			p, s, constrained := numericTypmod(c.Typmod)
			ok = !constrained || p-s >= intDigits[t.Kind]
		}
	case schema.KindNumeric:
		if c.OID == oidNumeric {
			p, s, constrained := numericTypmod(c.Typmod)
			ok = !constrained || (t.Precision > 0 && s >= t.Scale && p-s >= t.Precision-t.Scale)
		}
	case schema.KindFloat32:
		ok = c.OID == oidFloat8
	case schema.KindJSON:
		ok = c.OID == oidText
	}
	if !ok {
		return false, fmt.Sprintf("the export has %s, the table has %s", t.PG(), c.TypeName)
	}
	return true, ""
}

// targetColumn maps field k, written into existing column c, to its COPY
// column: the encoder writes the column's type.
func targetColumn(k int, f schema.Field, c *tableColumn) copyColumn {
	cc := copyColumn{Name: f.Name, Src: k, OID: c.OID, NumericScale: -1}
	if c.OID == oidNumeric {
		if _, s, ok := numericTypmod(c.Typmod); ok {
			cc.NumericScale = s
		}
	}
	return cc
}
