package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// typeRE splits a source type name into base name, argument list and
// modifiers: "int(10) unsigned zerofill", "decimal(12,4)", "double precision".
var typeRE = regexp.MustCompile(`^([a-z][a-z0-9 _&]*?)\s*(?:\(([^)]*)\))?\s*((?:unsigned|signed|zerofill|\s)*)$`)

// textLengthRE reads the platform's "Text (Up to 255 Characters)".
var textLengthRE = regexp.MustCompile(`^up to (\d+) characters?$`)

// parseType maps a type name from the API to a [Type]. Matching is
// case-insensitive and ignores extra spaces. precision and scale come from the
// metadata's optional fields and are used when the type string carries none.
//
// An unrecognised name maps to text with Unknown set; the caller should warn.
// The error is non-nil only for a recognised name with impossible arguments
// (for example "decimal(2,5)").
func parseType(name string, precision, scale int) (Type, error) {
	src := name
	norm := strings.Join(strings.Fields(strings.ToLower(name)), " ")
	t := Type{Source: src}
	m := typeRE.FindStringSubmatch(norm)
	if m == nil {
		return unknownType(src), nil
	}
	base, args, mods := m[1], m[2], m[3]
	unsigned := strings.Contains(mods, "unsigned")
	var nums []int
	argsAreNumbers := true
	if args != "" {
		for _, a := range strings.Split(args, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(a))
			if err != nil {
				argsAreNumbers = false
				break
			}
			nums = append(nums, n)
		}
	}
	arg := func(i int) int {
		if argsAreNumbers && i < len(nums) {
			return nums[i]
		}
		return -1
	}

	switch base {
	// The platform's own names.
	case "integer", "whole number", "int", "int4", "mediumint", "int8", "bigint", "serial", "bigserial", "long":
		switch {
		case base == "integer" && args == "" && !unsigned:
			// The platform's "Integer" is its whole-number type; make room for
			// 64-bit ids.
			t.Kind = KindInt64
		case base == "whole number", base == "bigint", base == "int8", base == "bigserial", base == "long":
			t.Kind = KindInt64
			if unsigned {
				t.Kind, t.Precision, t.Scale = KindNumeric, 20, 0
			}
		default: // int(11), int, mediumint, integer(11), serial
			t.Kind = KindInt32
			if unsigned {
				t.Kind = KindInt64
			}
		}
	case "smallint", "int2", "year":
		t.Kind = KindInt16
		if unsigned {
			t.Kind = KindInt32
		}
	case "tinyint":
		switch {
		case arg(0) == 1:
			t.Kind = KindBool
		default:
			t.Kind = KindInt16
		}
	case "bool", "boolean", "bit":
		if base == "bit" && arg(0) > 1 {
			return unknownType(src), nil
		}
		t.Kind = KindBool
	case "decimal", "decimal number", "numeric", "dec", "fixed", "number", "money":
		t.Kind = KindNumeric
		switch {
		case arg(0) > 0:
			t.Precision = int32(arg(0))
			if s := arg(1); s >= 0 {
				t.Scale = int32(s)
			}
		case precision > 0:
			t.Precision, t.Scale = int32(precision), int32(max(scale, 0))
		}
		if t.Precision > 1000 || t.Scale < 0 || (t.Precision > 0 && t.Scale > t.Precision) {
			return t, fmt.Errorf("type %q: precision %d and scale %d are not a valid decimal", src, t.Precision, t.Scale)
		}
		if base == "money" && t.Precision == 0 {
			t.Precision, t.Scale = 19, 4
		}
	case "float", "float4", "real", "double", "double precision", "float8":
		switch {
		case base == "float" && arg(0) > 24:
			t.Kind = KindFloat64
		case base == "float", base == "float4":
			t.Kind = KindFloat32
		default: // MySQL's real is a double
			t.Kind = KindFloat64
		}
	case "string", "varchar", "char", "character", "character varying", "nvarchar", "nchar",
		"tinytext", "text", "mediumtext", "longtext", "enum", "set", "uuid", "citext", "varchar2":
		t.Kind = KindText
		if n := arg(0); n > 0 && base != "enum" && base != "set" {
			t.Length = n
		}
		if base == "text" && args != "" && !argsAreNumbers {
			lm := textLengthRE.FindStringSubmatch(args)
			if lm == nil {
				return unknownType(src), nil
			}
			t.Length, _ = strconv.Atoi(lm[1])
		}
	case "datetime", "date & time", "timestamp", "timestamp without time zone", "smalldatetime", "datetime2":
		t.Kind = KindTimestamp
	case "date":
		t.Kind = KindDate
	case "time":
		t.Kind = KindInterval // MySQL's time is a duration, up to ±838:59:59
	case "time without time zone":
		t.Kind = KindTime
	case "json", "jsonb":
		t.Kind = KindJSON
	default:
		return unknownType(src), nil
	}
	if t.Kind == KindInt16 || t.Kind == KindInt32 || t.Kind == KindInt64 || t.Kind == KindNumeric {
		t.Unsigned = unsigned
	}
	return t, nil
}

func unknownType(src string) Type {
	return Type{Kind: KindText, Source: src, Unknown: true}
}
