package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"syscall"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// syncTable takes one table from the API to its published table (its dry
// run is planTable); failures go into the report, never an error. In this
// file, top to bottom: tableStages runs the stages (tableExport: metadata
// and export; the wait), then downloadAndLoad (a download slot, download,
// and the load: loadRetrying, openSource, loadSource; the loader COPYs and
// publishes).
func (r *Runner) syncTable(ctx context.Context, s *syncRun, t extract.Table) TableReport {
	rn := r.begin(ctx, tableEntry(s.opts, t), s.labels[tableKey(t)], s.slots)
	r.tableStages(rn, s, t)
	return rn.finish(r.sayTable(t))
}

// tableStages runs a table's stages, filling rn.
func (r *Runner) tableStages(rn *run, s *syncRun, t extract.Table) {
	ctx, opts, tr := rn.ctx, s.opts, &rn.tr
	tbl, exp, reused, last, err := r.tableExport(rn, s, t)
	if tbl != nil {
		rn.ledger = &load.Job{RunID: opts.RunID, Table: tbl, Mode: opts.Mode, ExpectedRows: -1}
	}
	switch {
	case last != nil:
		tr.Status, tr.ExportID, tr.Note = StatusUpToDate, last.ExportID, upToDateNote(last)
		return
	case err != nil:
		rn.fail(err)
		return
	}
	if reused && rn.skipPublished(opts, tbl, string(exp.ID)) {
		return
	}
	done := rn.stage(StageWait, &tr.Durations.Wait)
	if exp, err = r.Client.WaitExport(ctx, exp.ID); err != nil {
		rn.fail(err)
		return
	}
	done()
	r.downloadAndLoad(rn, opts, t, tbl, exp, recreateExpired)
}

// tableEntry is the start of a table's report entry.
func tableEntry(opts Options, t extract.Table) TableReport {
	return TableReport{Kind: "table", SourceID: string(t.ID), Source: t.Name, Mode: string(opts.Mode)}
}

// tableExport runs a table's first stages, for a sync and its dry run:
// metadata, the check whether the cycle holds its last load (last: then
// it stops), the row cap and the export (exportFor). tbl is nil until the
// target is known.
func (r *Runner) tableExport(rn *run, s *syncRun, t extract.Table) (tbl *schema.Table, exp extract.Export, reused bool,
	last *load.LedgerEntry, err error) {
	if tbl, err = r.tableMetadata(rn, s.opts, t, s.names[t.ID], s.cycle); err != nil {
		return nil, exp, false, nil, err
	}
	if last = s.cycle.upToDate(rn.tr.TargetTable); last != nil {
		return tbl, exp, false, last, nil
	}
	if err = checkListedRows(t, s.opts.exportRowCap); err != nil {
		return tbl, exp, false, nil, err
	}
	done := rn.stage(StageExport, &rn.tr.Durations.Export)
	if exp, reused, err = r.exportFor(rn.ctx, s.opts, t, s.exports); err != nil {
		return tbl, exp, false, nil, err
	}
	done()
	rn.tr.ExportID, rn.tr.ExportReused = string(exp.ID), reused
	return tbl, exp, reused, nil, nil
}

// tableMetadata is a table's first stage, for a sync and its dry run: its
// columns, typed by the mapping, its target and the warnings about them.
func (r *Runner) tableMetadata(rn *run, opts Options, t extract.Table, target tableTarget, cycle *updateCycle) (*schema.Table, error) {
	tr := &rn.tr
	done := rn.stage(StageMetadata, &tr.Durations.Metadata)
	cols, err := r.Client.Columns(rn.ctx, t.ID)
	if err != nil {
		return nil, err
	}
	tbl, err := schema.NewTable(t.ID, t.Name, cols, opts.Mapping)
	if err != nil {
		return nil, err
	}
	target.apply(tbl)
	written := load.TargetTable(tbl, opts.Mode)
	r.setTarget(tr, "", written)
	tr.Warnings = append(tr.Warnings, tbl.Warnings...)
	if w := r.sourceChanged(rn.ctx, t, written, cycle); w != "" {
		tr.Warnings = append(tr.Warnings, w)
	}
	for _, w := range tr.Warnings {
		r.log().Warn(w, "table", t.Name)
	}
	done()
	return tbl, nil
}

// sayTable logs a table's outcome.
func (r *Runner) sayTable(t extract.Table) func(tr *TableReport) {
	return func(tr *TableReport) {
		log := r.log().With("table", t.Name)
		switch tr.Status {
		case StatusFailed:
			log.Error("table failed", failedAttrs(tr)...)
		case StatusLoaded:
			log.Info("table loaded", "target", tr.Target, "rows", tr.RowsLoaded, "rejected", tr.RowsRejected,
				"export", tr.ExportID, "mechanism", tr.Mechanism, "seconds", math.Round(tr.Durations.Total*1000)/1000)
		default:
			log.Info("table "+tr.Status, "target", tr.Target, "export", tr.ExportID)
		}
	}
}

// downloadAndLoad runs a table export's last stages, for a sync and a
// backfill: a download slot, the download (expired says what becomes of
// an export that expired: see download) and the load (loadRetrying).
func (r *Runner) downloadAndLoad(rn *run, opts Options, t extract.Table, tbl *schema.Table, exp extract.Export, expired onExpired) {
	tr := &rn.tr
	if err := rn.acquire(); err != nil {
		rn.fail(err)
		return
	}
	done := rn.stage(StageDownload, &tr.Durations.Download)
	dl, err := r.download(rn.ctx, opts, t, &exp, expired)
	if expired == skipExpired && errors.Is(err, extract.ErrExpired) {
		tr.Status, tr.Warnings = StatusSkipped, append(tr.Warnings, "export expired before it could be downloaded")
		return
	}
	if err != nil {
		rn.fail(err)
		return
	}
	defer dl.Remove()
	done()
	tr.ExportID, tr.Bytes = string(exp.ID), dl.Size
	if e, ok := r.obs().(RowsExpecter); ok && expectedRows(exp) > 0 {
		e.ExpectRows(rn.key, expectedRows(exp))
	}
	r.obs().Stage(rn.key, StageLoad)
	rn.loader = true
	job := load.Job{RunID: opts.RunID, Mode: opts.Mode, Key: opts.Key, ExportID: string(exp.ID),
		ExportedAt: accountTime(exp.CreatedAt, opts.Mapping.SourceTimezone), SHA256: dl.SHA256, Bytes: dl.Size,
		ExpectedRows: expectedRows(exp), Decode: decodeSettings(opts.Decode)}
	if err := r.loadRetrying(rn.ctx, opts, tbl, dl.Path, job, exportRowCheck(t, opts.exportRowCap), tr); err != nil {
		rn.fail(err)
	}
}

// onExpired says what a download does with an export that expired
// between its listing and its download (410).
type onExpired int

const (
	// recreateExpired exports the table again: a sync wants today's data.
	recreateExpired onExpired = iota
	// skipExpired skips the export: a backfill's copy would export
	// today's data, not the data of that day.
	skipExpired
)

// maxRecreate bounds how many times one download re-creates an expired
// export: a fresh copy should not expire, but a loop must end.
const maxRecreate = 3

// download fetches the export to a temp file. With recreateExpired, an export
// that expired between listing and download (410) is re-created and fetched
// again (at most maxRecreate times); exp is updated to the export actually
// downloaded.
func (r *Runner) download(ctx context.Context, opts Options, t extract.Table, exp *extract.Export, expired onExpired) (*extract.Download, error) {
	key := tableKey(t)
	progress := func(done, total int64) { r.obs().Downloaded(key, done, total) }
	for attempt := 0; ; attempt++ {
		dl, err := r.Client.DownloadProgress(ctx, exp.ID, opts.TempDir, progress)
		if errors.Is(err, syscall.ENOSPC) {
			dir := opts.TempDir
			if dir == "" {
				dir = os.TempDir()
			}
			return nil, fmt.Errorf("%w (%w: %s has no room for the export)", err, ErrTempDirFull, dir)
		}
		if expired != recreateExpired || attempt == maxRecreate || !errors.Is(err, extract.ErrExpired) {
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

// loadAttempts bounds how often one downloaded export is loaded when the
// database connection breaks (a server restart, a killed backend); the
// waits between attempts grow so that a restarting server can come back.
const loadAttempts = 3

// loadRetrying streams a downloaded export file into the loader (which
// decodes, COPYs, publishes and writes the ledger) and fills tr from the
// result, again from the same file when the load failed for a reason
// worth retrying (load.Retryable): nothing is ever half-published, so a
// retry is always safe. Each failed attempt is in the ledger. job carries
// everything but the table and the source; check, when not nil, vets the
// export's row count before anything is published.
func (r *Runner) loadRetrying(ctx context.Context, opts Options, tbl *schema.Table, path string, job load.Job,
	check func(rows int64) error, tr *TableReport) error {
	job.Table = tbl
	job.OtherTargets = opts.otherTargets(load.TargetTable(tbl, job.Mode))
	var broken string // the last attempt's error
	for attempt := 1; ; attempt++ {
		src, err := r.openSource(ctx, opts, tbl, path)
		err = r.loadSource(ctx, job, src, err, check, tr)
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

// source is an export file opened and being decoded.
type source struct {
	entry *transform.Entry
	dec   *transform.Decoder
}

// openSource opens an export file and starts decoding it for tbl (the
// decoder's goroutines read ahead, a few chunks and batches, until the
// load takes the batches). The decoder rejects up to the loader's error
// budget (load.Config.MaxBadRows), the one place it is configured. On
// failure it returns nil and the error for the ledger.
func (r *Runner) openSource(ctx context.Context, opts Options, tbl *schema.Table, path string) (*source, error) {
	entry, err := openExportFile(path, opts.Zip)
	if err != nil {
		return nil, fmt.Errorf("open export file: %w", err)
	}
	decode := opts.Decode
	decode.MaxBadRows = r.Loader.Config().MaxBadRows
	dec, err := transform.NewDecoder(ctx, entry, tbl, decode)
	if err != nil {
		entry.Close()
		return nil, err
	}
	return &source{entry: entry, dec: dec}, nil
}

// close stops the decoder and closes the file.
func (s *source) close() {
	s.dec.Close()
	s.entry.Close()
}

// loadSource loads an opened export file (openErr: why it could not be
// opened, recorded as a failed load) and fills tr from the result; check
// is as for loadRetrying.
func (r *Runner) loadSource(ctx context.Context, job load.Job, src *source, openErr error,
	check func(rows int64) error, tr *TableReport) error {
	if openErr != nil {
		r.Loader.RecordFailure(ctx, job, time.Now(), openErr)
		return openErr
	}
	defer src.close()
	job.Source = &countingBatches{src: src.dec, table: tr.progressKey(), obs: r.obs(), check: check}
	start := time.Now()
	res, err := r.Loader.Load(ctx, job)
	tr.Durations.Load = time.Since(start).Seconds()
	tr.Status, tr.Note = res.Status, res.Note
	r.setTarget(tr, res.Schema, res.Table)
	tr.Mechanism = res.Mechanism
	// Rows read: every record of the export, rejected ones included (the
	// loader counts the good ones).
	tr.RowsRead, tr.RowsRejected, tr.RowsLoaded = res.RowsRead+res.RowsRejected, res.RowsRejected, res.RowsLoaded
	tr.SchemaChanges = res.SchemaChanges
	tr.Views = append(tr.Views, res.Views...)
	tr.Warnings = append(tr.Warnings, res.Warnings...)
	for _, n := range src.dec.Notes() { // values changed to fit their types
		r.log().Warn(n)
		tr.Warnings = append(tr.Warnings, n)
	}
	if res.MechanismReason != "" {
		tr.Warnings = append(tr.Warnings, res.MechanismReason)
	}
	if rejects := src.dec.Rejects(); err == nil && res.Status == load.StatusLoaded && len(rejects) > 0 {
		w := r.errorText(&RejectsError{Table: tr.Target, Rejects: rejects, Budget: r.Loader.Config().MaxBadRows})
		r.log().Warn(w)
		tr.Warnings = append(tr.Warnings, w)
	}
	return err
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
