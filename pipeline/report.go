package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mbiload/mbiload/internal/atomicfile"
	"github.com/mbiload/mbiload/load"
)

// Table statuses in a report, beyond the loader's loaded/skipped/failed.
const (
	// StatusLoaded is a table whose export was published.
	StatusLoaded = "loaded"
	// StatusSkipped is a table whose export was already published.
	StatusSkipped = "skipped"
	// StatusUpToDate is a table already loaded from the warehouse's latest
	// update cycle (with a wait for updates).
	StatusUpToDate = "up-to-date"
	// StatusFailed is a table that published nothing.
	StatusFailed = "failed"
	// StatusPlanned is a table in a dry run.
	StatusPlanned = "planned"
)

// What a dry run's plan would do with a table (TableReport.PlanAction).
const (
	PlanCreate   = "create"     // create the table
	PlanChange   = "change"     // load it, changing its columns
	PlanLoad     = "load"       // load it, its columns as they are
	PlanUpToDate = "up-to-date" // not load it: already loaded from the latest update
	PlanFail     = "fail"       // the load would fail
)

// Durations are the seconds a table spent in each stage.
type Durations struct {
	// Metadata, Export, Wait, Download and Load are the stages: reading the
	// table's columns, creating (or finding) the export, waiting for it to
	// complete, downloading it, and decoding and loading it.
	Metadata float64 `json:"metadata"`
	Export   float64 `json:"export"`
	Wait     float64 `json:"wait"`
	Download float64 `json:"download"`
	Load     float64 `json:"load"`
	// Total is the table's whole time, the wait for a free download and
	// load slot included.
	Total float64 `json:"total"`
}

// TableReport is what happened to one table in a run.
type TableReport struct {
	// Kind is "table", "figure" or "chart".
	Kind string `json:"kind"`
	// SourceID and Source identify the table (or figure or chart) in the API.
	SourceID string `json:"source_id"`
	Source   string `json:"source"`
	// Target is the PostgreSQL table as schema.table (unquoted, for
	// people); TargetSchema and TargetTable are its parts.
	Target       string `json:"target"`
	TargetSchema string `json:"target_schema"`
	TargetTable  string `json:"target_table"`
	// Mode is the load mode.
	Mode string `json:"mode"`
	// ExportID is the export loaded; ExportReused says it was not created by
	// this run.
	ExportID     string `json:"export_id,omitempty"`
	ExportReused bool   `json:"export_reused,omitempty"`
	// File is the local export file loaded, for load-file and backfills of
	// files.
	File string `json:"file,omitempty"`
	// Status is one of the Status* constants.
	Status string `json:"status"`
	// Mechanism says how the loader published the rows.
	Mechanism string `json:"mechanism,omitempty"`
	// RowsRead counts the export's records read (rejected ones included),
	// RowsRejected those refused (each in the ledger's rejects table),
	// RowsLoaded the rows written to the target.
	RowsRead     int64 `json:"rows_read"`
	RowsRejected int64 `json:"rows_rejected"`
	RowsLoaded   int64 `json:"rows_loaded"`
	// Bytes is the size of the downloaded export file.
	Bytes int64 `json:"bytes"`
	// Durations per stage, in seconds.
	Durations Durations `json:"durations_seconds"`
	// SchemaChanges lists differences found against the existing table.
	SchemaChanges []string `json:"schema_changes,omitempty"`
	// Warnings lists mapping and loading notes.
	Warnings []string `json:"warnings,omitempty"`
	// Note says why a skipped table was skipped: the earlier load of the
	// same export or file with the same settings, and when.
	Note string `json:"note,omitempty"`
	// Plan is the dry run's description of what would be done.
	Plan string `json:"plan,omitempty"`
	// PlanAction sums the plan up: one of the Plan* constants.
	PlanAction string `json:"plan_action,omitempty"`
	// Error is the failure's message.
	Error string `json:"error,omitempty"`
	// FinishedAt is when the table finished.
	FinishedAt time.Time `json:"finished_at"`
	// Views are the materialized views reading the table and what its
	// load did with each (refreshed, failed, or deferred to the end of
	// the run: see Report.Views).
	Views []load.ViewRefresh `json:"views,omitempty"`
}

// Report is a run's outcome, written by --report as JSON.
type Report struct {
	// RunID identifies the run (see [NewRunID]).
	RunID string `json:"run_id"`
	// Command is the command that ran: "sync", "backfill", "load-file"...
	Command string `json:"command"`
	// StartedAt and FinishedAt bound the run.
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Status is one of the Run* constants.
	Status string `json:"status"`
	// Message says why the run as a whole did not succeed: its error,
	// "interrupted", or why there was nothing new to load.
	Message string `json:"message,omitempty"`
	// Warnings are about the run as a whole (per-table ones are in Tables).
	Warnings []string `json:"warnings,omitempty"`
	// Tables holds one entry per table, figure or chart of the run.
	Tables []TableReport `json:"tables"`
	// Views are the materialized views refreshed after the run's last
	// load (those reading several of its tables), or in a dry run those
	// the run would refresh.
	Views []load.ViewRefresh `json:"views,omitempty"`
	// AfterSync is the --after-sync hook's outcome, nil without one.
	AfterSync *load.AfterSyncResult `json:"after_sync,omitempty"`
}

// Run statuses of a Report.
const (
	// RunSucceeded means every table loaded, was skipped or is up to date.
	RunSucceeded = "succeeded"
	// RunPartial means some tables failed and others did not, or every
	// table loaded but a materialized view's refresh or the --after-sync
	// hook failed.
	RunPartial = "partial"
	// RunFailed means every table failed or the run could not start.
	RunFailed = "failed"
	// RunNothingNew means the warehouse had no update to load.
	RunNothingNew = "nothing-new"
)

// Failed counts the failed tables.
func (r *Report) Failed() int {
	n := 0
	for _, t := range r.Tables {
		if t.Status == StatusFailed {
			n++
		}
	}
	return n
}

// Finish sets the end time and, unless already set, the run status from
// the table statuses.
func (r *Report) Finish() {
	if r.Tables == nil {
		r.Tables = []TableReport{}
	}
	r.FinishedAt = time.Now().UTC()
	if r.Status != "" {
		return
	}
	switch failed := r.Failed(); {
	case failed == 0 && r.AfterLoadFailed() > 0:
		r.Status = RunPartial
	case failed == 0:
		r.Status = RunSucceeded
	case failed == len(r.Tables):
		r.Status = RunFailed
	default:
		r.Status = RunPartial
	}
}

// fail marks a run that could not start (or go on) failed, and returns
// it with err.
func (r *Report) fail(err error) (*Report, error) {
	r.Status = RunFailed
	return r, err
}

// interrupted marks a run whose context ended (Ctrl-C) failed and
// returns it with err.
func (r *Report) interrupted(err error) (*Report, error) {
	r.Status, r.Message = RunFailed, "interrupted"
	return r, fmt.Errorf("%s interrupted: %w", r.Command, err)
}

// WriteJSON writes the report to path atomically and durably (package
// atomicfile), readable by all, so a monitoring job never reads half a
// report, nor an empty one after a power cut.
func (r *Report) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	return atomicfile.WriteFile(path, append(data, '\n'), 0o644)
}

// NewRunID returns a new random run id: the UTC time and 4 random bytes.
func NewRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}
