package pipeline

import "errors"

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
)
