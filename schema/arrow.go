package schema

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Arrow returns the Arrow data type a column of this type is decoded into.
//
//   - text and JSON: string (JSON is validated by the decoder)
//   - bool, int16, int32, int64, float32, float64: the matching Arrow type
//   - numeric with precision ≤ 38: decimal128(p, s); ≤ 76: decimal256(p, s);
//     unconstrained or wider: string holding canonical decimal text
//   - date: date32; time: time64[us]; interval: duration[us]
//   - timestamp: timestamp[us] without a zone (wall-clock time)
//   - timestamptz: timestamp[us, tz=UTC] (instants)
//
// The minimum value of date32 and of the timestamps stands for -infinity
// (a MySQL zero date in a NOT NULL column).
func (t Type) Arrow() arrow.DataType {
	switch t.Kind {
	case KindText, KindJSON:
		return arrow.BinaryTypes.String
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	case KindInt16:
		return arrow.PrimitiveTypes.Int16
	case KindInt32:
		return arrow.PrimitiveTypes.Int32
	case KindInt64:
		return arrow.PrimitiveTypes.Int64
	case KindNumeric:
		switch {
		case t.Precision > 0 && t.Precision <= 38:
			return &arrow.Decimal128Type{Precision: t.Precision, Scale: t.Scale}
		case t.Precision > 38 && t.Precision <= maxNumericPrecision:
			return &arrow.Decimal256Type{Precision: t.Precision, Scale: t.Scale}
		default:
			return arrow.BinaryTypes.String
		}
	case KindFloat32:
		return arrow.PrimitiveTypes.Float32
	case KindFloat64:
		return arrow.PrimitiveTypes.Float64
	case KindDate:
		return arrow.FixedWidthTypes.Date32
	case KindTime:
		return arrow.FixedWidthTypes.Time64us
	case KindTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case KindTimestampTZ:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case KindInterval:
		return arrow.FixedWidthTypes.Duration_us
	default:
		panic(fmt.Sprintf("schema: Arrow: unhandled kind %v", t.Kind))
	}
}
