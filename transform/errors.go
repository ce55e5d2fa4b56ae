package transform

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentinel errors. Data errors reach the caller as a [*RowError] whose Err
// unwraps to one of the row-level sentinels; test them with errors.Is.
var (
	// ErrBadValue is a field that is not a valid value of its column's type.
	ErrBadValue = errors.New("transform: bad value")
	// ErrNotNull is a NULL in a column the metadata marks NOT NULL.
	ErrNotNull = errors.New("transform: null in a not-null column")
	// ErrRagged is a record with a different number of fields than the header.
	ErrRagged = errors.New("transform: wrong number of fields")
	// ErrBadQuote is a quote where RFC 4180 does not allow one: a bare quote
	// in an unquoted field, text after a closing quote, or a quoted field
	// that is never closed.
	ErrBadQuote = errors.New("transform: bad quoting")
	// ErrInvalidUTF8 is a text field that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("transform: invalid UTF-8")
	// ErrHeaderMismatch is a header row that does not match the column
	// metadata: missing, extra or duplicate names.
	ErrHeaderMismatch = errors.New("transform: header does not match the column metadata")
	// ErrCRLineEndings is an input whose lines end with a lone CR (classic
	// Mac OS), which the decoder does not read: only LF and CRLF end lines.
	ErrCRLineEndings = errors.New("transform: the file's lines end with CR alone (classic Mac OS line endings); " +
		"only LF and CRLF are read: convert the file, e.g. with tr '\\r' '\\n'")
	// ErrNoHeader is an input without a header row.
	ErrNoHeader = errors.New("transform: no header row")
	// ErrRecordTooLarge is a record longer than [Options.MaxRecordBytes],
	// usually the sign of an unterminated quote.
	ErrRecordTooLarge = errors.New("transform: record too large")
	// ErrTooManyBadRows is returned once the rejected rows exceed
	// [Options.MaxBadRows]; it wraps the last [*RowError].
	ErrTooManyBadRows = errors.New("transform: too many bad rows")
	// ErrClosed is returned by [Decoder.Next] after [Decoder.Close].
	ErrClosed = errors.New("transform: decoder closed")
	// ErrInvalidOptions is a [Options] or [ZipLimits] value that cannot work.
	ErrInvalidOptions = errors.New("transform: invalid options")

	// ErrNoCSV is a zip without a CSV entry.
	ErrNoCSV = errors.New("transform: zip holds no CSV entry")
	// ErrMultipleCSV is a zip with more than one CSV entry.
	ErrMultipleCSV = errors.New("transform: zip holds several CSV entries")
	// ErrUnsafePath is a zip entry whose path escapes the archive ("../x",
	// "/x", "C:x" or a backslash).
	ErrUnsafePath = errors.New("transform: zip entry path escapes the archive")
	// ErrZipBomb is an entry over [ZipLimits]: too large uncompressed, or
	// expanding by more than the allowed ratio.
	ErrZipBomb = errors.New("transform: zip entry over the decompression limits")
	// ErrCorruptZip is a zip whose structure cannot be read, such as a
	// truncated central directory.
	ErrCorruptZip = errors.New("transform: corrupt zip")
	// ErrUnsupportedMethod is an entry compressed with a method other than
	// store or deflate, or encrypted.
	ErrUnsupportedMethod = errors.New("transform: unsupported zip compression method")
	// ErrChecksum is an entry whose CRC-32 does not match its data.
	ErrChecksum = errors.New("transform: zip entry checksum mismatch")
	// ErrTruncated is an entry whose data is shorter or longer than its
	// declared size.
	ErrTruncated = errors.New("transform: zip entry length mismatch")
)

// maxValueLen is how much of an offending value a [RowError] keeps.
const maxValueLen = 64

// RowError is a data error at a place in the CSV. Err unwraps to a sentinel
// such as [ErrBadValue], [ErrRagged], [ErrBadQuote], [ErrInvalidUTF8] or
// [ErrNotNull].
type RowError struct {
	// Table is the table's source name.
	Table string
	// Line is the physical line (1-based, the header is line 1) on which the
	// record starts.
	Line int64
	// Column is the column's source name, or "" for an error about the whole
	// record.
	Column string
	// Value is the offending field, shortened to about 64 bytes.
	Value string
	// Err says what is wrong.
	Err error
}

// Error reads like `table "sales_order" line 900001 column "grand_total":
// value "12.34567" has 5 fractional digits, scale is 4`.
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %q line %d", e.Table, e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, " column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason())
	return b.String()
}

// Reason is the error without its place: `value "12x" is not an integer`.
func (e *RowError) Reason() string {
	var ve *valueError
	if errors.As(e.Err, &ve) {
		return fmt.Sprintf("value %q %s", e.Value, ve.msg)
	}
	if e.Err == nil {
		return "bad row"
	}
	return e.Err.Error()
}

// Unwrap returns Err.
func (e *RowError) Unwrap() error { return e.Err }

// valueError is a reason about a field's value; RowError prints the value
// before it ("value "x" is not an integer").
type valueError struct {
	sentinel error
	msg      string
}

func (e *valueError) Error() string { return e.msg }
func (e *valueError) Unwrap() error { return e.sentinel }

// badValue returns an ErrBadValue reason.
func badValue(format string, args ...any) error {
	return &valueError{sentinel: ErrBadValue, msg: fmt.Sprintf(format, args...)}
}

// shorten cuts s to about n bytes at a rune boundary, adding an ellipsis.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > n-utf8.UTFMax && cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
