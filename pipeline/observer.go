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
type Observer interface {
	// Stage says a table entered a stage.
	Stage(table, stage string)
	// Downloaded says how many bytes of a table's export have arrived, out
	// of total (-1 when unknown).
	Downloaded(table string, done, total int64)
	// Rows says how many rows of a table have been decoded and sent to
	// PostgreSQL so far.
	Rows(table string, rows int64)
	// Done says a table finished, with its report.
	Done(table string, r TableReport)
}

// nopObserver ignores every event.
type nopObserver struct{}

func (nopObserver) Stage(string, string)            {}
func (nopObserver) Downloaded(string, int64, int64) {}
func (nopObserver) Rows(string, int64)              {}
func (nopObserver) Done(string, TableReport)        {}

var _ Observer = nopObserver{}
