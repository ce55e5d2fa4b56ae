package termsafe

import (
	"testing"
)

// TestEscape checks what is escaped and what is kept, for one-line names
// (String) and text of several lines (Text).
func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, str, text string
	}{
		{"plain", "sales_order", "sales_order", "sales_order"},
		{"unicode", "Größe_日本語 таблица", "Größe_日本語 таблица", "Größe_日本語 таблица"},
		{"title and clear", "evil\x1b]0;pwned\a\x1b[2J", `evil\x1b]0;pwned\a\x1b[2J`, `evil\x1b]0;pwned\a\x1b[2J`},
		{"lines", "a\nb\tc\r", `a\nb\tc\r`, "a\nb\tc\\r"},
		{"nul del bs", "a\x00b\x7fc\bd", `a\x00b\x7fc\bd`, `a\x00b\x7fc\bd`},
		{"c1 csi", "a\u009b31mb\u0085", `a\u009b31mb\u0085`, `a\u009b31mb\u0085`},
		{"bidi override", "txt.\u202egnp", `txt.\u202egnp`, `txt.\u202egnp`},
		{"zero width", "ad\u200bmin", `ad\u200bmin`, `ad\u200bmin`},
		{"invalid utf-8", "a\xffb\xc3", `a\xffb\xc3`, `a\xffb\xc3`},
		{"replacement char kept", "a\uFFFDb", "a\uFFFDb", "a\uFFFDb"},
		{"backslash kept", `a\x1bb`, `a\x1bb`, `a\x1bb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.str {
				t.Errorf("String(%q): got %q, want %q", tt.in, got, tt.str)
			}
			if got := Text(tt.in); got != tt.text {
				t.Errorf("Text(%q): got %q, want %q", tt.in, got, tt.text)
			}
		})
	}
}
