package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// keptNote says what a failed table's target holds now: nothing of a
// failed load is ever published, so it is the previous load's data (said
// with that load's export and time, from the ledger), nothing (no earlier
// load), or, when the ledger cannot be read, the table as it was.
func (r *Runner) keptNote(ctx context.Context, tr *TableReport) string {
	if r.Loader == nil || tr.TargetTable == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	last, err := r.Loader.LastSuccess(ctx, tr.TargetTable)
	switch {
	case err != nil:
		return tr.Target + " is as it was before this run (nothing of a failed load is published)"
	case last == nil:
		return "nothing published: " + tr.Target + " has no earlier load"
	}
	from := ""
	if last.ExportID != "" {
		from = "export " + last.ExportID + ", "
	}
	return fmt.Sprintf("the previous load (%s%d rows, loaded %s) is still published in %s", from, last.RowsLoaded,
		last.FinishedAt.UTC().Format("2006-01-02 15:04 MST"), tr.Target)
}

// failedAttrs are the log attributes of a failed table (figure, chart),
// after extra: its error, its target, and what the target holds now.
func failedAttrs(tr *TableReport, extra ...any) []any {
	attrs := append(extra, "target", tr.Target, "err", tr.Error)
	if tr.Note != "" {
		attrs = append(attrs, "published", tr.Note)
	}
	return attrs
}

// addNote appends note to the table's note.
func (tr *TableReport) addNote(note string) {
	switch {
	case note == "":
	case tr.Note == "":
		tr.Note = note
	default:
		tr.Note += "; " + note
	}
}

// upToDateNote says why an up-to-date table was not loaded again.
func upToDateNote(last *load.LedgerEntry) string {
	return alreadyLoaded(last) + ", after the warehouse's last update; nothing new to load"
}

// alreadyLoaded names a table's last load: its export and when.
func alreadyLoaded(last *load.LedgerEntry) string {
	note := "already loaded"
	if last.ExportID != "" {
		note += " from export " + last.ExportID
	}
	return note + " on " + last.FinishedAt.UTC().Format("2006-01-02 15:04 MST")
}

// RejectsError is a warning: a load that succeeded left rows out, within
// its error budget (load.Config.MaxBadRows).
type RejectsError struct {
	// Table is the target table.
	Table string
	// Rejects are the rows left out (at least one).
	Rejects []schema.Reject
	// Budget is the error budget.
	Budget int
}

// Error names the first row left out (line, column, reason) and where the
// others are.
func (e *RejectsError) Error() string {
	first := e.Rejects[0]
	where := fmt.Sprintf("line %d", first.Line)
	if first.Column != "" {
		where += ", column " + first.Column
	}
	return fmt.Sprintf("%s: %d row(s) rejected and not loaded (within the error budget of %d); first: %s: %s; "+
		"every rejected row is in the ledger's rejects table", e.Table, len(e.Rejects), e.Budget, where, first.Reason)
}
