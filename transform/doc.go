// Package transform owns the middle of the pipeline: it opens a downloaded
// export (a zip file on disk holding one CSV) and decodes the CSV into
// Apache Arrow record batches typed by a [schema.Table], fast and in bounded
// memory, with errors that name the table, line, column and value.
//
// # Opening exports
//
// [OpenZip] needs random access (zip keeps its directory at the end), so the
// caller passes a file on disk: spool a download to a temporary file first.
// It accepts exactly one CSV entry and refuses unsafe paths, decompression
// bombs ([ZipLimits]), corrupt archives and unsupported methods; the
// returned [Entry] verifies the entry's CRC-32 and length when it reaches
// EOF. [OpenCSV] opens a plain CSV file as the same kind of [Entry].
//
// # CSV dialect
//
// RFC 4180: comma-separated fields; quoted fields may hold commas, doubled
// quotes and line breaks; records end with LF or CRLF (a CR inside quotes is
// data); a leading UTF-8 BOM is skipped; a final line without a line break
// is fine. A blank line is a record of one NULL field, as in PostgreSQL's
// COPY: a NULL value for a one-column table, a wrong field count otherwise,
// except that blank lines at the end of the input are ignored when the
// table has more than one column. An unquoted empty field is NULL ([Options.NullString]
// changes the marker) and `""` is the empty string. A quote inside an
// unquoted field or text after a closing quote makes a bad record (skipped
// to the end of its physical line, within the error budget); an input that
// ends inside a quoted field always fails. Text that is not valid UTF-8 is
// an error naming the line and column, never silently replaced.
//
// Line numbers are physical lines, 1-based, the header being line 1; a
// record's line is the one it starts on, and quoted line breaks advance the
// count.
//
// # Header
//
// The header row is matched to the metadata by source name: exactly first,
// then, for names left over on both sides, ignoring trailing spaces when
// that pairs them unambiguously. A reordered header is mapped, not an
// error. A missing, extra or duplicate name is [ErrHeaderMismatch].
//
// # Values
//
// Each field is parsed by its column's [schema.Kind] into the Arrow type of
// [schema.Type.Arrow], strictly (no spaces, no silent rounding):
//
//   - integers: optional + or -, digits; range-checked for smallint,
//     integer and bigint.
//   - booleans: 0, 1, t, f, true, false in any case.
//   - decimals: [+-]digits[.digits][e[+-]digits]. Into decimal(p,s) the
//     value must fit: more significant fractional digits than s is an error
//     (never rounded; extra trailing zeros are accepted since they change
//     nothing) and so are more than p-s integer digits. Numeric without a
//     precision, or wider than 76 digits, travels as canonical plain text:
//     optional '-', digits, optional '.' and digits, no '+', no exponent
//     (exponents are applied exactly, keeping PostgreSQL's display scale).
//     NaN and infinities are refused.
//   - floats: as strconv parses them, plus PostgreSQL's NaN, Infinity and
//     inf spellings; hex floats, digit separators, overflow and underflow to
//     zero are refused.
//   - dates YYYY-MM-DD (date32, days since 1970-01-01); times
//     HH:MM:SS[.ffffff] (time64[us]; 24:00:00 allowed); datetimes
//     YYYY-MM-DD HH:MM:SS[.ffffff], with ' ' or 'T', a bare date meaning
//     midnight (timestamp[us]). Digits past the sixth fractional one must be
//     zeros. MySQL's zero dates (0000-00-00, 0000-00-00 00:00:00) and
//     partial zero dates (2023-00-10) become NULL (-infinity in a NOT NULL
//     column) or an error ([Options.ZeroDates]); any other year 0 is an
//     error.
//   - timestamptz (a table with a Location): the wall-clock time is read in
//     that zone and stored as the UTC instant, as PostgreSQL's cast does:
//     a time in a spring-forward gap takes the UTC offset in force before
//     the transition, and a time in a fall-back overlap the offset after
//     it. In America/New_York 02:30 on the spring-forward day is 07:30Z,
//     01:30 on the fall-back day is 06:30Z (the second one, standard time).
//   - json: validated as PostgreSQL's jsonb input does (lone surrogates,
//     \u0000, numbers outside numeric's range, nesting past 10,000 levels
//     are row errors) and kept as text.
//   - text: as is, but it must be valid UTF-8 without NUL bytes, which
//     PostgreSQL cannot store.
//
// A NULL in a NOT NULL column is an error ([ErrNotNull]); a non-text
// column receiving `""` gets a bad-value error, as in PostgreSQL.
//
// # Errors and the error budget
//
// Every data error is a [*RowError] (table, physical line, column, value).
// With [Options.MaxBadRows] > 0 bad rows are rejected instead (see
// [Decoder.Rejects]) and never reach a batch, until one more than the budget
// fails the decode with [ErrTooManyBadRows].
//
// # Batches and ownership
//
// [Decoder.Next] returns batches of exactly t.ArrowSchema(), rows in CSV
// order, each cut at [Options.BatchRows] rows or [Options.BatchBytes] CSV
// bytes, never empty, built with [Options.Allocator]. The caller owns each
// batch and must Release it (Retain before handing it to another goroutine
// that outlives the call). [Decoder.Close] releases whatever the decoder
// still holds. [Decoder.Line] gives the line each row of the last batch
// starts on, so that a consumer (the loader) can name the line of a value
// it refuses; the parser notes only the rows where line and row stop
// advancing together (a record spanning lines, a rejected row), which
// costs one comparison per row.
//
// # Concurrency and memory
//
// Decoding runs in two goroutines under an errgroup: one reads (and so
// decompresses) the input into 1 MiB chunks, one splits records and appends
// converted values straight into the next batch's Arrow buffers. Bounded
// channels connect them (4 chunks, 1 batch), so memory is bounded by a few
// chunks plus about three batches, whatever the number of rows.
package transform
