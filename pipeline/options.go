package pipeline

import (
	"runtime"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// Options configures a sync.
type Options struct {
	// Tables names the tables to load (ids, names or globs); empty means all.
	Tables []string
	// Exclude names tables to leave out.
	Exclude []string
	// Concurrency is how many tables download, decode and COPY at once
	// (default DefaultConcurrency()).
	Concurrency int
	// Mode is the load mode (default load.ModeReplace).
	Mode load.Mode
	// Key overrides the merge key.
	Key []string
	// ReuseExports, when positive, reuses a Completed, unexpired export of a
	// table created less than this long ago instead of creating a new one.
	ReuseExports time.Duration
	// WaitForUpdate, when positive, makes the run wait up to this long for
	// the warehouse to finish an update cycle newer than each table's last
	// successful load; tables already loaded from the latest cycle are
	// skipped. Figures and charts count as tables here: one not loaded
	// since the latest cycle is loaded, one that was is skipped.
	WaitForUpdate time.Duration
	// updatePoll is how often the update status is polled while waiting
	// (default 60 s, as the vendor asks).
	updatePoll time.Duration
	// DryRun prints the plan and touches nothing.
	DryRun bool
	// Mapping decides target names and types.
	Mapping schema.Options
	// Decode configures the CSV decoder, but for its error budget
	// (MaxBadRows), which is the loader's: load.Config.MaxBadRows.
	Decode transform.Options
	// Zip bounds what an export's zip may expand to.
	Zip transform.ZipLimits
	// TempDir is where exports are downloaded (default os.TempDir()).
	TempDir string
	// Figures and Charts are ids of figures and charts to load as tables,
	// named as FigureTargetNames and ChartTargetNames assign them; an id
	// named twice is loaded once.
	Figures, Charts []string
	// RunID identifies the run in the ledger and the report; empty means a
	// new random id.
	RunID string
	// exportRowCap is the most rows a raw table export holds (default
	// extract.MaxExportRows); see ErrExportCap.
	exportRowCap int64
	// AfterSync are the --after-sync SQL scripts: they run once, in one
	// transaction, after every table of a sync is published, when the
	// sync loaded something (see Runner.Sync).
	AfterSync []load.Script
	// runTargets are the tables (target names) the sync writes; a load
	// leaves a materialized view reading several of them to the end of
	// the run.
	runTargets []string
}

// DefaultConcurrency is the number of tables loaded at once by default:
// the number of CPUs, at least 2 (one table can download while another
// decodes) and at most 8.
func DefaultConcurrency() int {
	return min(max(runtime.NumCPU(), 2), 8)
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency()
	}
	if o.Mode == "" {
		o.Mode = load.ModeReplace
	}
	if o.updatePoll <= 0 {
		o.updatePoll = time.Minute
	}
	if o.RunID == "" {
		o.RunID = NewRunID()
	}
	if o.exportRowCap <= 0 {
		o.exportRowCap = extract.MaxExportRows
	}
	return o
}
