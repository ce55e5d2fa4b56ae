package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// IdentifierMode selects how source names become PostgreSQL identifiers.
type IdentifierMode string

// The identifier modes.
const (
	// IdentifiersSnake lower-cases names into snake_case (the default).
	IdentifiersSnake IdentifierMode = "snake"
	// IdentifiersPreserve keeps names verbatim (quoted), applying only the
	// 63-byte limit and collision rules.
	IdentifiersPreserve IdentifierMode = "preserve"
)

// ParseIdentifierMode parses "snake" (or "") and "preserve".
func ParseIdentifierMode(s string) (IdentifierMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "snake", "snake_case":
		return IdentifiersSnake, nil
	case "preserve", "verbatim":
		return IdentifiersPreserve, nil
	}
	return "", fmt.Errorf("identifier mode %q: want snake or preserve", s)
}

// MaxIdentifierBytes is PostgreSQL's identifier length limit (NAMEDATALEN-1).
const MaxIdentifierBytes = 63

// hashSuffixLen is the length of "_" plus 8 hex digits.
const hashSuffixLen = 9

// Identifier turns one source name into a PostgreSQL identifier under mode,
// without collision handling (see [Identifiers]). fallback is used when
// nothing of the name survives (for example "col_3").
func Identifier(name string, mode IdentifierMode, fallback string) string {
	var id string
	if mode == IdentifiersPreserve {
		id = strings.ReplaceAll(strings.ToValidUTF8(name, "\uFFFD"), "\x00", "")
	} else {
		id = snake(name)
	}
	if id == "" {
		id = fallback
	}
	if mode != IdentifiersPreserve && id[0] >= '0' && id[0] <= '9' {
		id = "_" + id
	}
	if len(id) > MaxIdentifierBytes {
		id = truncateWithHash(id, name, MaxIdentifierBytes)
	}
	return id
}

// snake lower-cases name and replaces every run of characters that are not
// letters or digits with one underscore, trimming underscores at both ends
// (one leading underscore survives when the name began with one).
func snake(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	pendingSep := false
	for _, r := range strings.ToValidUTF8(name, "") {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if pendingSep && b.Len() > 0 {
				b.WriteByte('_')
			}
			pendingSep = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		pendingSep = true
	}
	s := b.String()
	if s != "" && strings.HasPrefix(name, "_") {
		s = "_" + s
	}
	return s
}

// truncateWithHash cuts id to fit limit bytes at a rune boundary and appends
// "_" and 8 hex digits of the SHA-256 of original.
func truncateWithHash(id, original string, limit int) string {
	sum := sha256.Sum256([]byte(original))
	suffix := "_" + hex.EncodeToString(sum[:4])
	return cutRunes(id, limit-len(suffix)) + suffix
}

// cutRunes returns the longest prefix of s of at most n bytes that ends at a
// rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Identifiers maps a list of source names (in metadata order) to distinct
// identifiers: names are converted with [Identifier], then a name equal to an
// earlier one gets "_2", "_3", ... (cut so the result still fits 63 bytes).
// fallback(i) names the i-th entry (0-based) when nothing of it survives.
// Comparison is exact, since every identifier is quoted.
func Identifiers(names []string, mode IdentifierMode, fallback func(i int) string) []string {
	return assign(names, mode, fallback, nil)
}

// systemColumns are the names of PostgreSQL's system columns, which no
// column of a table can have (oid is an ordinary name since PostgreSQL 12).
var systemColumns = map[string]bool{"tableoid": true, "xmin": true, "cmin": true, "xmax": true, "cmax": true, "ctid": true}

// systemColumnSuffix is appended to a column name that is a PostgreSQL
// system column name (see [ColumnIdentifiers]).
const systemColumnSuffix = "_"

// ColumnIdentifiers is [Identifiers] for the columns of one table: a name
// that comes out as one of PostgreSQL's system column names (xmin, xmax,
// cmin, cmax, ctid, tableoid), which a table cannot have, gets
// an underscore ("xmin" becomes "xmin_"; in preserve mode "XMIN"
// is another name and stays) before the collision rule, so a column
// already named "xmin_" then gets "xmin__2". The snake rule trims
// trailing underscores, so there no source name can come out as "xmin_".
func ColumnIdentifiers(names []string, mode IdentifierMode, fallback func(i int) string) []string {
	return assign(names, mode, fallback, func(id string) string {
		if systemColumns[id] {
			return id + systemColumnSuffix
		}
		return id
	})
}

// assign implements [Identifiers]; rename, when not nil, maps each
// identifier before the collision rule.
func assign(names []string, mode IdentifierMode, fallback func(i int) string, rename func(string) string) []string {
	out := make([]string, len(names))
	used := make(map[string]bool, len(names))
	for i, n := range names {
		id := Identifier(n, mode, fallback(i))
		if rename != nil {
			id = rename(id)
		}
		if used[id] {
			for k := 2; ; k++ {
				suffix := "_" + strconv.Itoa(k)
				cand := cutRunes(id, MaxIdentifierBytes-len(suffix)) + suffix
				if !used[cand] {
					id = cand
					break
				}
			}
		}
		used[id] = true
		out[i] = id
	}
	return out
}

// TableIdentifier maps a source table name to a target table name under
// mode. When nothing of the name survives ("!!!", "_", "  " in snake
// case), the fallback is "table_ID", or without an id (a local file)
// "table_" and 8 hex digits of the name's SHA-256: names that lose every
// character still get names of their own.
func TableIdentifier(name string, id ID, mode IdentifierMode) string {
	fallback := "table_" + snake(string(id))
	if id == "" {
		sum := sha256.Sum256([]byte(name))
		fallback = "table_" + hex.EncodeToString(sum[:4])
	}
	return Identifier(name, mode, fallback)
}

// Quote returns the quoted, schema-qualified form of an identifier path,
// e.g. Quote("mbi", "sales_order") is "mbi"."sales_order". Empty parts are
// skipped.
func Quote(parts ...string) string {
	id := make(pgx.Identifier, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			id = append(id, p)
		}
	}
	return id.Sanitize()
}

// QuoteLiteral returns s as a PostgreSQL string literal, for statements such
// as COMMENT ON that take no parameters. A value with backslashes is written
// in the escape-string form (E'...'), as PostgreSQL's own quote_literal does.
func QuoteLiteral(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		q = "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}
