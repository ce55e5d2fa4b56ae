package schema

import "errors"

var (
	// ErrNoColumns is returned when column metadata holds no columns.
	ErrNoColumns = errors.New("schema: no columns")
	// ErrDuplicateColumn is returned when two columns have the same source name,
	// which would make matching a CSV header to the metadata ambiguous.
	ErrDuplicateColumn = errors.New("schema: duplicate column name")
	// ErrBadMetadata is returned for column metadata that cannot be decoded.
	ErrBadMetadata = errors.New("schema: bad column metadata")
	// ErrNoName is a table with neither a name nor an id: nothing to name
	// its target table after.
	ErrNoName = errors.New("schema: empty table name")
)
