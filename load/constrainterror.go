package load

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATEs of a constraint the rows break.
const (
	codeNotNullViolation   = "23502"
	codeForeignKeyViolate  = "23503"
	codeCheckViolation     = "23514"
	codeExclusionViolation = "23P01"
)

// ConstraintError is an export that breaks a constraint of the existing
// table other than a unique key (those are [KeyError]s): a CHECK, a
// foreign key, an exclusion constraint, or a NOT NULL column the export
// does not fill. It names the table by its source name, the constraint by
// its name and definition in the table, and the value and the CSV line
// where the server says them; never the staging table. It unwraps to
// [ErrConstraint] and to the server's *pgconn.PgError.
type ConstraintError struct {
	// Mode is the load's mode, which starts the message.
	Mode Mode
	// Table is the table's source name.
	Table string
	// Kind is "check constraint", "foreign key", "exclusion constraint"
	// or "NOT NULL column".
	Kind string
	// Name is the constraint's name (the column's, for NOT NULL).
	Name string
	// Def is the constraint's definition, "" when not known.
	Def string
	// Row is the row of the export (1-based, in COPY order) the server
	// refused, 0 when it did not say; Line its CSV line, 0 when unknown.
	Row, Line int64
	// Value shows the refused values of the constraint's columns
	// ("total = -0.50"), "" when they could not be told apart.
	Value string
	// Err is the server's error; its Detail is shown when Value is empty.
	Err *pgconn.PgError
}

// Error reads like `replace Orders: line 3: check constraint
// "total_positive" (CHECK ((total >= (0)::numeric))) refuses total =
// -0.50 (SQLSTATE 23514)`, or for a foreign key `... refuses the export:
// key (id)=(99) is not present in table "ids" (SQLSTATE 23503)`.
func (e *ConstraintError) Error() string {
	var b strings.Builder
	b.WriteString(subject(e.Mode, e.Table))
	b.WriteString(": ")
	if e.Row > 0 {
		b.WriteString(places([]int64{e.Row}, []int64{e.Line}))
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s %q", e.Kind, e.Name)
	if e.Def != "" {
		b.WriteString(" (" + e.Def + ")")
	}
	b.WriteString(" refuses ")
	detail := ""
	if e.Err != nil {
		detail = strings.TrimSuffix(e.Err.Detail, ".")
	}
	switch {
	case e.Value != "":
		b.WriteString(e.Value)
	case strings.HasPrefix(detail, failingRow):
		b.WriteString("the row " + cutText(strings.TrimPrefix(detail, failingRow), maxRowBytes))
	case detail != "":
		b.WriteString("the export: " + strings.ToLower(detail[:1]) + detail[1:])
	default:
		b.WriteString("the export")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " (SQLSTATE %s)", e.Err.Code)
	}
	return b.String()
}

// Unwrap returns ErrConstraint and the server's error.
func (e *ConstraintError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrConstraint}
	}
	return []error{ErrConstraint, e.Err}
}

// failingRow starts the server's detail of a row a CHECK or NOT NULL
// refused: "Failing row contains (10, Xavier, -0.50, null)".
const failingRow = "Failing row contains "

// maxRowBytes is how much of a refused row a message shows.
const maxRowBytes = 300

// constraintKinds names the constraints a ConstraintError is about by
// their SQLSTATE.
var constraintKinds = map[string]string{
	codeCheckViolation:     "check constraint",
	codeForeignKeyViolate:  "foreign key",
	codeExclusionViolation: "exclusion constraint",
	codeNotNullViolation:   "NOT NULL column",
}

// constraintError turns err into a *ConstraintError when the server
// refused rows for breaking constraint c (nil: the one the server names,
// in cons), and returns any other error as is. rowCols are the columns
// of the table the rows went into, for rowValues; info names c's.
func (r *loadRun) constraintError(err error, c *constraintInfo, cons []constraintInfo, info *tableInfo, rowCols []string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	kind, ok := constraintKinds[pe.Code]
	if !ok {
		return err
	}
	if c == nil {
		if k := slices.IndexFunc(cons, func(x constraintInfo) bool { return x.Name == pe.ConstraintName }); k >= 0 {
			c = &cons[k]
		}
	}
	ce := &ConstraintError{Mode: r.job.Mode, Table: r.job.Table.SourceName, Kind: kind, Err: pe}
	var cols []string
	switch {
	case pe.Code == codeNotNullViolation:
		ce.Name, cols = pe.ColumnName, []string{pe.ColumnName}
	case c != nil:
		ce.Name, ce.Def = c.Name, c.Def
		if info != nil {
			cols = columnNames(info, c.Columns)
		}
	default:
		ce.Name = pe.ConstraintName
	}
	if row := copyRow(pe.Where); row > 0 {
		ce.Row, ce.Line = row, r.lines.line(row)
	}
	ce.Value = rowValues(pe.Detail, rowCols, cols)
	return ce
}

// rowValues picks the values of cols ("total = -0.50") out of the
// server's "Failing row contains (...)", a row of the columns rowCols; ""
// when the values cannot be told apart (a value holding ", ").
func rowValues(detail string, rowCols, cols []string) string {
	row, ok := strings.CutPrefix(detail, failingRow+"(")
	if !ok || len(cols) == 0 {
		return ""
	}
	vals := strings.Split(strings.TrimSuffix(row, ")."), ", ")
	if len(vals) != len(rowCols) {
		return ""
	}
	var out []string
	for _, c := range cols {
		k := slices.Index(rowCols, c)
		if k < 0 {
			return ""
		}
		out = append(out, displayName(c)+" = "+cutText(vals[k], maxValueBytes))
	}
	return strings.Join(out, ", ")
}

// cutText cuts s to at most n bytes on a rune boundary, marking the cut.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutBytes(s, n) + "…"
}
