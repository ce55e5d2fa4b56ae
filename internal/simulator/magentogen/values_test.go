package magentogen

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mbiload/mbiload/schema"
)

// TestValuesParseUnderTypes checks every value of every column against the
// column's mapped type: integers within the source SQL range (unsigned
// included), decimals within precision and scale, valid datetimes, dates,
// floats and JSON, NULL only where the metadata allows it.
func TestValuesParseUnderTypes(t *testing.T) {
	for _, seed := range []int64{1, -7} {
		for _, tb := range Warehouse(4000, seed) {
			t.Run(fmt.Sprintf("%s/seed=%d", tb.Name, seed), func(t *testing.T) {
				st, err := schema.NewTable(tb.ID, tb.Name, tb.Columns, schema.Options{})
				if err != nil {
					t.Fatalf("NewTable: %v", err)
				}
				if len(st.Warnings) > 0 {
					t.Fatalf("NewTable warnings: got %q, want none", st.Warnings)
				}
				for i, row := range tb.All(context.Background()) {
					for k, v := range row {
						f := st.Fields[k]
						if v.Null {
							if f.Source.NotNull() {
								t.Fatalf("row %d column %q: got NULL in a NOT NULL column", i, f.Source.Name)
							}
							continue
						}
						if err := checkValue(f.Type, v.Text); err != nil {
							t.Fatalf("row %d column %q (%s): %v", i, f.Source.Name, f.Source.Type, err)
						}
					}
				}
			})
		}
	}
}

var (
	decimalRE  = regexp.MustCompile(`^-?([0-9]+)(?:\.([0-9]+))?$`)
	datetimeRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$`)
)

// checkValue reports whether s is a valid value of type typ.
func checkValue(typ schema.Type, s string) error {
	switch typ.Kind {
	case schema.KindText:
		if !utf8.ValidString(s) {
			return fmt.Errorf("value %q is not UTF-8", s)
		}
		if typ.Length > 0 && utf8.RuneCountInString(s) > typ.Length {
			return fmt.Errorf("value %q is longer than %d characters", s, typ.Length)
		}
	case schema.KindBool:
		if s != "0" && s != "1" {
			return fmt.Errorf("value %q is not 0 or 1", s)
		}
	case schema.KindInt16, schema.KindInt32, schema.KindInt64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || strconv.FormatInt(n, 10) != s {
			return fmt.Errorf("value %q is not a canonical integer", s)
		}
		lo, hi := sqlIntRange(typ)
		if n < lo || n > hi {
			return fmt.Errorf("value %d is outside [%d, %d]", n, lo, hi)
		}
	case schema.KindNumeric:
		m := decimalRE.FindStringSubmatch(s)
		if m == nil {
			return fmt.Errorf("value %q is not a plain decimal", s)
		}
		if typ.Precision > 0 {
			if len(m[2]) > int(typ.Scale) {
				return fmt.Errorf("value %q has more than %d fractional digits", s, typ.Scale)
			}
			if len(strings.TrimLeft(m[1], "0")) > int(typ.Precision-typ.Scale) {
				return fmt.Errorf("value %q does not fit precision %d scale %d", s, typ.Precision, typ.Scale)
			}
		}
	case schema.KindFloat32, schema.KindFloat64:
		bits := 64
		if typ.Kind == schema.KindFloat32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(s, bits)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("value %q is not a finite float%d", s, bits)
		}
	case schema.KindDate:
		d, err := time.Parse(time.DateOnly, s)
		if err != nil || d.Format(time.DateOnly) != s {
			return fmt.Errorf("value %q is not a date", s)
		}
	case schema.KindTimestamp:
		ts, err := time.Parse("2006-01-02 15:04:05.999999", s)
		if err != nil || !datetimeRE.MatchString(s) {
			return fmt.Errorf("value %q is not a datetime", s)
		}
		if ts.Year() < 1990 || ts.Year() > 2030 {
			return fmt.Errorf("value %q is outside 1990-2030", s)
		}
	case schema.KindJSON:
		if !json.Valid([]byte(s)) {
			return fmt.Errorf("value %q is not valid JSON", s)
		}
	default:
		return fmt.Errorf("unexpected kind %v", typ.Kind)
	}
	return nil
}

// sqlIntRange returns the range of an integer type in the source database,
// from its type name ("smallint(5) unsigned": 0..65535), or of the mapped kind
// for the platform's names.
func sqlIntRange(typ schema.Type) (lo, hi int64) {
	src := strings.ToLower(typ.Source)
	bits := 64
	switch {
	case strings.HasPrefix(src, "tinyint"):
		bits = 8
	case strings.HasPrefix(src, "smallint"):
		bits = 16
	case strings.HasPrefix(src, "mediumint"):
		bits = 24
	case strings.HasPrefix(src, "int(") || src == "int" || strings.HasPrefix(src, "int "):
		bits = 32
	}
	if typ.Unsigned {
		return 0, int64(uint64(1)<<bits - 1)
	}
	return -(int64(1) << (bits - 1)), int64(uint64(1)<<(bits-1) - 1)
}

// varietyChecks name the kinds of values the pipeline must survive, each with
// a test of one value of a column of the given kind.
var varietyChecks = []struct {
	what string
	has  func(kind schema.Kind, v Value) bool
}{
	{"NULL", func(_ schema.Kind, v Value) bool { return v.Null }},
	{"empty string", func(k schema.Kind, v Value) bool { return !v.Null && v.Text == "" && k == schema.KindText }},
	{"comma", func(_ schema.Kind, v Value) bool { return strings.Contains(v.Text, ",") }},
	{"quote", func(_ schema.Kind, v Value) bool { return strings.Contains(v.Text, `"`) }},
	{"LF without CR", func(_ schema.Kind, v Value) bool {
		return strings.Contains(strings.ReplaceAll(v.Text, "\r\n", ""), "\n")
	}},
	{"CRLF", func(_ schema.Kind, v Value) bool { return strings.Contains(v.Text, "\r\n") }},
	{"HTML", func(_ schema.Kind, v Value) bool { return strings.Contains(v.Text, "<p>") }},
	{"accent", func(_ schema.Kind, v Value) bool { return strings.ContainsAny(v.Text, "éëüøł") }},
	{"CJK", func(_ schema.Kind, v Value) bool { return strings.ContainsAny(v.Text, "東京请抹茶田中") }},
	{"emoji", func(_ schema.Kind, v Value) bool {
		return strings.ContainsFunc(v.Text, func(r rune) bool { return r > 0xFFFF })
	}},
	{"negative decimal", func(k schema.Kind, v Value) bool { return k == schema.KindNumeric && strings.HasPrefix(v.Text, "-") }},
	{"fractional seconds", func(k schema.Kind, v Value) bool { return k == schema.KindTimestamp && len(v.Text) > 19 }},
	{"JSON", func(k schema.Kind, v Value) bool { return k == schema.KindJSON && !v.Null }},
	{"date", func(k schema.Kind, v Value) bool { return k == schema.KindDate && !v.Null }},
	{"float", func(k schema.Kind, v Value) bool {
		return (k == schema.KindFloat32 || k == schema.KindFloat64) && !v.Null
	}},
	{"datetime in 2019", func(k schema.Kind, v Value) bool {
		return k == schema.KindTimestamp && strings.HasPrefix(v.Text, "2019-")
	}},
	{"datetime in 2025", func(k schema.Kind, v Value) bool {
		return k == schema.KindTimestamp && strings.HasPrefix(v.Text, "2025-")
	}},
	{"bool true", func(k schema.Kind, v Value) bool { return k == schema.KindBool && v.Text == "1" }},
	{"decimal with 4 fractional digits", func(k schema.Kind, v Value) bool {
		return k == schema.KindNumeric && len(v.Text) > 5 && v.Text[len(v.Text)-5] == '.'
	}},
}

// TestVariety checks that the warehouse holds the kinds of values the
// pipeline must survive.
func TestVariety(t *testing.T) {
	seen := make([]bool, len(varietyChecks))
	for _, tb := range Warehouse(4000, 1) {
		st, err := schema.NewTable(tb.ID, tb.Name, tb.Columns, schema.Options{})
		if err != nil {
			t.Fatalf("NewTable %s: %v", tb.Name, err)
		}
		for _, row := range tb.All(context.Background()) {
			for k, v := range row {
				kind := st.Fields[k].Type.Kind
				for c := range varietyChecks {
					if !seen[c] && varietyChecks[c].has(kind, v) {
						seen[c] = true
					}
				}
			}
		}
	}
	for c, ok := range seen {
		if !ok {
			t.Errorf("values with %s: got none, want some", varietyChecks[c].what)
		}
	}
}

// TestTypeVocabulary checks that the metadata uses both the platform's type
// names and source-database ones.
func TestTypeVocabulary(t *testing.T) {
	types := map[string]bool{}
	decimalWithFields := false
	for _, tb := range Warehouse(100, 1) {
		for _, c := range tb.Columns {
			types[c.Type] = true
			if (c.Type == "Decimal" || c.Type == "Decimal Number") && c.Precision > 0 {
				decimalWithFields = true
			}
		}
	}
	for _, want := range []string{"Integer", "Decimal", "String", "Datetime", "Whole Number", "Decimal Number",
		"Text (Up to 255 Characters)", "Date & Time", "int(10) unsigned", "varchar(50)", "varchar(32)",
		"decimal(20,4)", "decimal(12,4)", "smallint(5) unsigned", "tinyint(1)", "datetime", "text",
		"json", "date", "float", "double"} {
		if !types[want] {
			t.Errorf("type %q: got none, want a column of it", want)
		}
	}
	if !decimalWithFields {
		t.Errorf("platform Decimal with precision fields: got none, want one")
	}
}
