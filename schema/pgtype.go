package schema

import "fmt"

// PG returns the PostgreSQL type name used in DDL for this type, e.g.
// "bigint", "numeric(12,4)", "timestamp", "jsonb".
func (t Type) PG() string {
	switch t.Kind {
	case KindText:
		return "text"
	case KindBool:
		return "boolean"
	case KindInt16:
		return "smallint"
	case KindInt32:
		return "integer"
	case KindInt64:
		return "bigint"
	case KindNumeric:
		if t.Precision > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
		}
		return "numeric"
	case KindFloat32:
		return "real"
	case KindFloat64:
		return "double precision"
	case KindDate:
		return "date"
	case KindTime:
		return "time"
	case KindTimestamp:
		return "timestamp"
	case KindTimestampTZ:
		return "timestamptz"
	case KindJSON:
		return "jsonb"
	case KindInterval:
		return "interval"
	default:
		return fmt.Sprintf("Kind(%d)", t.Kind)
	}
}

// PGOID returns the PostgreSQL type OID of the column type (without any type
// modifier), as binary COPY and catalog comparisons need it.
func (t Type) PGOID() uint32 {
	switch t.Kind {
	case KindText:
		return 25
	case KindBool:
		return 16
	case KindInt16:
		return 21
	case KindInt32:
		return 23
	case KindInt64:
		return 20
	case KindNumeric:
		return 1700
	case KindFloat32:
		return 700
	case KindFloat64:
		return 701
	case KindDate:
		return 1082
	case KindTime:
		return 1083
	case KindTimestamp:
		return 1114
	case KindTimestampTZ:
		return 1184
	case KindJSON:
		return 3802
	case KindInterval:
		return 1186
	default:
		return 0
	}
}
