package pipeline

import (
	"log/slog"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
)

// Runner runs jobs. Client may be nil for local-file loads; Loader may be
// nil for a dry run against a warehouse mbiload has not set up yet (its
// plans then show every table as new, in Schema).
type Runner struct {
	// Client talks to the Export API.
	Client *extract.Client
	// Loader writes to PostgreSQL.
	Loader *load.Loader
	// Schema is the target schema plans name when Loader is nil; empty
	// means load.DefaultSchema. With a Loader, the loader's schema is used.
	Schema string
	// Log receives progress and warnings; nil discards.
	Log *slog.Logger
	// Observer receives progress events; nil ignores them.
	Observer Observer
	// Distribute are the Citus distribution rules a dry run's plans show
	// when Loader is nil (a warehouse not set up yet); with a Loader, the
	// loader's (load.Config.Distribute).
	Distribute []load.DistributeRule
	// Advice, when set, returns what to add to the text of a table's
	// error (in the report, the log and the summary): the CLI says which
	// of its flags would change the outcome. The ledger keeps the error
	// as the loader wrote it.
	Advice func(error) string
}

// errorText is a table's error as reported: load.ErrorText and the
// Advice.
func (r *Runner) errorText(err error) string {
	text := load.ErrorText(err)
	if r.Advice != nil && err != nil {
		text += r.Advice(err)
	}
	return text
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
		pgSchema = r.schema()
	}
	tr.Target, tr.TargetSchema, tr.TargetTable = pgSchema+"."+table, pgSchema, table
}

// schema is the target schema: the loader's, else Schema or the default.
func (r *Runner) schema() string {
	switch {
	case r.Loader != nil:
		return r.Loader.Schema()
	case r.Schema != "":
		return r.Schema
	}
	return load.DefaultSchema
}
