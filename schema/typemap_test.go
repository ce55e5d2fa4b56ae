package schema

import "testing"

func TestParseType(t *testing.T) {
	tests := []struct {
		name      string
		typ       string
		prec, sc  int
		kind      Kind
		p, s      int32
		pg        string
		unknown   bool
		unsigned  bool
		length    int
		wantError bool
	}{
		// The platform's vocabulary.
		{name: "Integer", typ: "Integer", kind: KindInt64, pg: "bigint"},
		{name: "Whole Number", typ: "Whole Number", kind: KindInt64, pg: "bigint"},
		{name: "Decimal with fields", typ: "Decimal", prec: 12, sc: 4, kind: KindNumeric, p: 12, s: 4, pg: "numeric(12,4)"},
		{name: "Decimal without fields", typ: "Decimal", kind: KindNumeric, pg: "numeric"},
		{name: "Decimal Number", typ: "Decimal Number", prec: 20, sc: 6, kind: KindNumeric, p: 20, s: 6, pg: "numeric(20,6)"},
		{name: "String", typ: "String", kind: KindText, pg: "text"},
		{name: "Text up to 255", typ: "Text (Up to 255 Characters)", kind: KindText, pg: "text", length: 255},
		{name: "Datetime", typ: "Datetime", kind: KindTimestamp, pg: "timestamp"},
		{name: "Date & Time", typ: "Date & Time", kind: KindTimestamp, pg: "timestamp"},
		// Source-database names.
		{name: "int(11)", typ: "int(11)", kind: KindInt32, pg: "integer"},
		{name: "int(10) unsigned", typ: "int(10) unsigned", kind: KindInt64, pg: "bigint", unsigned: true},
		{name: "bigint", typ: "bigint", kind: KindInt64, pg: "bigint"},
		{name: "bigint unsigned", typ: "bigint(20) unsigned", kind: KindNumeric, p: 20, pg: "numeric(20,0)", unsigned: true},
		{name: "smallint(5)", typ: "smallint(5)", kind: KindInt16, pg: "smallint"},
		{name: "smallint unsigned", typ: "smallint(5) unsigned", kind: KindInt32, pg: "integer", unsigned: true},
		{name: "tinyint(1) is boolean", typ: "tinyint(1)", kind: KindBool, pg: "boolean"},
		{name: "tinyint(4)", typ: "tinyint(4)", kind: KindInt16, pg: "smallint"},
		{name: "tinyint unsigned", typ: "tinyint(3) unsigned", kind: KindInt16, pg: "smallint", unsigned: true},
		{name: "mediumint", typ: "mediumint(8)", kind: KindInt32, pg: "integer"},
		{name: "decimal(12,4)", typ: "decimal(12,4)", kind: KindNumeric, p: 12, s: 4, pg: "numeric(12,4)"},
		{name: "decimal(10)", typ: "decimal(10)", kind: KindNumeric, p: 10, pg: "numeric(10,0)"},
		{name: "string args beat fields", typ: "decimal(8,2)", prec: 20, sc: 6, kind: KindNumeric, p: 8, s: 2, pg: "numeric(8,2)"},
		{name: "float", typ: "float", kind: KindFloat32, pg: "real"},
		{name: "float(53)", typ: "float(53)", kind: KindFloat64, pg: "double precision"},
		{name: "double", typ: "double", kind: KindFloat64, pg: "double precision"},
		{name: "double precision", typ: "DOUBLE  PRECISION", kind: KindFloat64, pg: "double precision"},
		{name: "varchar(255)", typ: "varchar(255)", kind: KindText, pg: "text", length: 255},
		{name: "text", typ: "text", kind: KindText, pg: "text"},
		{name: "enum", typ: "enum('a','b')", kind: KindText, pg: "text"},
		{name: "date", typ: "date", kind: KindDate, pg: "date"},
		{name: "datetime", typ: "datetime", kind: KindTimestamp, pg: "timestamp"},
		{name: "datetime(6)", typ: "datetime(6)", kind: KindTimestamp, pg: "timestamp"},
		{name: "timestamp", typ: "timestamp", kind: KindTimestamp, pg: "timestamp"},
		{name: "mysql time is a duration", typ: "time", kind: KindInterval, pg: "interval"},
		{name: "mysql time(6)", typ: "time(6)", kind: KindInterval, pg: "interval"},
		{name: "time of day", typ: "time without time zone", kind: KindTime, pg: "time"},
		{name: "json", typ: "json", kind: KindJSON, pg: "jsonb"},
		{name: "case-insensitive", typ: "  DECIMAL(12, 4)  ", kind: KindNumeric, p: 12, s: 4, pg: "numeric(12,4)"},
		{name: "boolean", typ: "Boolean", kind: KindBool, pg: "boolean"},
		// Unknown and bad.
		{name: "unknown maps to text", typ: "geometry", kind: KindText, pg: "text", unknown: true},
		{name: "blob is unknown", typ: "blob", kind: KindText, pg: "text", unknown: true},
		{name: "empty is unknown", typ: "", kind: KindText, pg: "text", unknown: true},
		{name: "bit(8) is unknown", typ: "bit(8)", kind: KindText, pg: "text", unknown: true},
		{name: "scale above precision", typ: "decimal(2,5)", wantError: true},
		{name: "precision too large", typ: "decimal(1001,2)", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseType(tt.typ, tt.prec, tt.sc)
			if tt.wantError {
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v", err)
			}
			if got.Kind != tt.kind || got.Precision != tt.p || got.Scale != tt.s {
				t.Errorf("got %v(%d,%d), want %v(%d,%d)", got.Kind, got.Precision, got.Scale, tt.kind, tt.p, tt.s)
			}
			if got.PG() != tt.pg {
				t.Errorf("got PG %q, want %q", got.PG(), tt.pg)
			}
			if got.Unknown != tt.unknown || got.Unsigned != tt.unsigned || got.Length != tt.length {
				t.Errorf("got unknown=%v unsigned=%v length=%d, want %v %v %d", got.Unknown, got.Unsigned, got.Length, tt.unknown, tt.unsigned, tt.length)
			}
			if got.Source != tt.typ {
				t.Errorf("got source %q, want %q", got.Source, tt.typ)
			}
			if got.PGOID() == 0 {
				t.Errorf("got PGOID 0 for %v", got.Kind)
			}
		})
	}
}

func TestArrowTypes(t *testing.T) {
	tests := []struct {
		name string
		typ  Type
		want string
	}{
		{"int16", Type{Kind: KindInt16}, "int16"},
		{"int64", Type{Kind: KindInt64}, "int64"},
		{"bool", Type{Kind: KindBool}, "bool"},
		{"decimal128", Type{Kind: KindNumeric, Precision: 12, Scale: 4}, "decimal(12, 4)"},
		{"decimal256", Type{Kind: KindNumeric, Precision: 60, Scale: 10}, "decimal256(60, 10)"},
		{"unconstrained numeric is text", Type{Kind: KindNumeric}, "utf8"},
		{"too wide numeric is text", Type{Kind: KindNumeric, Precision: 100, Scale: 2}, "utf8"},
		{"date", Type{Kind: KindDate}, "date32"},
		{"time", Type{Kind: KindTime}, "time64[us]"},
		{"interval", Type{Kind: KindInterval}, "duration[us]"},
		{"timestamp", Type{Kind: KindTimestamp}, "timestamp[us]"},
		{"timestamptz", Type{Kind: KindTimestampTZ}, "timestamp[us, tz=UTC]"},
		{"json", Type{Kind: KindJSON}, "utf8"},
		{"float32", Type{Kind: KindFloat32}, "float32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.typ.Arrow().String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if !(Type{Kind: KindNumeric, Precision: 76}).fixedDecimal() || (Type{Kind: KindNumeric}).fixedDecimal() {
		t.Errorf("fixedDecimal: got wrong answer for precision 76 or 0")
	}
}
