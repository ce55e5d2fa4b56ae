package pipeline

// Stages a table goes through, as reported to an Observer.
const (
	StageMetadata = "metadata"
	StageExport   = "export"
	StageWait     = "wait"
	StageQueued   = "queued"
	StageDownload = "download"
	StageLoad     = "load"
)

// Observer receives progress events, from several goroutines at once. The
// progress display (live bars on a terminal, periodic log lines otherwise)
// implements it. Methods must return quickly.
//
// Events name a table, figure or chart by a key unique within the run (its
// kind and id, such as "table 12" or "figure 360531"; a local file's path),
// not by its name: two figures may share a name. Start gives the label to
// show for a key.
type Observer interface {
	// Start says work on a table (figure, chart) began: key names it in
	// the events that follow, label is how a display shows it (its source
	// name, and its target table when another of the run has that name).
	Start(key, label string)
	// Stage says a table entered a stage.
	Stage(key, stage string)
	// Downloaded says how many bytes of a table's export have arrived, out
	// of total (-1 when unknown).
	Downloaded(key string, done, total int64)
	// Rows says how many rows of a table have been decoded and sent to
	// PostgreSQL so far.
	Rows(key string, rows int64)
	// Done says a table finished, with its report.
	Done(key string, r TableReport)
}

// RowsExpecter is an Observer that is also told, when a table's load
// starts, how many rows its export holds (when the API said), so that it
// can show the load's progress as a fraction.
type RowsExpecter interface {
	// ExpectRows says how many rows the table's load should read.
	ExpectRows(key string, rows int64)
}

// nopObserver ignores every event.
type nopObserver struct{}

func (nopObserver) Start(string, string)            {}
func (nopObserver) Stage(string, string)            {}
func (nopObserver) Downloaded(string, int64, int64) {}
func (nopObserver) Rows(string, int64)              {}
func (nopObserver) Done(string, TableReport)        {}
