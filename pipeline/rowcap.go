package pipeline

import (
	"fmt"

	"github.com/mbiload/mbiload/extract"
)

// The Export API caps a raw table export at extract.MaxExportRows rows
// ("so don't try this on very large tables"). The vendor does not say
// whether a larger table's export fails or is cut short; either way, a
// replace from it would lose rows. mbiload therefore refuses a table the
// API lists above the cap before exporting it, and refuses to publish an
// export that holds exactly the cap while the table lists another count
// (the listing may be stale: the table grew past the cap since).

// checkListedRows fails a table whose listed row count exceeds the cap.
func checkListedRows(t extract.Table, rowCap int64) error {
	if listed := int64(t.RowCount); listed > rowCap {
		return fmt.Errorf("%w: table %q lists %d rows, more than the %d rows a raw export holds: "+
			"an export would fail or be cut short, so it is not loaded and its published table is left as it was",
			ErrExportCap, t.Name, listed, rowCap)
	}
	return nil
}

// exportRowCheck returns the check an export of t's row count (rows read,
// rejected ones included) must pass before it is published: rowCap rows
// while t lists another count means the export may be cut short.
func exportRowCheck(t extract.Table, rowCap int64) func(rows int64) error {
	listed := int64(t.RowCount)
	return func(rows int64) error {
		if rows >= rowCap && listed != rows {
			return fmt.Errorf("%w: the export of %q holds %d rows, the Export API's cap, while the table lists %d: "+
				"it may have been cut short, so it is not published and the table is left as it was",
				ErrExportCap, t.Name, rows, listed)
		}
		return nil
	}
}
