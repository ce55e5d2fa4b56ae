package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// olderWarning is the note on an export a merge backfill skips.
const olderWarning = "not newer than the export the table already holds; a merge would roll it back"

// BackfillOptions selects the exports a backfill loads.
type BackfillOptions struct {
	Options
	// Since and Until bound the exports' creation times (zero: unbounded),
	// on the account's clock: their wall-clock reading (in any location) is
	// compared with the API's created_at.
	Since, Until time.Time
}

// Backfill loads, table by table, every export the API lists for the
// selected tables (Options.Tables; all when empty) in chronological order,
// in Options.Mode: merge (upsert on the key) or snapshot (append each
// export to <table>_history). Each export id is loaded once: one already in
// the ledger is skipped, so a backfill can be re-run after a failure. In
// merge mode an export older than the table's latest load is skipped too, so
// a backfill never rolls a table back. Tables run concurrently; one table's
// failure stops that table's series (a later export must not land on top of
// a missing earlier one) but not the others.
func (r *Runner) Backfill(ctx context.Context, bo BackfillOptions) (*Report, error) {
	opts := bo.Options.withDefaults()
	rep := &Report{RunID: opts.RunID, Command: "backfill", StartedAt: time.Now().UTC()}
	defer rep.Finish()
	if r.Client == nil || r.Loader == nil {
		rep.Status = RunFailed
		return rep, fmt.Errorf("backfill: needs the API and the database")
	}
	if opts.Mode != load.ModeMerge && opts.Mode != load.ModeSnapshot {
		rep.Status = RunFailed
		return rep, fmt.Errorf("backfill: %w, not %s", ErrBackfillMode, opts.Mode)
	}
	opts.Figures, opts.Charts = nil, nil // a backfill loads tables only
	s, err := r.prepare(ctx, opts)
	var exports []extract.Export
	if err == nil {
		exports, err = r.Client.Exports(ctx)
	}
	if err != nil {
		rep.Status = RunFailed
		return rep, err
	}
	series := backfillSeries(exports, bo, opts.Mapping.SourceTimezone, time.Now())
	results := make([][]TableReport, len(s.selected))
	// One table's failure stops its series only: the outcomes go into the
	// report, and nothing cancels the others but ctx (Ctrl-C).
	var wg sync.WaitGroup
	for i, t := range s.selected {
		wg.Go(func() { results[i] = r.backfillTable(ctx, s, t, series[t.ID]) })
	}
	wg.Wait()
	for _, trs := range results {
		rep.Tables = append(rep.Tables, trs...)
	}
	if err := ctx.Err(); err != nil {
		rep.Status, rep.Message = RunFailed, "interrupted"
		return rep, fmt.Errorf("backfill interrupted: %w", err)
	}
	return rep, nil
}

// backfillSeries groups the exports to backfill by table, each series
// oldest first: Completed exports not expired at now (expiry times are the
// account's wall clock, read in loc; nil is UTC) created within the
// options' window.
func backfillSeries(exports []extract.Export, bo BackfillOptions, loc *time.Location, now time.Time) map[schema.ID][]extract.Export {
	series := map[schema.ID][]extract.Export{}
	for _, e := range exports {
		if e.Status != extract.StatusCompleted || !e.ExpiresAt.IsZero() && accountTime(e.ExpiresAt, loc).Before(now) {
			continue
		}
		at := e.CreatedAt.Time // the account's wall clock, read as UTC
		if !bo.Since.IsZero() && at.Before(wallClock(bo.Since)) || !bo.Until.IsZero() && at.After(wallClock(bo.Until)) {
			continue
		}
		series[e.TableID] = append(series[e.TableID], e)
	}
	for _, list := range series {
		sort.SliceStable(list, func(a, b int) bool { return list[a].CreatedAt.Before(list[b].CreatedAt.Time) })
	}
	return series
}

// backfillTable loads one table's exports in order, stopping at the first
// failure.
func (r *Runner) backfillTable(ctx context.Context, s *syncRun, t extract.Table, list []extract.Export) []TableReport {
	opts, target, label := s.opts, s.names[string(t.ID)], s.labels[tableKey(t)]
	r.obs().Start(tableKey(t), label)
	log := r.log().With("table", t.Name)
	if len(list) == 0 {
		log.Info("no completed exports to backfill")
		return nil
	}
	failed := func(err error) []TableReport {
		tr := TableReport{Kind: "table", SourceID: string(t.ID), Source: t.Name, Mode: string(opts.Mode),
			Status: StatusFailed, Error: r.errorText(err), FinishedAt: time.Now().UTC()}
		r.setTarget(&tr, "", target.written(opts.Mode))
		r.obs().Done(tableKey(t), tr)
		log.Error("backfill failed for this table", "err", err)
		return []TableReport{tr}
	}
	cols, err := r.Client.Columns(ctx, t.ID)
	var tbl *schema.Table
	if err == nil {
		tbl, err = schema.NewTable(t.ID, t.Name, cols, opts.Mapping)
	}
	if err != nil {
		return failed(err)
	}
	target.apply(tbl)
	var floor time.Time
	if opts.Mode == load.ModeMerge {
		last, err := r.Loader.LastSuccess(ctx, tbl.Name)
		if err != nil {
			return failed(err)
		}
		if last != nil {
			floor = last.ExportedAt
		}
	}
	var out []TableReport
	for _, e := range list {
		entry := tableEntry(opts, t)
		entry.ExportID = string(e.ID)
		rn := r.begin(ctx, entry, label, s.slots) // never recorded: the loader records its failures
		r.setTarget(&rn.tr, "", load.TargetTable(tbl, opts.Mode))
		r.backfillExport(rn, opts, t, tbl, e, floor)
		tr := rn.finish(func(*TableReport) {})
		out = append(out, tr)
		if tr.Status == StatusFailed {
			log.Error("backfill stopped for this table", "export", e.ID, "err", tr.Error)
			break
		}
		log.Info("backfilled export", "export", e.ID, "created", e.CreatedAt.Format(extract.TimestampLayout),
			"status", tr.Status, "rows", tr.RowsLoaded)
	}
	return out
}

// backfillExport loads one export of a series, filling rn.
func (r *Runner) backfillExport(rn *run, opts Options, t extract.Table, tbl *schema.Table, e extract.Export, floor time.Time) {
	ctx, tr := rn.ctx, &rn.tr
	decode := decodeSettings(opts.Decode)
	if !r.Loader.Config().Force {
		note, err := r.Loader.AlreadyPublished(ctx, load.Job{Table: tbl, Mode: opts.Mode, Key: opts.Key,
			ExportID: string(e.ID), Decode: decode})
		if err != nil {
			rn.failed(err)
			return
		}
		if note != "" {
			tr.Status, tr.Note = StatusSkipped, note
			return
		}
	}
	exportedAt := accountTime(e.CreatedAt, opts.Mapping.SourceTimezone)
	if !floor.IsZero() && !exportedAt.After(floor) {
		tr.Status, tr.Warnings = StatusSkipped, append(tr.Warnings, olderWarning)
		return
	}
	if err := rn.acquire(); err != nil {
		rn.failed(err)
		return
	}
	r.obs().Stage(rn.key, StageDownload)
	// An expired export cannot be recovered: a copy would export today's
	// data, not the data of that day.
	dl, err := r.download(ctx, opts, t, &e, false)
	if errors.Is(err, extract.ErrExpired) {
		tr.Status, tr.Warnings = StatusSkipped, append(tr.Warnings, "export expired before it could be downloaded")
		return
	}
	if err != nil {
		rn.failed(err)
		return
	}
	defer os.Remove(dl.Path)
	tr.Bytes, tr.ExportID = dl.Size, string(e.ID)
	r.obs().Stage(rn.key, StageLoad)
	job := load.Job{RunID: opts.RunID, Mode: opts.Mode, Key: opts.Key, ExportID: string(e.ID), ExportedAt: exportedAt,
		SHA256: dl.SHA256, Bytes: dl.Size, ExpectedRows: expectedRows(e), Decode: decode}
	if err := r.loadRetrying(ctx, opts, tbl, dl.Path, job, exportRowCheck(t, opts.exportRowCap), tr); err != nil {
		rn.failed(err)
	}
}

// wallClock returns t's wall-clock reading as a UTC time, as the API's
// timestamps are decoded.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
