package schema

import "fmt"

// Kind is the logical type of a column after mapping.
type Kind uint8

// The kinds a column can map to.
const (
	// KindText is text of any length (String, varchar, text, enum, ...).
	KindText Kind = iota
	// KindBool is a boolean (tinyint(1), boolean).
	KindBool
	// KindInt16 is a 16-bit signed integer.
	KindInt16
	// KindInt32 is a 32-bit signed integer.
	KindInt32
	// KindInt64 is a 64-bit signed integer.
	KindInt64
	// KindNumeric is an exact decimal. Precision 0 means unconstrained.
	KindNumeric
	// KindFloat32 is an IEEE 754 single-precision number (MySQL float).
	KindFloat32
	// KindFloat64 is an IEEE 754 double-precision number (MySQL double).
	KindFloat64
	// KindDate is a calendar date.
	KindDate
	// KindTime is a time of day without a date or zone (PostgreSQL's time;
	// MySQL's time is KindInterval).
	KindTime
	// KindTimestamp is a wall-clock date and time without a zone.
	KindTimestamp
	// KindTimestampTZ is an instant; produced from KindTimestamp when a
	// source time zone is configured.
	KindTimestampTZ
	// KindJSON is a JSON document (stored as jsonb).
	KindJSON
	// KindInterval is a duration: MySQL's time, which holds -838:59:59 to
	// 838:59:59 (elapsed time as well as a time of day), stored as interval.
	KindInterval
)

var kindNames = [...]string{
	KindText: "text", KindBool: "bool", KindInt16: "int16", KindInt32: "int32",
	KindInt64: "int64", KindNumeric: "numeric", KindFloat32: "float32",
	KindFloat64: "float64", KindDate: "date", KindTime: "time",
	KindTimestamp: "timestamp", KindTimestampTZ: "timestamptz", KindJSON: "json",
	KindInterval: "interval",
}

// String returns the kind's short name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// maxNumericPrecision is the largest decimal precision kept as a fixed-point
// Arrow decimal (Decimal256). Wider or unconstrained decimals travel as
// validated decimal text in an Arrow string column; they are exact either way.
const maxNumericPrecision = 76

// Type is a column's mapped type.
type Type struct {
	// Kind is the logical type.
	Kind Kind
	// Precision and Scale apply to KindNumeric. Precision 0 means unconstrained
	// (PostgreSQL "numeric" without a modifier).
	Precision, Scale int32
	// Length is the declared maximum length of a text type in characters, if
	// any. It is informational: text always maps to PostgreSQL text.
	Length int
	// Unsigned records that the source integer type was unsigned.
	Unsigned bool
	// Source is the type name as the API sent it.
	Source string
	// Unknown is true when Source was not recognised and the column was mapped
	// to text.
	Unknown bool
}

// fixedDecimal reports whether a numeric type travels as an Arrow decimal
// (Decimal128 up to precision 38, Decimal256 up to [maxNumericPrecision]).
func (t Type) fixedDecimal() bool {
	return t.Kind == KindNumeric && t.Precision > 0 && t.Precision <= maxNumericPrecision
}

// String describes the type, e.g. "numeric(12,4)".
func (t Type) String() string { return t.PG() }
