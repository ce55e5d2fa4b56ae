package pipeline

import (
	"errors"
	"fmt"
)

var (
	// ErrNotExportFile is a local file that is neither a zip nor CSV text.
	ErrNotExportFile = errors.New("pipeline: not an export file")
	// ErrNoTables is returned when a selection names no table.
	ErrNoTables = errors.New("pipeline: no such table")
	// ErrNothingNew is returned by a run that waited for a warehouse update
	// newer than the last successful load and found none.
	ErrNothingNew = errors.New("pipeline: no warehouse update since the last load")
	// ErrNotListed is returned for a figure or chart that the API's list
	// (GET /figure or GET /chart) does not hold: its table name is chosen
	// over that list, so it cannot be chosen safely.
	ErrNotListed = errors.New("pipeline: not in the API's list of figures or charts, so no table name can be chosen for it")
	// ErrExportCap is returned for a table too large for one raw export
	// (the API caps exports at extract.MaxExportRows rows), or an export
	// holding exactly that many rows while the table lists another count:
	// such an export may have been cut short, so it is not published.
	ErrExportCap = errors.New("pipeline: table exceeds the Export API's row cap")
	// ErrBackfillMode is a backfill asked for a mode other than merge or
	// snapshot (Options.Mode).
	ErrBackfillMode = errors.New("pipeline: a backfill loads in merge or snapshot mode")
	// ErrTempDirFull is a download that filled the temp dir
	// (Options.TempDir).
	ErrTempDirFull = errors.New("the temp dir is full")
)

// PatternError is a table pattern of Options.Tables or, when Exclude,
// Options.Exclude that cannot be matched.
type PatternError struct {
	// Exclude says the pattern is one of Options.Exclude.
	Exclude bool
	// Pattern is the pattern as given.
	Pattern string
	// Err says what is wrong with it.
	Err error
}

// Error names the pattern and what is wrong with it.
func (e *PatternError) Error() string {
	what := "table pattern"
	if e.Exclude {
		what = "excluded table pattern"
	}
	return fmt.Sprintf("%s %q: %v", what, e.Pattern, e.Err)
}

// Unwrap returns what is wrong with the pattern.
func (e *PatternError) Unwrap() error { return e.Err }
