package schema

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIdentifier(t *testing.T) {
	long := strings.Repeat("very long column name ", 10)
	tests := []struct {
		name string
		in   string
		mode IdentifierMode
		want string
	}{
		{"issue example tilde", "orders_~_line_items-mps", IdentifiersSnake, "orders_line_items_mps"},
		{"issue example apostrophe", "Customer's lifetime revenue", IdentifiersSnake, "customer_s_lifetime_revenue"},
		{"brackets", "Variant ID [pk]", IdentifiersSnake, "variant_id_pk"},
		{"quotes inside", `Customer's first "Showroom_HG" order date`, IdentifiersSnake, "customer_s_first_showroom_hg_order_date"},
		{"leading underscore kept", "_id_of_parent", IdentifiersSnake, "_id_of_parent"},
		{"trailing spaces", "Order Notes  ", IdentifiersSnake, "order_notes"},
		{"leading digit", "2nd address", IdentifiersSnake, "_2nd_address"},
		{"unicode letters kept", "Größe Überblick", IdentifiersSnake, "größe_überblick"},
		{"sql metacharacters", `x"; DROP TABLE y; --`, IdentifiersSnake, "x_drop_table_y"},
		{"nothing survives", "~~~", IdentifiersSnake, "fallback"},
		{"preserve verbatim", "Order Notes ", IdentifiersPreserve, "Order Notes "},
		{"preserve drops NUL", "a\x00b", IdentifiersPreserve, "ab"},
		{"preserve keeps digits first", "2nd", IdentifiersPreserve, "2nd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Identifier(tt.in, tt.mode, "fallback"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("63-byte limit with stable hash", func(t *testing.T) {
		got := Identifier(long, IdentifiersSnake, "x")
		if len(got) > MaxIdentifierBytes {
			t.Errorf("got %d bytes, want at most %d", len(got), MaxIdentifierBytes)
		}
		if again := Identifier(long, IdentifiersSnake, "x"); again != got {
			t.Errorf("got %q then %q, want a stable name", got, again)
		}
		other := Identifier(long+"2", IdentifiersSnake, "x")
		if other == got {
			t.Errorf("got the same name %q for two different long names, want distinct hash suffixes", got)
		}
	})
	t.Run("cut at a rune boundary", func(t *testing.T) {
		got := Identifier(strings.Repeat("é", 40), IdentifiersSnake, "x")
		if !utf8.ValidString(got) || len(got) > MaxIdentifierBytes {
			t.Errorf("got %q (%d bytes), want valid UTF-8 of at most 63 bytes", got, len(got))
		}
	})
}

func TestIdentifiersCollisions(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		mode IdentifierMode
		want []string
	}{
		{"snake collision in metadata order", []string{"Ship-To City", "ship to city", "SHIP TO CITY"}, IdentifiersSnake,
			[]string{"ship_to_city", "ship_to_city_2", "ship_to_city_3"}},
		{"suffix does not collide with a real name", []string{"a b", "a_b_2", "A B"}, IdentifiersSnake,
			[]string{"a_b", "a_b_2", "a_b_3"}},
		{"preserve: case differs, no collision", []string{"Name", "name"}, IdentifiersPreserve, []string{"Name", "name"}},
		{"fallbacks numbered by position", []string{"???", "!!!"}, IdentifiersSnake, []string{"col_1", "col_2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Identifiers(tt.in, tt.mode, func(i int) string { return "col_" + strconv.Itoa(i+1) })
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("long names colliding stay within 63 bytes and distinct", func(t *testing.T) {
		n := strings.Repeat("x", 70)
		got := Identifiers([]string{n, n + " ", n + "!"}, IdentifiersSnake, func(i int) string { return "c" })
		seen := map[string]bool{}
		for _, g := range got {
			if len(g) > MaxIdentifierBytes || seen[g] {
				t.Errorf("got %q: want distinct names of at most 63 bytes", got)
			}
			seen[g] = true
		}
	})
}

func TestQuote(t *testing.T) {
	tests := []struct {
		name  string
		parts []string
		want  string
	}{
		{"qualified", []string{"mbi", "sales_order"}, `"mbi"."sales_order"`},
		{"quote doubled", []string{`a"b`}, `"a""b"`},
		{"empty part skipped", []string{"", "t"}, `"t"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.parts...); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestQuoteLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "'plain'"},
		{"Customer's", "'Customer''s'"},
		{`back\slash`, `E'back\\slash'`},
		{"nul\x00gone", "'nulgone'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := QuoteLiteral(tt.in); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseIdentifierMode(t *testing.T) {
	for in, want := range map[string]IdentifierMode{"": IdentifiersSnake, "snake": IdentifiersSnake, "Preserve": IdentifiersPreserve} {
		if got, err := ParseIdentifierMode(in); err != nil || got != want {
			t.Errorf("ParseIdentifierMode(%q): got %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := ParseIdentifierMode("camel"); err == nil {
		t.Errorf("ParseIdentifierMode(camel): got no error, want one")
	}
}
