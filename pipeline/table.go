package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// syncTable runs one table through metadata, export, wait, download, decode
// and load; label is what the progress display shows for it. It never
// returns an error: failures go into the report.
func (r *Runner) syncTable(ctx context.Context, opts Options, t extract.Table, target tableTarget,
	cycle *updateCycle, exports *exportIndex, label string, slots chan struct{}) (tr TableReport) {
	start := time.Now()
	obs := r.obs()
	log := r.log().With("table", t.Name)
	tr = TableReport{Kind: "table", SourceID: string(t.ID), Source: t.Name, Mode: string(opts.Mode)}
	key := tr.progressKey()
	obs.Start(key, label)
	defer func() {
		tr.Durations.Total = time.Since(start).Seconds()
		tr.FinishedAt = time.Now().UTC()
		switch tr.Status {
		case StatusFailed:
			if !opts.DryRun {
				tr.addNote(r.keptNote(ctx, &tr))
			}
			log.Error("table failed", failedAttrs(&tr)...)
		case StatusLoaded:
			log.Info("table loaded", "target", tr.Target, "rows", tr.RowsLoaded, "rejected", tr.RowsRejected,
				"export", tr.ExportID, "mechanism", tr.Mechanism, "seconds", round(tr.Durations.Total))
		default:
			log.Info("table "+tr.Status, "target", tr.Target, "export", tr.ExportID)
		}
		obs.Done(key, tr)
	}()
	fail := func(err error) TableReport {
		tr.Status, tr.Error = StatusFailed, load.ErrorText(err)
		return tr
	}
	stage := func(name string, d *float64) func() {
		obs.Stage(key, name)
		s := time.Now()
		return func() { *d = time.Since(s).Seconds() }
	}

	done := stage(StageMetadata, &tr.Durations.Metadata)
	cols, err := r.Client.Columns(ctx, t.ID)
	if err != nil {
		return fail(err)
	}
	tbl, err := schema.NewTable(t.ID, t.Name, cols, opts.Mapping)
	if err != nil {
		return fail(err)
	}
	target.apply(tbl)
	written := load.TargetTable(tbl, opts.Mode)
	r.setTarget(&tr, "", written)
	tr.Warnings = append(tr.Warnings, tbl.Warnings...)
	if w := r.sourceChanged(ctx, t, written, cycle); w != "" {
		tr.Warnings = append(tr.Warnings, w)
	}
	for _, w := range tr.Warnings {
		log.Warn(w)
	}
	done()
	// From here on the target is known: a failure before the loader runs is
	// recorded in the ledger too, so history shows every failed night.
	failRecorded := func(err error) TableReport {
		job := load.Job{RunID: opts.RunID, Table: tbl, Mode: opts.Mode, ExportID: tr.ExportID, ExpectedRows: -1}
		r.Loader.RecordFailure(ctx, job, start, err)
		return fail(err)
	}
	if cycle != nil {
		if last := cycle.upToDate(written); last != nil {
			if opts.DryRun {
				tr.Status, tr.ExportID, tr.Plan, tr.PlanAction = StatusPlanned, last.ExportID, cycle.dryRunPlan(last), PlanUpToDate
				return tr
			}
			tr.Status, tr.ExportID, tr.Note = StatusUpToDate, last.ExportID, upToDateNote(last)
			return tr
		}
	}

	if err := checkListedRows(t, opts.exportRowCap); err != nil {
		if opts.DryRun {
			return fail(err)
		}
		return failRecorded(err)
	}
	done = stage(StageExport, &tr.Durations.Export)
	exp, reused, err := r.exportFor(ctx, opts, t, exports)
	if err != nil {
		if opts.DryRun {
			return fail(err)
		}
		return failRecorded(err)
	}
	done()
	tr.ExportID, tr.ExportReused = string(exp.ID), reused
	if opts.DryRun {
		plan, action, err := r.plan(ctx, opts, tbl, exp, reused)
		if err != nil {
			return fail(err)
		}
		tr.Status, tr.Plan, tr.PlanAction = StatusPlanned, plan, action
		return tr
	}
	if reused && !r.Loader.Config().Force {
		note, err := r.Loader.AlreadyPublished(ctx, load.Job{Table: tbl, Mode: opts.Mode, Key: opts.Key,
			ExportID: string(exp.ID), Decode: decodeSettings(opts.Decode)})
		if err != nil {
			return fail(err)
		}
		if note != "" {
			tr.Status, tr.Note = StatusSkipped, note
			return tr
		}
	}

	done = stage(StageWait, &tr.Durations.Wait)
	if exp, err = r.Client.WaitExport(ctx, exp.ID); err != nil {
		return failRecorded(err)
	}
	done()

	obs.Stage(key, StageQueued)
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return failRecorded(ctx.Err())
	}
	defer func() { <-slots }()

	done = stage(StageDownload, &tr.Durations.Download)
	dl, err := r.download(ctx, opts, t, &exp, true)
	if err != nil {
		return failRecorded(err)
	}
	defer dl.Remove()
	done()
	tr.ExportID, tr.Bytes = string(exp.ID), dl.Size

	expectRows(obs, key, expectedRows(exp))
	obs.Stage(key, StageLoad)
	job := load.Job{RunID: opts.RunID, Mode: opts.Mode, Key: opts.Key, ExportID: string(exp.ID),
		ExportedAt: accountTime(exp.CreatedAt, opts.Mapping.SourceTimezone), SHA256: dl.SHA256, Bytes: dl.Size,
		ExpectedRows: expectedRows(exp), Decode: decodeSettings(opts.Decode)}
	if err := r.loadRetrying(ctx, opts, tbl, dl.Path, job, exportRowCheck(t, opts.exportRowCap), &tr); err != nil {
		return fail(err)
	}
	return tr
}

// loadAttempts bounds how often one downloaded export is loaded when the
// database connection breaks (a server restart, a killed backend); the
// waits between attempts grow so that a restarting server can come back.
const loadAttempts = 3

// loadRetrying decodes and loads a downloaded export, again from the same
// file when the load failed for a reason worth retrying (load.Retryable):
// nothing is ever half-published, so a retry is always safe. Each failed
// attempt is in the ledger.
func (r *Runner) loadRetrying(ctx context.Context, opts Options, tbl *schema.Table, path string, job load.Job,
	check func(rows int64) error, tr *TableReport) error {
	var broken string // the last attempt's error
	for attempt := 1; ; attempt++ {
		err := r.decodeAndLoad(ctx, opts, tbl, path, job, check, tr)
		if err == nil && attempt > 1 {
			w := fmt.Sprintf("loaded on attempt %d, after a broken database connection (%s)", attempt, broken)
			r.log().Warn(w, "table", tbl.SourceName)
			tr.Warnings = append(tr.Warnings, w)
		}
		if err == nil || attempt == loadAttempts || !load.Retryable(err) || ctx.Err() != nil {
			return err
		}
		// Said once, by the table's outcome: a database that went away
		// would repeat the same error for every table and attempt.
		broken = load.ErrorText(err)
		wait := time.Duration(attempt) * 2 * time.Second
		r.log().Debug("load failed on a broken database connection; retrying", "table", tbl.SourceName,
			"attempt", attempt, "in", wait, "err", broken)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// maxRecreate bounds how many times one download re-creates an expired
// export: a fresh copy should not expire, but a loop must end.
const maxRecreate = 3

// download fetches the export to a temp file. With recreate, an export
// that expired between listing and download (410) is re-created and fetched
// again (at most maxRecreate times); exp is updated to the export actually
// downloaded.
func (r *Runner) download(ctx context.Context, opts Options, t extract.Table, exp *extract.Export, recreate bool) (*extract.Download, error) {
	key := tableKey(t)
	progress := func(done, total int64) { r.obs().Downloaded(key, done, total) }
	for attempt := 0; ; attempt++ {
		dl, err := r.Client.DownloadProgress(ctx, exp.ID, opts.TempDir, progress)
		if errors.Is(err, syscall.ENOSPC) {
			dir := opts.TempDir
			if dir == "" {
				dir = os.TempDir()
			}
			return nil, fmt.Errorf("%w (the temp dir %s is full: point --temp-dir or MBILOAD_TEMP_DIR at a disk with room for the export)", err, dir)
		}
		if !recreate || attempt == maxRecreate || !errors.Is(err, extract.ErrExpired) {
			return dl, err
		}
		r.log().Warn("export expired before its download; re-creating it", "table", t.Name, "export", exp.ID)
		if exp.TableID == "" {
			exp.TableID = t.ID
		}
		fresh, err := r.Client.RecreateExport(ctx, *exp)
		if err != nil {
			return nil, fmt.Errorf("re-create expired export %s: %w", exp.ID, err)
		}
		*exp = fresh
	}
}

// expectedRows is the export's row count when the API gave one, else -1.
// A zero is read as "not given": it cannot be told apart from a missing
// field, and an empty export has nothing to check.
func expectedRows(exp extract.Export) int64 {
	if exp.RowCount > 0 {
		return int64(exp.RowCount)
	}
	return -1
}

func round(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }
