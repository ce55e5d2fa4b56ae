package transform

import (
	"fmt"
	"unicode/utf8"
)

// maxJSONDepth is how deeply arrays and objects may nest. PostgreSQL's limit
// is its stack (max_stack_depth, 2MB by default, takes a little over 10,000
// levels); deeper documents are refused here as row errors rather than
// failing the COPY.
const maxJSONDepth = 10000

// PostgreSQL numeric's limits, which jsonb numbers must fit: a weight (the
// power of 10,000 of the first non-zero digit group) in int16 and at most
// 16,383 digits after the decimal point; the exponent itself must be below
// INT_MAX/2.
const (
	numericWeightMax = 32767
	numericWeightMin = -32768
	numericScaleMax  = 16383
	numericExpMax    = 1<<30 - 1 // INT_MAX/2
)

var (
	errNotJSON = &valueError{ErrBadValue, "is not valid JSON"}
)

// jsonError is a JSON value PostgreSQL's jsonb input refuses, at byte at.
func jsonError(at int, why string) error {
	return badValue("is not valid jsonb at byte %d: %s", at, why)
}

// checkJSON accepts exactly what PostgreSQL's jsonb input accepts (for a
// UTF-8 database): RFC 8259 JSON with whitespace around it, whose \u escapes
// are not U+0000 and pair UTF-16 surrogates, whose numbers fit numeric, and
// which nests at most maxJSONDepth deep. Duplicate keys are allowed.
func checkJSON(v []byte) error {
	if !utf8.Valid(v) {
		return errInvalidUTF8
	}
	var small [64]byte
	stack := small[:0] // the open containers: '{' or '['
	i := 0
	for {
		// A value is expected at i.
		i = skipJSONSpace(v, i)
		if i >= len(v) {
			return errNotJSON
		}
		var err error
		switch c := v[i]; {
		case c == '{' || c == '[':
			if len(stack) >= maxJSONDepth {
				return jsonError(i, fmt.Sprintf("nested more than %d levels deep", maxJSONDepth))
			}
			j := skipJSONSpace(v, i+1)
			if j < len(v) && v[j] == c+2 { // '}' or ']'
				i = j + 1
				break
			}
			stack = append(stack, c)
			if c == '{' {
				if i, err = jsonKey(v, j); err != nil {
					return err
				}
			} else {
				i = j
			}
			continue
		case c == '"':
			i, err = jsonString(v, i)
		case c == '-' || c-'0' <= 9:
			i, err = jsonNumber(v, i)
		case c == 't':
			i, err = jsonLiteral(v, i, "true")
		case c == 'f':
			i, err = jsonLiteral(v, i, "false")
		case c == 'n':
			i, err = jsonLiteral(v, i, "null")
		default:
			return errNotJSON
		}
		if err != nil {
			return err
		}
		// A value ended at i: close containers until one goes on.
		for {
			i = skipJSONSpace(v, i)
			if len(stack) == 0 {
				if i != len(v) {
					return errNotJSON
				}
				return nil
			}
			if i >= len(v) {
				return errNotJSON
			}
			top := stack[len(stack)-1]
			if v[i] == top+2 {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			if v[i] != ',' {
				return errNotJSON
			}
			i++
			if top == '{' {
				if i, err = jsonKey(v, skipJSONSpace(v, i)); err != nil {
					return err
				}
			}
			break
		}
	}
}

// skipJSONSpace skips JSON whitespace from i.
func skipJSONSpace(v []byte, i int) int {
	for i < len(v) {
		switch v[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonKey reads an object key at i and its colon, returning the position
// after the colon.
func jsonKey(v []byte, i int) (int, error) {
	if i >= len(v) || v[i] != '"' {
		return 0, errNotJSON
	}
	i, err := jsonString(v, i)
	if err != nil {
		return 0, err
	}
	i = skipJSONSpace(v, i)
	if i >= len(v) || v[i] != ':' {
		return 0, errNotJSON
	}
	return i + 1, nil
}

// jsonLiteral reads the literal lit at i.
func jsonLiteral(v []byte, i int, lit string) (int, error) {
	if len(v)-i < len(lit) || string(v[i:i+len(lit)]) != lit {
		return 0, errNotJSON
	}
	return i + len(lit), nil
}

// jsonString reads the string starting with the quote at i and returns the
// position after its closing quote.
func jsonString(v []byte, i int) (int, error) {
	j := i + 1
	for j < len(v) {
		c := v[j]
		switch {
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return 0, errNotJSON
		case c != '\\':
			j++
			continue
		}
		if j+1 >= len(v) {
			return 0, errNotJSON
		}
		switch v[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
			continue
		case 'u':
		default:
			return 0, errNotJSON
		}
		r, ok := hex4(v, j+2)
		if !ok {
			return 0, errNotJSON
		}
		switch {
		case r == 0:
			return 0, jsonError(j, `\u0000, which jsonb cannot store`)
		case r >= 0xDC00 && r <= 0xDFFF:
			return 0, jsonError(j, fmt.Sprintf(`\u%04x is a UTF-16 low surrogate without a high one before it`, r))
		case r >= 0xD800 && r <= 0xDBFF:
			lo, ok := rune(0), j+12 <= len(v) && v[j+6] == '\\' && v[j+7] == 'u'
			if ok {
				lo, ok = hex4(v, j+8)
			}
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return 0, jsonError(j, fmt.Sprintf(`\u%04x is a UTF-16 high surrogate without a low one after it`, r))
			}
			j += 12
		default:
			j += 6
		}
	}
	return 0, errNotJSON
}

// hex4 reads four hex digits at i.
func hex4(v []byte, i int) (rune, bool) {
	if i+4 > len(v) {
		return 0, false
	}
	var r rune
	for _, c := range v[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// jsonNumber reads the number at i, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
// and checks that PostgreSQL's numeric can hold it (see numericWeightMax).
func jsonNumber(v []byte, i int) (int, error) {
	start := i
	if v[i] == '-' {
		i++
	}
	// nDigits counts the digits read; first is the index among them of the
	// first non-zero one (-1: none yet).
	nInt, nFrac, nDigits, first := 0, 0, 0, -1
	digitsRun := func() int {
		n := 0
		for i < len(v) && v[i]-'0' <= 9 {
			if first < 0 && v[i] != '0' {
				first = nDigits
			}
			i++
			n++
			nDigits++
		}
		return n
	}
	if i < len(v) && v[i] == '0' {
		i++
		nInt, nDigits = 1, 1
	} else if nInt = digitsRun(); nInt == 0 {
		return 0, errNotJSON
	}
	if i < len(v) && v[i] == '.' {
		i++
		if nFrac = digitsRun(); nFrac == 0 {
			return 0, errNotJSON
		}
	}
	exp := int64(0)
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		neg := false
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			neg = v[i] == '-'
			i++
		}
		n := 0
		for ; i < len(v) && v[i]-'0' <= 9; i++ {
			if exp < 1<<40 {
				exp = exp*10 + int64(v[i]-'0')
			}
			n++
		}
		if n == 0 {
			return 0, errNotJSON
		}
		if neg {
			exp = -exp
		}
	}
	outOfRange := exp >= numericExpMax || exp <= -numericExpMax ||
		int64(nFrac)-exp > numericScaleMax
	if first >= 0 && !outOfRange {
		weight := floorDiv(int64(nInt-1)+exp-int64(first), 4)
		outOfRange = weight > numericWeightMax || weight < numericWeightMin
	}
	if outOfRange {
		return 0, jsonError(start, fmt.Sprintf("the number %s is outside the range of PostgreSQL's numeric", shorten(string(v[start:i]), 24)))
	}
	return i, nil
}
