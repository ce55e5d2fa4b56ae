package load

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/mbiload/mbiload/schema"
)

// Batches is a stream of Arrow record batches of one table, as
// transform.Decoder provides: Next returns batches of the table's
// [schema.Table.ArrowSchema] and io.EOF at the end; the caller owns each
// batch and releases it. Rejects returns the records refused within the
// error budget so far.
type Batches interface {
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Rejects() []schema.Reject
}

// LineSource is implemented by a [Batches] source that knows where its
// rows are in the CSV, as transform.Decoder does: a [RowError] then names
// the row's line rather than its number in the export.
type LineSource interface {
	// Line returns the physical line of the CSV (1-based, the header is
	// line 1) on which row i of the batch last returned by Next starts, or
	// 0 when unknown. It is called from the goroutine calling Next.
	Line(i int) int64
}

// Job is one table load.
type Job struct {
	// RunID identifies the mbiload run; empty means a random one.
	RunID string
	// Table is the resolved source table: target name, columns, types.
	Table *schema.Table
	// Mode is the load mode; empty means [ModeReplace].
	Mode Mode
	// Key overrides the merge key: target or source column names.
	Key []string
	// ExportID is the API's export id, "" for a local file.
	ExportID string
	// ExportedAt is the export's time (zero when unknown).
	ExportedAt time.Time
	// SHA256 is the hex digest of the export file (zip or CSV).
	SHA256 string
	// Bytes is the size of the export file.
	Bytes int64
	// Decode names the decoder's settings that shape the rows besides the
	// table (the NULL marker, zero dates: name → value), for the load's
	// fingerprint: a file loaded again with other settings is not
	// skipped (see checkPublished).
	Decode map[string]string
	// ExpectedRows is the export's row count as the API reports it, or -1
	// when unknown. Good rows plus rejected rows must equal it.
	ExpectedRows int64
	// Source yields the rows. A skipped load does not read it; the caller
	// closes it either way.
	Source Batches
	// Progress, when set, is called with the row count of each batch as the
	// COPY takes it (from the COPY's goroutine: it must be quick and safe
	// for concurrent use), for progress displays.
	Progress func(rows int64)
	// OtherTargets names the other tables (of the target schema) the run
	// loads: a materialized view reading one of them as well as this
	// table is not refreshed by this load but left to the caller
	// ([ViewDeferred], [Loader.RefreshViews]), to refresh once after the
	// last of them.
	OtherTargets []string
}

// Mechanisms: how a load wrote its rows (see [Result.Mechanism]).
const (
	// MechanismCreate is a first load: the table was created in the load's
	// transaction and filled.
	MechanismCreate = "create"
	// MechanismSwap is a replace that renamed a fully built staging table
	// into place of the old one.
	MechanismSwap = "swap"
	// MechanismInPlace is a replace that deleted the table's rows and
	// inserted the staged rows, because the table has dependents a swap
	// cannot carry.
	MechanismInPlace = "in-place"
	// MechanismInPlaceKeyed is an in-place replace matched on a key: of a
	// table other tables reference, rows whose key left the export are
	// deleted and the others upserted, so referencing rows keep their
	// targets; of a table with columns a user added, each new row gets
	// those columns' values from the old row of its key.
	MechanismInPlaceKeyed = "in-place-keyed"
	// MechanismCopy is an append that COPYed straight into the table.
	MechanismCopy = "copy"
	// MechanismStagedInsert is an append that staged the rows, added the new
	// columns and inserted them.
	MechanismStagedInsert = "staged-insert"
	// MechanismMerge is a merge through PostgreSQL's MERGE.
	MechanismMerge = "merge"
)

// Result describes a load.
type Result struct {
	// Status is StatusLoaded, StatusSkipped or StatusFailed.
	Status string
	// Schema and Table name the table written (for snapshot, <table>_history).
	Schema, Table string
	// Mode is the load mode.
	Mode Mode
	// RowsRead counts the good rows the source yielded, RowsRejected the
	// records it refused, RowsLoaded the rows written to the target (for
	// merge: inserted plus updated).
	RowsRead, RowsRejected, RowsLoaded int64
	// Mechanism says how the rows were published (the Mechanism* constants);
	// MechanismReason why, when it is not the mode's usual one.
	Mechanism       string
	MechanismReason string
	// SchemaChanges lists the differences found against the existing table
	// ("added column ...", "dropped column ...", "retyped column ...").
	SchemaChanges []string
	// Warnings lists things done that a user may want to know, such as an
	// index on a dropped column that was not re-created.
	Warnings []string
	// CopyDuration is the time spent streaming rows; PublishDuration the
	// time from the end of the COPY to the commit.
	CopyDuration, PublishDuration time.Duration
	// Duration is the whole load.
	Duration time.Duration
	// LedgerID is the id of the ledger row written.
	LedgerID int64
	// Note says why a skipped load was skipped: which earlier load
	// published the same content with the same settings, and when.
	Note string
	// Distribution says how Citus spreads the table written
	// ([DistributionHash] by a column, [DistributionReference]), "" for a
	// table it does not.
	Distribution string
	// QuickStatistics says the ANALYZE before the publish sampled a tenth
	// of the usual rows (statistics target 10), because autovacuum analyzes
	// the table fully soon after the commit anyway (see load/README.md).
	QuickStatistics bool
	// Views are the materialized views reading the table (directly or
	// through views) and what became of each: refreshed, failed (the
	// table is published all the same) or deferred (see
	// [Config.RefreshViews]).
	Views []ViewRefresh
}
