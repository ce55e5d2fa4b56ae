package pipeline

import (
	"context"
	"time"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"golang.org/x/sync/semaphore"
)

// run is one table, figure or chart (or one backfilled export) going
// through its stages: metadata, export, wait, slot, download, load. It is
// the one place that times the stages, tells the Observer, holds the
// download slot and, once the target is known, records a failure in the
// ledger. Only the item's own goroutine uses it.
type run struct {
	r     *Runner
	ctx   context.Context
	tr    TableReport
	key   string // the progress key
	start time.Time
	slots *semaphore.Weighted // download slots, shared by the run's items
	held  bool                // a slot is held
	// ledger, once the target is known, is the job a failure is recorded
	// as in the ledger (with the export id the report holds by then), so
	// history shows every failed night; nil before, and in a dry run.
	ledger *load.Job
	loader bool // the loader runs: it records its own failures
}

// begin starts an item's run and its progress line, which shows label.
func (r *Runner) begin(ctx context.Context, tr TableReport, label string, slots *semaphore.Weighted) *run {
	rn := &run{r: r, ctx: ctx, tr: tr, key: tr.progressKey(), start: time.Now(), slots: slots}
	r.obs().Start(rn.key, label)
	return rn
}

// stage enters a stage; the returned func, called when the stage is over,
// stores its duration in d.
func (rn *run) stage(name string, d *float64) func() {
	rn.r.obs().Stage(rn.key, name)
	s := time.Now()
	return func() { *d = time.Since(s).Seconds() }
}

// fail marks the item failed, in the ledger too once its target is known.
func (rn *run) fail(err error) {
	if rn.ledger != nil && !rn.loader {
		job := *rn.ledger
		job.ExportID = rn.tr.ExportID
		rn.r.Loader.RecordFailure(rn.ctx, job, rn.start, err)
	}
	rn.failed(err)
}

// failed marks the item failed without a ledger row.
func (rn *run) failed(err error) { rn.tr.Status, rn.tr.Error = StatusFailed, rn.r.errorText(err) }

// acquire waits for a download slot (the item is queued meanwhile), held
// until finish; it fails when the run is cancelled first.
func (rn *run) acquire() error {
	rn.r.obs().Stage(rn.key, StageQueued)
	if err := rn.slots.Acquire(rn.ctx, 1); err != nil {
		return err
	}
	rn.held = true
	return nil
}

// skipPublished reports whether the item stops before its download: the
// loader (unless it forces) finds the export already published with the
// same settings (the item is skipped, with the loader's note), or cannot
// tell (the item failed; no load was tried, so no ledger row).
func (rn *run) skipPublished(opts Options, tbl *schema.Table, exportID string) bool {
	if rn.r.Loader.Config().Force {
		return false
	}
	note, err := rn.r.Loader.AlreadyPublished(rn.ctx, load.Job{Table: tbl, Mode: opts.Mode, Key: opts.Key,
		ExportID: exportID, Decode: decodeSettings(opts.Decode)})
	switch {
	case err != nil:
		rn.failed(err)
	case note != "":
		rn.tr.Status, rn.tr.Note = StatusSkipped, note
	}
	return err != nil || note != ""
}

// finish ends the item's run: it frees the slot, times the whole, says
// what the target holds after a recorded failure (see keptNote), has say
// log the outcome, and reports it Done.
func (rn *run) finish(say func(tr *TableReport)) TableReport {
	if rn.held {
		rn.slots.Release(1)
		rn.held = false
	}
	tr := &rn.tr
	tr.Durations.Total = time.Since(rn.start).Seconds()
	tr.FinishedAt = time.Now().UTC()
	if tr.Status == StatusFailed && rn.ledger != nil {
		tr.addNote(rn.r.keptNote(rn.ctx, tr))
	}
	say(tr)
	rn.r.obs().Done(rn.key, *tr)
	return *tr
}
