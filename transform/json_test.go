package transform

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzCheckJSON checks checkJSON against encoding/json's syntax check: what
// checkJSON accepts is valid JSON, and valid JSON without backslashes,
// numbers or deep nesting (the only places PostgreSQL is stricter) is
// accepted (encoding/json lets invalid UTF-8 through; PostgreSQL does not).
func FuzzCheckJSON(f *testing.F) {
	for _, c := range jsonCases() {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		err := checkJSON(v)
		valid := json.Valid(v)
		if err == nil && !valid {
			t.Fatalf("checkJSON(%q) accepts invalid JSON", v)
		}
		if err != nil && valid && utf8.Valid(v) && plainJSON(v) {
			t.Fatalf("checkJSON(%q): got %v, want it accepted", v, err)
		}
	})
}

// plainJSON reports whether v has no backslash, digit or deep nesting.
func plainJSON(v []byte) bool {
	depth := 0
	for _, c := range v {
		switch {
		case c == '\\', c >= '0' && c <= '9':
			return false
		case c == '[' || c == '{':
			depth++
		}
	}
	return depth < 100
}
