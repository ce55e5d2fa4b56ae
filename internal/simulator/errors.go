package simulator

import "errors"

var (
	// ErrNoMetadata is returned by [LoadDir] when a CSV file has no
	// "<table>.columns.json" beside it.
	ErrNoMetadata = errors.New("simulator: missing column metadata")
	// ErrNoTables is returned by [LoadDir] for a directory without CSV files.
	ErrNoTables = errors.New("simulator: no tables")
	// ErrBadConfig is returned by [New] and [Server.CompleteUpdate] for an
	// invalid configuration.
	ErrBadConfig = errors.New("simulator: bad config")
	// ErrClosed is returned when a closed [Server] is used.
	ErrClosed = errors.New("simulator: server closed")
)
