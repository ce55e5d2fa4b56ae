package transform

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// TestValues decodes one field of each type through the whole decoder.
func TestValues(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		field   string // the field as written in the CSV
		want    string // rendered value (see render)
		wantErr error
		msg     string // part of the error message
	}{
		// NULL and empty.
		{name: "null int", typ: "int(11)", field: "", want: null},
		{name: "null text", typ: "text", field: "", want: null},
		{name: "quoted empty text", typ: "text", field: `""`, want: ""},
		{name: "quoted empty int", typ: "int(11)", field: `""`, wantErr: ErrBadValue, msg: `value "" is not an integer`},
		{name: "not null", typ: "int(11) not null", field: "", wantErr: ErrNotNull, msg: "NULL in a NOT NULL column"},

		// Integers.
		{name: "int", typ: "int(11)", field: "42", want: "42"},
		{name: "int plus", typ: "int(11)", field: "+42", want: "42"},
		{name: "int minus", typ: "int(11)", field: "-42", want: "-42"},
		{name: "int leading zeros", typ: "int(11)", field: "007", want: "7"},
		{name: "int32 max", typ: "int(11)", field: "2147483647", want: "2147483647"},
		{name: "int32 min", typ: "int(11)", field: "-2147483648", want: "-2147483648"},
		{name: "int32 over", typ: "int(11)", field: "2147483648", wantErr: ErrBadValue, msg: "out of range for integer"},
		{name: "int32 under", typ: "int(11)", field: "-2147483649", wantErr: ErrBadValue, msg: "out of range for integer"},
		{name: "unsigned int widened", typ: "int(10) unsigned", field: "4294967295", want: "4294967295"},
		{name: "smallint", typ: "smallint(5)", field: "-32768", want: "-32768"},
		{name: "smallint over", typ: "smallint(5)", field: "32768", wantErr: ErrBadValue, msg: "out of range for smallint"},
		{name: "tinyint", typ: "tinyint(4)", field: "127", want: "127"},
		{name: "bigint max", typ: "bigint", field: "9223372036854775807", want: "9223372036854775807"},
		{name: "bigint min", typ: "bigint", field: "-9223372036854775808", want: "-9223372036854775808"},
		{name: "bigint over", typ: "bigint", field: "9223372036854775808", wantErr: ErrBadValue, msg: "out of range for bigint"},
		{name: "bigint many digits", typ: "bigint", field: "123456789012345678901", wantErr: ErrBadValue, msg: "out of range for bigint"},
		{name: "bigint zero padded", typ: "bigint", field: "0000000000000000000000042", want: "42"},
		{name: "int space", typ: "int(11)", field: " 1", wantErr: ErrBadValue, msg: "is not an integer"},
		{name: "int decimal", typ: "int(11)", field: "1.0", wantErr: ErrBadValue, msg: "is not an integer"},
		{name: "int sign only", typ: "int(11)", field: "-", wantErr: ErrBadValue, msg: "is not an integer"},
		{name: "int exponent", typ: "Integer", field: "1e3", wantErr: ErrBadValue, msg: "is not an integer"},
		{name: "quoted int", typ: "int(11)", field: `"12"`, want: "12"},

		// Booleans.
		{name: "bool 1", typ: "tinyint(1)", field: "1", want: "true"},
		{name: "bool 0", typ: "tinyint(1)", field: "0", want: "false"},
		{name: "bool true", typ: "tinyint(1)", field: "TRUE", want: "true"},
		{name: "bool false", typ: "boolean", field: "False", want: "false"},
		{name: "bool t", typ: "boolean", field: "t", want: "true"},
		{name: "bool f", typ: "boolean", field: "F", want: "false"},
		{name: "bool yes", typ: "tinyint(1)", field: "yes", wantErr: ErrBadValue, msg: "is not a boolean"},

		// Decimals.
		{name: "decimal", typ: "decimal(12,4)", field: "123.4567", want: "123.4567"},
		{name: "decimal pads", typ: "decimal(12,4)", field: "8.25", want: "8.2500"},
		{name: "decimal integer", typ: "decimal(12,4)", field: "-8", want: "-8.0000"},
		{name: "decimal plus", typ: "decimal(12,4)", field: "+1.5", want: "1.5000"},
		{name: "decimal leading point", typ: "decimal(12,4)", field: ".5", want: "0.5000"},
		{name: "decimal trailing point", typ: "decimal(12,4)", field: "5.", want: "5.0000"},
		{name: "decimal negative zero", typ: "decimal(12,4)", field: "-0.0", want: "0.0000"},
		{name: "decimal extra zeros ok", typ: "decimal(12,4)", field: "1.234500", want: "1.2345"},
		{name: "decimal too precise", typ: "decimal(12,4)", field: "12.34567", wantErr: ErrBadValue, msg: `value "12.34567" has 5 fractional digits, scale is 4`},
		{name: "decimal too large", typ: "decimal(12,4)", field: "123456789", wantErr: ErrBadValue, msg: "has 9 integer digits, numeric(12,4) allows 8"},
		{name: "decimal max", typ: "decimal(12,4)", field: "-99999999.9999", want: "-99999999.9999"},
		{name: "decimal leading zeros do not count", typ: "decimal(4,2)", field: "0012.50", want: "12.50"},
		{name: "decimal exponent", typ: "decimal(12,4)", field: "1.5e2", want: "150.0000"},
		{name: "decimal negative exponent", typ: "decimal(12,4)", field: "15E-4", want: "0.0015"},
		{name: "decimal exponent too precise", typ: "decimal(12,4)", field: "1e-5", wantErr: ErrBadValue, msg: "fractional digits"},
		{name: "decimal nan", typ: "decimal(12,4)", field: "NaN", wantErr: ErrBadValue, msg: "is not a number"},
		{name: "decimal garbage", typ: "decimal(12,4)", field: "1.2.3", wantErr: ErrBadValue, msg: "is not a number"},
		{name: "decimal comma", typ: "decimal(12,4)", field: `"1,5"`, wantErr: ErrBadValue, msg: "is not a number"},
		{name: "decimal space", typ: "decimal(12,4)", field: "1 ", wantErr: ErrBadValue, msg: "is not a number"},
		{name: "decimal 20 digits", typ: "decimal(20,4)", field: "1234567890123456.7891", want: "1234567890123456.7891"},
		{name: "decimal 38 digits", typ: "decimal(38,0)", field: "-99999999999999999999999999999999999999", want: "-99999999999999999999999999999999999999"},
		{name: "decimal256", typ: "decimal(60,10)", field: "-12345678901234567890123456789012345678901234567890.0123456789", want: "-12345678901234567890123456789012345678901234567890.0123456789"},
		{name: "decimal256 small", typ: "decimal(60,10)", field: "-1.5", want: "-1.5000000000"},
		{name: "decimal from platform precision", typ: "Decimal", field: "3.14", want: "3.14"},
		{name: "unsigned bigint as numeric", typ: "bigint unsigned", field: "18446744073709551615", want: "18446744073709551615"},

		// Numeric as text.
		{name: "numeric text", typ: "numeric", field: "00123.4500", want: "123.4500"},
		{name: "numeric text plus", typ: "numeric", field: "+1", want: "1"},
		{name: "numeric text exponent", typ: "numeric", field: "1.50e2", want: "150"},
		{name: "numeric text small exponent", typ: "numeric", field: "-1.5e-3", want: "-0.0015"},
		{name: "numeric text big exponent", typ: "numeric", field: "2E+5", want: "200000"},
		{name: "numeric text exponent keeps scale", typ: "numeric", field: "150e-1", want: "15.0"},
		{name: "numeric text point", typ: "numeric", field: ".5", want: "0.5"},
		{name: "numeric text negative zero", typ: "numeric", field: "-0.00", want: "0.00"},
		{name: "numeric text infinity", typ: "numeric", field: "Infinity", wantErr: ErrBadValue, msg: "is not a number"},
		{name: "numeric text huge exponent", typ: "numeric", field: "1e1001", wantErr: ErrBadValue, msg: "is not a number"},
		{name: "numeric wide", typ: "decimal(80,2)", field: "1.5", want: "1.50"},
		{name: "numeric wide too precise", typ: "decimal(80,2)", field: "1.555", wantErr: ErrBadValue, msg: "has 3 fractional digits, scale is 2"},
		{name: "numeric wide trailing zeros", typ: "decimal(80,2)", field: "1.5000", want: "1.50"},

		// Floats.
		{name: "double", typ: "double", field: "1.5e300", want: "1.5e+300"},
		{name: "double negative", typ: "double", field: "-0.25", want: "-0.25"},
		{name: "double nan", typ: "double", field: "NaN", want: "NaN"},
		{name: "double infinity", typ: "double", field: "-Infinity", want: "-Inf"},
		{name: "double inf", typ: "double", field: "inf", want: "+Inf"},
		{name: "double signed nan", typ: "double", field: "-nan", wantErr: ErrBadValue, msg: "not a floating-point"},
		{name: "double overflow", typ: "double", field: "1e400", wantErr: ErrBadValue, msg: "out of range"},
		{name: "double underflow", typ: "double", field: "1e-400", wantErr: ErrBadValue, msg: "out of range"},
		{name: "double zero", typ: "double", field: "0e-400", want: "0"},
		{name: "double hex", typ: "double", field: "0x1p3", wantErr: ErrBadValue, msg: "not a floating-point"},
		{name: "double underscore", typ: "double", field: "1_000", wantErr: ErrBadValue, msg: "not a floating-point"},
		{name: "float", typ: "float", field: "3.25", want: "3.25"},
		{name: "float overflow", typ: "float", field: "1e39", wantErr: ErrBadValue, msg: "out of range"},

		// Dates and times.
		{name: "date", typ: "date", field: "2024-02-29", want: "2024-02-29"},
		{name: "date epoch", typ: "date", field: "1970-01-01", want: "1970-01-01"},
		{name: "date old", typ: "date", field: "0001-01-01", want: "0001-01-01"},
		{name: "date far", typ: "date", field: "9999-12-31", want: "9999-12-31"},
		{name: "date not leap", typ: "date", field: "2023-02-29", wantErr: ErrBadValue, msg: "not a valid calendar date"},
		{name: "date century not leap", typ: "date", field: "1900-02-29", wantErr: ErrBadValue, msg: "not a valid calendar date"},
		{name: "date month 13", typ: "date", field: "2024-13-01", wantErr: ErrBadValue, msg: "not a valid calendar date"},
		{name: "date zero", typ: "date", field: "0000-00-00", want: null},
		{name: "date year zero", typ: "date", field: "0000-01-01", wantErr: ErrBadValue, msg: "year 0"},
		{name: "date slashes", typ: "date", field: "2024/01/01", wantErr: ErrBadValue, msg: "is not a date"},
		{name: "date with time", typ: "date", field: "2024-01-01 00:00:00", wantErr: ErrBadValue, msg: "is not a date"},
		{name: "time", typ: "time without time zone", field: "13:45:07", want: "13:45:07.000000"},
		{name: "time fraction", typ: "time without time zone", field: "13:45:07.5", want: "13:45:07.500000"},
		{name: "time micro", typ: "time without time zone", field: "00:00:00.000001", want: "00:00:00.000001"},
		{name: "time 24", typ: "time without time zone", field: "24:00:00", want: "00:00:00.000000"},
		{name: "time 25", typ: "time without time zone", field: "25:00:00", wantErr: ErrBadValue, msg: "not a time"},
		{name: "time seconds 60", typ: "time without time zone", field: "12:00:60", wantErr: ErrBadValue, msg: "not a time"},
		{name: "time nanos", typ: "time without time zone", field: "12:00:00.0000001", wantErr: ErrBadValue, msg: "more than 6 fractional"},
		{name: "time nanos zero", typ: "time without time zone", field: "12:00:00.123456000", want: "12:00:00.123456"},
		// MySQL's time is a duration (interval).
		{name: "mysql time", typ: "time", field: "13:45:07", want: "13:45:07.000000"},
		{name: "mysql time max", typ: "time", field: "838:59:59", want: "838:59:59.000000"},
		{name: "mysql time min", typ: "time(6)", field: "-838:59:59.000000", want: "-838:59:59.000000"},
		{name: "mysql time negative", typ: "time", field: "-01:00:00", want: "-01:00:00.000000"},
		{name: "mysql time negative fraction", typ: "time", field: "-00:00:00.5", want: "-00:00:00.500000"},
		{name: "mysql time bad minutes", typ: "time", field: "10:60:00", wantErr: ErrBadValue, msg: "is not a MySQL time"},
		{name: "mysql time no hours", typ: "time", field: ":10:00", wantErr: ErrBadValue, msg: "is not a MySQL time"},
		{name: "mysql time sign twice", typ: "time", field: "--1:00:00", wantErr: ErrBadValue, msg: "is not a MySQL time"},
		{name: "mysql time date", typ: "time", field: "2024-01-01", wantErr: ErrBadValue, msg: "is not a MySQL time"},
		{name: "mysql time nanos", typ: "time", field: "1:00:00.0000001", wantErr: ErrBadValue, msg: "more than 6 fractional"},
		// Partial zero dates are zero dates; NOT NULL ones are -infinity.
		{name: "date partial zero month", typ: "date", field: "2023-00-10", want: null},
		{name: "date partial zero day", typ: "date", field: "2023-10-00", want: null},
		{name: "date zero not null", typ: "date not null", field: "0000-00-00", want: "-infinity"},
		{name: "date partial zero not null", typ: "date not null", field: "2023-00-00", want: "-infinity"},
		{name: "date partial zero month 13", typ: "date", field: "2023-13-00", wantErr: ErrBadValue, msg: "not a valid calendar date"},
		{name: "datetime zero not null", typ: "datetime not null", field: "0000-00-00 00:00:00", want: "-infinity"},
		{name: "datetime partial zero", typ: "datetime", field: "2023-00-10 12:00:00", want: null},
		{name: "datetime zero with time", typ: "datetime", field: "0000-00-00 12:30:00", want: null},
		{name: "bool tinyint 2", typ: "tinyint(1)", field: "2", want: "true"},
		{name: "bool tinyint -1", typ: "tinyint(1)", field: "-1", want: "true"},
		{name: "bool tinyint 00", typ: "tinyint(1)", field: "00", want: "false"},
		{name: "datetime", typ: "datetime", field: "2024-03-10 02:30:00", want: "2024-03-10 02:30:00.000000"},
		{name: "datetime T", typ: "Datetime", field: "2024-03-10T02:30:00.25", want: "2024-03-10 02:30:00.250000"},
		{name: "datetime bare date", typ: "timestamp", field: "2024-03-10", want: "2024-03-10 00:00:00.000000"},
		{name: "datetime before epoch", typ: "datetime", field: "1969-12-31 23:59:59.999999", want: "1969-12-31 23:59:59.999999"},
		{name: "datetime zero", typ: "datetime", field: "0000-00-00 00:00:00", want: null},
		{name: "datetime zero bare", typ: "datetime", field: "0000-00-00", want: null},
		{name: "datetime 24h", typ: "datetime", field: "2024-01-01 24:00:00", wantErr: ErrBadValue, msg: "not a date and time"},
		{name: "datetime offset", typ: "datetime", field: "2024-01-01 10:00:00+02", wantErr: ErrBadValue, msg: "not a date and time"},
		{name: "datetime no seconds", typ: "datetime", field: "2024-01-01 10:00", wantErr: ErrBadValue, msg: "not a date and time"},
		{name: "datetime bad day", typ: "datetime", field: "2024-04-31 10:00:00", wantErr: ErrBadValue, msg: "not a valid calendar date"},

		// JSON and text.
		{name: "json", typ: "json", field: `"{""a"":[1,2]}"`, want: `{"a":[1,2]}`},
		{name: "json scalar", typ: "json", field: "42", want: "42"},
		{name: "json bad", typ: "json", field: `"{""a"":}"`, wantErr: ErrBadValue, msg: "is not valid JSON"},
		{name: "json nul escape", typ: "json", field: `"[""\u0000""]"`, wantErr: ErrBadValue, msg: `\u0000`},
		{name: "json escaped backslash", typ: "json", field: `"[""\\u0000""]"`, want: `["\\u0000"]`},
		{name: "text utf8", typ: "varchar(255)", field: "héllo €", want: "héllo €"},
		{name: "text invalid utf8", typ: "varchar(255)", field: "ab\xffcd", wantErr: ErrInvalidUTF8, msg: `value "ab\xffcd" is not valid UTF-8`},
		{name: "text nul", typ: "text", field: "a\x00b", wantErr: ErrBadValue, msg: "NUL byte"},
		{name: "unknown type is text", typ: "geometry", field: "POINT(1 2)", want: "POINT(1 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := mustTable(t, "t", col{"v", tt.typ})
			got := decodeString(t, tb, "v\n"+tt.field+"\n", Options{})
			if tt.wantErr != nil {
				if !errors.Is(got.err, tt.wantErr) {
					t.Fatalf("error: got %v, want %v", got.err, tt.wantErr)
				}
				var re *RowError
				if !errors.As(got.err, &re) {
					t.Fatalf("error: got %T, want *RowError", got.err)
				}
				if re.Line != 2 || re.Column != "v" || re.Table != "t" {
					t.Errorf("place: got table %q line %d column %q, want t, 2, v", re.Table, re.Line, re.Column)
				}
				if !strings.Contains(got.err.Error(), tt.msg) {
					t.Errorf("message: got %q, want it to contain %q", got.err, tt.msg)
				}
				return
			}
			if got.err != nil {
				t.Fatalf("error: got %v, want none", got.err)
			}
			if len(got.rows) != 1 || got.rows[0][0] != tt.want {
				t.Fatalf("value: got %q, want %q", got.rows, tt.want)
			}
		})
	}
}

// TestTimestampTZ checks wall-clock times in a zone becoming UTC instants,
// including PostgreSQL's rule for DST gaps and overlaps: a gap is read in the
// offset before the transition, an overlap in the offset after it
// (TestTimestampTZMatchesServer checks the rule against the server itself).
func TestTimestampTZ(t *testing.T) {
	tests := []struct {
		zone, in, want string
	}{
		{"America/New_York", "2024-01-15 12:00:00", "2024-01-15 17:00:00.000000Z"},
		{"America/New_York", "2024-07-15 12:00:00.5", "2024-07-15 16:00:00.500000Z"},
		// Spring forward 2024-03-10 02:00 EST → 03:00 EDT: 02:30 does not exist.
		{"America/New_York", "2024-03-10 01:59:59", "2024-03-10 06:59:59.000000Z"},
		{"America/New_York", "2024-03-10 02:00:00", "2024-03-10 07:00:00.000000Z"},
		{"America/New_York", "2024-03-10 02:30:00", "2024-03-10 07:30:00.000000Z"},
		{"America/New_York", "2024-03-10 03:00:00", "2024-03-10 07:00:00.000000Z"},
		{"America/New_York", "2024-03-10 03:30:00", "2024-03-10 07:30:00.000000Z"},
		// Fall back 2024-11-03 02:00 EDT → 01:00 EST: 01:30 happens twice and
		// is read as EST, the second one.
		{"America/New_York", "2024-11-03 00:59:59", "2024-11-03 04:59:59.000000Z"},
		{"America/New_York", "2024-11-03 01:00:00", "2024-11-03 06:00:00.000000Z"},
		{"America/New_York", "2024-11-03 01:30:00", "2024-11-03 06:30:00.000000Z"},
		{"America/New_York", "2024-11-03 02:00:00", "2024-11-03 07:00:00.000000Z"},
		{"America/New_York", "2024-11-03 12:00:00", "2024-11-03 17:00:00.000000Z"},
		// Southern hemisphere and a half-hour zone.
		{"Australia/Sydney", "2024-10-06 02:30:00", "2024-10-05 16:30:00.000000Z"},
		{"Australia/Sydney", "2024-04-07 02:30:00", "2024-04-06 16:30:00.000000Z"},
		{"Australia/Lord_Howe", "2024-10-06 02:15:00", "2024-10-05 15:45:00.000000Z"},
		{"Europe/London", "2024-03-31 01:30:00", "2024-03-31 01:30:00.000000Z"},
		{"Europe/London", "2024-10-27 01:30:00", "2024-10-27 01:30:00.000000Z"},
		{"UTC", "2024-03-10 02:30:00", "2024-03-10 02:30:00.000000Z"},
		{"Asia/Kolkata", "1970-01-01 05:30:00", "1970-01-01 00:00:00.000000Z"},
		{"America/Sao_Paulo", "1950-06-01 00:00:00", "1950-06-01 03:00:00.000000Z"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.in, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatalf("LoadLocation: %v", err)
			}
			tb := mustTableOpts(t, "t", schema.Options{SourceTimezone: loc}, col{"v", "datetime"})
			if k := tb.Fields[0].Type.Kind; k != schema.KindTimestampTZ {
				t.Fatalf("kind: got %v, want timestamptz", k)
			}
			got := decodeString(t, tb, "v\n"+tt.in+"\n", Options{})
			if got.err != nil {
				t.Fatalf("error: got %v, want none", got.err)
			}
			if got.rows[0][0] != tt.want {
				t.Errorf("got %s, want %s", got.rows[0][0], tt.want)
			}
		})
	}
}

// TestTimestampTZMatchesTimeDate checks the fast per-day path against Go's
// own conversion on unambiguous times across several years.
func TestTimestampTZMatchesTimeDate(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	z := newZoneResolver(loc)
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for local := start; local < start+5*366*86400; local += 3*3600 + 17 {
		w := time.Unix(local, 0).UTC()
		tt := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
		// Near a transition (a gap or an overlap) time.Date's choice is
		// unspecified: TestTimestampTZMatchesServer covers those times.
		_, before := tt.Add(-3 * time.Hour).Zone()
		_, after := tt.Add(3 * time.Hour).Zone()
		if before != after {
			continue
		}
		if got := z.utc(local); got != tt.Unix() {
			t.Fatalf("%s: got %d, want %d", w, got, tt.Unix())
		}
	}
}
