// Package termsafe makes text that comes from the warehouse (table, column,
// figure and chart names, error messages that quote them) safe to print on
// a terminal: a name such as "evil\x1b]0;pwned\a\x1b[2J" would otherwise
// set the terminal's title and clear its screen. Every human-readable
// output of mbiload (lists, summaries, plans, history, errors, progress
// lines) goes through [String] or [Text]; JSON and the log escape on their
// own, and data written to files (CSV exports) is left as it is.
package termsafe

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String returns s with every character a terminal could act on written
// as a Go escape, as the log writes it: C0 controls and DEL (ESC is
// `\x1b`, BEL `\a`, a newline `\n`), C1 controls (`\u009b`), the Unicode
// bidirectional and zero-width format characters that reorder or hide
// what is shown (`\u202e`), and bytes that are not UTF-8 (`\xff`).
// Everything else, backslashes included, is unchanged.
func String(s string) string { return escape(s, false) }

// Text is String for text of several lines (a dry-run plan, an error
// message): newlines and tabs are kept, every other control is escaped.
func Text(s string) string { return escape(s, true) }

func escape(s string, lines bool) string {
	if safe(s, lines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case lines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			q := strconv.QuoteRune(r) // '\x1b', '\a'
			b.WriteString(q[1 : len(q)-1])
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// safe reports whether s needs no escaping.
func safe(s string, lines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || (r < 0x20 || r == 0x7f) && !(lines && (r == '\n' || r == '\t')) || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports the non-ASCII characters escaped: C1 controls, and
// the format characters that reorder text or hide characters.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x200b || r == 0x200c || r == 0x200d || r == 0x200e || r == 0x200f || r == 0xfeff:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
