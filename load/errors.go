package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrInvalidConfig is a [Config] that cannot work.
	ErrInvalidConfig = errors.New("load: invalid configuration")
	// ErrInvalidJob is a [Job] that cannot be loaded (no table, no source,
	// an unknown mode or key column).
	ErrInvalidJob = errors.New("load: invalid job")
	// ErrNoKey is a merge without a key: the metadata marks no primary key
	// and the job names none. Merge never falls back to another mode.
	ErrNoKey = errors.New("load: merge needs a key (a primary key in the metadata or a merge key)")
	// ErrNullKey is a NULL in a key column: a merge key, the primary key
	// of the metadata (replace, a first append) or of an existing target
	// (append, snapshot). See [RowError].
	ErrNullKey = errors.New("load: NULL in a key column")
	// ErrDuplicateKey is a key value the export holds more than once, or
	// (append, snapshot) that the table already holds: the primary key or
	// another unique index refused it. See [KeyError].
	ErrDuplicateKey = errors.New("load: duplicate key value")
	// ErrKeyNotUnique is a merge key the existing target holds more than
	// once: the merge would overwrite every row holding it.
	ErrKeyNotUnique = errors.New("load: the merge key is not unique in the table")
	// ErrAlreadyLoaded is an append or snapshot of content (an export, a
	// file) already loaded into the table in that mode with other
	// settings: loading it again would hold its rows twice.
	ErrAlreadyLoaded = errors.New("load: already loaded with other settings")
	// ErrIncompatibleType is a source column whose type cannot be written
	// into the existing target column (append, merge, snapshot).
	ErrIncompatibleType = errors.New("load: incompatible column type")
	// ErrDependentView is a view that depends on a column a replace would
	// drop or retype.
	ErrDependentView = errors.New("load: a view depends on a changed column")
	// ErrConstraint is an export that breaks a constraint of the existing
	// table: a CHECK, a foreign key, an exclusion constraint, or a NOT
	// NULL column the export does not fill. See [ConstraintError].
	ErrConstraint = errors.New("load: the export breaks a constraint of the table")
	// ErrRowCount is a row count that does not add up end to end.
	ErrRowCount = errors.New("load: row counts do not match")
	// ErrLockTimeout is another load (or a long query) holding the table
	// longer than [Config.LockTimeout].
	ErrLockTimeout = errors.New("load: timed out waiting for a lock")
	// ErrNotATable is a target name taken by something other than a table.
	ErrNotATable = errors.New("load: target exists and is not a table")
	// ErrTargetChanged is a target table altered by someone else between
	// the start of the load and its publish; the next run will succeed.
	ErrTargetChanged = errors.New("load: target table changed during the load")
	// ErrSchemaMismatch is a batch whose Arrow schema is not the table's.
	ErrSchemaMismatch = errors.New("load: batch schema does not match the table")
	// ErrUnsupportedType is an Arrow type the encoder cannot write into
	// the target column's type.
	ErrUnsupportedType = errors.New("load: unsupported type pair")
	// ErrBadValue is a value PostgreSQL cannot store.
	ErrBadValue = errors.New("load: bad value")
)

// LockError is a lock wait that ran out of time: another load of the same
// table (the advisory lock) or a session holding the table (the publish).
// It unwraps to [ErrLockTimeout].
type LockError struct {
	// Table is the target table, schema-qualified.
	Table string
	// What names the lock: "load lock" or "table lock".
	What string
	// Holders describes the sessions holding it, as found in pg_locks and
	// pg_stat_activity ("pid 123 (mbiload), running for 2m3s"); may be empty.
	Holders []string
	// Waited is how long the load waited.
	Waited string
}

// Error names the table, the lock, how long the load waited and who holds it.
func (e *LockError) Error() string {
	msg := fmt.Sprintf("%s: %s on %s not granted within %s", ErrLockTimeout.Error(), e.What, e.Table, e.Waited)
	if len(e.Holders) > 0 {
		msg += "; held by " + strings.Join(e.Holders, ", ")
	}
	return msg
}

// Unwrap returns ErrLockTimeout.
func (e *LockError) Unwrap() error { return ErrLockTimeout }

// ColumnError is a problem with one column of the target: an incompatible
// type, a view depending on a column that would be dropped or retyped, or
// a NOT NULL column without a default that the export does not fill.
type ColumnError struct {
	// Table is the target table, schema-qualified.
	Table string
	// Column is the target column name.
	Column string
	// View is the dependent view, schema-qualified, for ErrDependentView.
	View string
	// Detail says what is wrong, e.g. "text cannot become integer".
	Detail string
	// Fix, for a view, says what to do; empty: drop or change the view,
	// or load in append mode.
	Fix string
	// Err is the sentinel: ErrIncompatibleType, ErrDependentView or
	// ErrConstraint.
	Err error
}

// Error names the column, the table and, for a view, what to do about it.
func (e *ColumnError) Error() string {
	if e.View != "" {
		fix := e.Fix
		if fix == "" {
			fix = "drop or change the view, or load in append mode"
		}
		return fmt.Sprintf("%v: view %s uses column %q of %s, which %s; %s", e.Err, e.View, e.Column, e.Table, e.Detail, fix)
	}
	return fmt.Sprintf("%v: column %q of %s: %s", e.Err, e.Column, e.Table, e.Detail)
}

// Unwrap returns the sentinel.
func (e *ColumnError) Unwrap() error { return e.Err }

// RowError is a value of the export that cannot be loaded: a NULL in a
// key column ([ErrNullKey]) or a value PostgreSQL cannot store, such as a
// NULL in a column the existing target holds NOT NULL ([ErrBadValue]). It
// unwraps to the sentinel.
type RowError struct {
	// Mode is the load's mode, which starts the message ("" reads
	// "table").
	Mode Mode
	// Table is the table's source name.
	Table string
	// Line is the physical line of the CSV (1-based, the header is line 1)
	// on which the record starts, or 0 when the source does not say (see
	// [LineSource]).
	Line int64
	// Row is the record's 1-based number among the export's good rows, in
	// COPY order.
	Row int64
	// Column is the column's source name.
	Column string
	// Detail says what is wrong.
	Detail string
	// Err is the sentinel: ErrNullKey or ErrBadValue.
	Err error
}

// Error reads like `merge sales_order: line 1043, column "entity_id": key
// value is empty (NULL); merge needs a key in every row`; without a line,
// it names the row of the export instead.
func (e *RowError) Error() string {
	return fmt.Sprintf("%s: %s, column %q: %s", subject(e.Mode, e.Table), places([]int64{e.Row}, []int64{e.Line}), e.Column, e.Detail)
}

// Unwrap returns the sentinel.
func (e *RowError) Unwrap() error { return e.Err }

// subject starts a message about the export's rows: the mode (or
// "table") and the table's source name, "merge sales_order".
func subject(m Mode, table string) string {
	if m == "" {
		m = "table"
	}
	return string(m) + " " + displayName(table)
}

// displayName is a source name as is when it is a plain word, else quoted.
func displayName(s string) string {
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return fmt.Sprintf("%q", s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// RowCountError is a row count mismatch; it unwraps to [ErrRowCount].
type RowCountError struct {
	// What names the counts compared.
	What string
	// Got and Want are the counts.
	Got, Want int64
}

// Error names the counts compared and their values.
func (e *RowCountError) Error() string {
	return fmt.Sprintf("%v: %s: got %d, want %d", ErrRowCount, e.What, e.Got, e.Want)
}

// Unwrap returns ErrRowCount.
func (e *RowCountError) Unwrap() error { return ErrRowCount }

// Retryable reports whether a failed load may succeed if simply run again:
// the connection broke or could not be made (the server restarted, a
// network fault, a killed backend), or the server gave up for a transient
// reason (serialization failure, deadlock, shutdown, too many
// connections). Data errors, schema conflicts, lock timeouts and
// cancellations are not retryable. Nothing is ever half-published, so a
// retry is always safe; this only says whether it is worth it.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "40001", // serialization_failure
			pe.Code == "40P01", // deadlock_detected
			pe.Code == "57P01", // admin_shutdown (pg_terminate_backend, fast shutdown)
			pe.Code == "57P02", // crash_shutdown
			pe.Code == "57P03", // cannot_connect_now (starting up, recovering)
			pe.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	if pgconn.SafeToRetry(err) {
		return true
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || isClosedConn(err)
}

// isClosedConn recognises pgx's "conn closed" and an unexpected EOF from
// the server, which arrive without a typed error.
func isClosedConn(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return false
	}
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed)
}
