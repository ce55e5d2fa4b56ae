package pipeline

import "errors"

var (
	// ErrNoTables is returned when a selection names no table.
	ErrNoTables = errors.New("pipeline: no such table")
	// ErrNothingNew is returned by a run that waited for a warehouse update
	// newer than the last successful load and found none.
	ErrNothingNew = errors.New("pipeline: no warehouse update since the last load")
)
