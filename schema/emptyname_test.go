package schema

import (
	"errors"
	"strings"
	"testing"
)

// TestNamesOfNothing checks source table names of which nothing survives
// the identifier rule, as a local file without an id has them: each gets
// a name of its own (before, all became "table" and replaced each other),
// the same one every time; an empty name with no id is refused.
func TestNamesOfNothing(t *testing.T) {
	t.Parallel()
	cols := []Column{{Name: "id", Type: "integer"}}
	for _, mode := range []IdentifierMode{IdentifiersSnake, IdentifiersPreserve} {
		seen := map[string]string{}
		for _, name := range []string{"!!!", "_", "  ", "\x00", "---", "table"} {
			tbl, err := NewTable("", name, cols, Options{Identifiers: mode})
			if err != nil {
				t.Fatalf("%s: NewTable(%q): %v", mode, name, err)
			}
			if other, dup := seen[tbl.Name]; dup {
				t.Errorf("%s: %q and %q both named %q", mode, other, name, tbl.Name)
			}
			seen[tbl.Name] = name
			again, _ := NewTable("", name, cols, Options{Identifiers: mode})
			if again.Name != tbl.Name {
				t.Errorf("%s: %q named %q, then %q", mode, name, tbl.Name, again.Name)
			}
			if tbl.Name == "" || strings.ContainsRune(tbl.Name, 0) {
				t.Errorf("%s: %q named %q", mode, name, tbl.Name)
			}
		}
		if _, err := NewTable("", "", cols, Options{Identifiers: mode}); !errors.Is(err, ErrNoName) {
			t.Errorf("%s: NewTable of an empty name: got %v, want ErrNoName", mode, err)
		}
		if tbl, err := NewTable("17", "", cols, Options{Identifiers: mode}); err != nil || tbl.Name != "table_17" {
			t.Errorf("%s: NewTable of an empty name with id 17: got %v, %v; want table_17", mode, tbl, err)
		}
	}
}
