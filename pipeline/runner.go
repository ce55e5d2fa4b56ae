package pipeline

import (
	"log/slog"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
)

// Runner runs jobs. Client may be nil for local-file loads; Loader may be
// nil for a dry run that has no database.
type Runner struct {
	// Client talks to the Export API.
	Client *extract.Client
	// Loader writes to PostgreSQL.
	Loader *load.Loader
	// Log receives progress and warnings; nil discards.
	Log *slog.Logger
	// Observer receives progress events; nil ignores them.
	Observer Observer
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

func (r *Runner) obs() Observer {
	if r.Observer == nil {
		return nopObserver{}
	}
	return r.Observer
}

// setTarget records the target table in a report; pgSchema "" means the
// loader's schema.
func (r *Runner) setTarget(tr *TableReport, pgSchema, table string) {
	if pgSchema == "" {
		pgSchema = r.Loader.Schema()
	}
	tr.Target, tr.TargetSchema, tr.TargetTable = pgSchema+"."+table, pgSchema, table
}
