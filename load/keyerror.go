package load

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// KeyError is a key value a unique index of the table — the primary key
// or another — refused: the export holds it more than once, or (append,
// snapshot) the table may hold it already. It names the table by its
// source name, the key, the value and, when they were found, the rows
// holding it by their CSV lines; never the staging table the key was
// built on. It unwraps to [ErrDuplicateKey] and to the server's
// *pgconn.PgError, whose SQLSTATE it keeps (23505, or 21000 for an
// upsert meeting a key twice).
type KeyError struct {
	// Mode is the load's mode, which starts the message.
	Mode Mode
	// Table is the table's source name.
	Table string
	// Key says which key: "primary key (entity_id)", or
	// `unique index "orders_email" (lower(email))` with the server's
	// column list.
	Key string
	// Value is the key value as the message shows it: 2, "A-1",
	// (1, "x"); "" when the server did not say.
	Value string
	// Count is how many rows of the export hold the value, or 0 when not
	// counted.
	Count int64
	// Rows are the numbers among the export's rows (1-based, in COPY
	// order) of the first rows found holding the value, at most two;
	// Lines are their CSV lines, 0 where unknown (see [LineSource]).
	Rows, Lines []int64
	// Repeat says where the value's other row is.
	Repeat Repeat
	// Err is the server's error.
	Err *pgconn.PgError
}

// Repeat says where the other row holding a duplicate key value is.
type Repeat int

const (
	// RepeatInExport is a value the export holds more than once.
	RepeatInExport Repeat = iota
	// RepeatInTableOrExport is a value the table or an earlier row of the
	// export holds: the server does not say which (an append COPYing
	// straight into the table).
	RepeatInTableOrExport
	// RepeatInTable is a value the table holds already (an append).
	RepeatInTable
)

// Error reads like `replace sales_order: lines 3 and 9: primary key
// (entity_id) value 2 appears more than once in the export (SQLSTATE
// 23505)`; rows of the export stand in for unknown lines, and nothing for
// unknown rows.
func (e *KeyError) Error() string {
	var b strings.Builder
	b.WriteString(subject(e.Mode, e.Table))
	b.WriteString(": ")
	if p := places(e.Rows, e.Lines); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	b.WriteString(e.Key)
	if e.Value != "" {
		b.WriteString(" value ")
		b.WriteString(e.Value)
	}
	switch {
	case e.Repeat == RepeatInTableOrExport:
		b.WriteString(" is already in the table or earlier in the export")
	case e.Repeat == RepeatInTable:
		b.WriteString(" is already in the table")
	case e.Count > 2:
		fmt.Fprintf(&b, " appears %d times in the export", e.Count)
	default:
		b.WriteString(" appears more than once in the export")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " (SQLSTATE %s)", e.Err.Code)
	}
	return b.String()
}

// Unwrap returns ErrDuplicateKey and the server's error.
func (e *KeyError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrDuplicateKey}
	}
	return []error{ErrDuplicateKey, e.Err}
}

// places names rows by their lines when all are known, else by their
// numbers: "line 9", "lines 3 and 9", "rows 2 and 8 of the export".
func places(rows, lines []int64) string {
	if len(rows) == 0 {
		return ""
	}
	what, nums, suffix := "line", lines, ""
	for k := range rows {
		if k >= len(lines) || lines[k] <= 0 {
			what, nums, suffix = "row", rows, " of the export"
			break
		}
	}
	text := make([]string, len(nums))
	for k, n := range nums {
		text[k] = strconv.FormatInt(n, 10)
	}
	if len(text) == 1 {
		return what + " " + text[0] + suffix
	}
	return what + "s " + strings.Join(text[:len(text)-1], ", ") + " and " + text[len(text)-1] + suffix
}

// maxValueBytes is how much of a key value a message shows.
const maxValueBytes = 60

// numberRE is a value shown without quotes.
var numberRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// keyValue shows a key value given as the text of each column: numbers as
// they are, other text quoted (and cut), several columns in parentheses.
func keyValue(vals []string) string {
	out := make([]string, len(vals))
	for k, v := range vals {
		if numberRE.MatchString(v) && len(v) <= maxValueBytes {
			out[k] = v
			continue
		}
		out[k] = fmt.Sprintf("%.*q", maxValueBytes, v)
	}
	if len(out) == 1 {
		return out[0]
	}
	return "(" + strings.Join(out, ", ") + ")"
}

// parseKeyDetail splits the server's "Key (entity_id)=(2) is
// duplicated." (or "already exists.") into the key's columns and value as
// printed (several values joined by ", " cannot be told apart).
func parseKeyDetail(detail string) (cols, value string, ok bool) {
	s, ok := strings.CutPrefix(detail, "Key (")
	if !ok {
		return "", "", false
	}
	for _, end := range []string{") is duplicated.", ") already exists."} {
		if v, found := strings.CutSuffix(s, end); found {
			return strings.Cut(v, ")=(")
		}
	}
	return "", "", false
}

// keyColumns counts the columns (or expressions) of a key as the server
// lists them: `"Store ID", entity_id` is two, "coalesce(a, b)" one.
func keyColumns(list string) int {
	n, depth, quoted := 1, 0, false
	for _, c := range list {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			n++
		}
	}
	return n
}

// copyLineRE finds the row a COPY failed on in the server's context:
// "COPY sales_order, line 4500" (in a binary COPY, the row's number).
var copyLineRE = regexp.MustCompile(`(?m)^COPY .*, line ([0-9]+)`)

// copyRow returns the row of the COPY stream (1-based) that the server's
// error context names, or 0.
func copyRow(where string) int64 {
	m := copyLineRE.FindStringSubmatch(where)
	if m == nil {
		return 0
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0
	}
	return n
}
