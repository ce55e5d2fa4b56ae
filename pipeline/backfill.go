package pipeline

import (
	"context"
	"fmt"
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
		return rep.fail(fmt.Errorf("backfill: needs the API and the database"))
	}
	if err := checkBackfillMode(opts.Mode); err != nil {
		return rep.fail(err)
	}
	opts.Figures, opts.Charts = nil, nil // a backfill loads tables only
	s, err := r.prepare(ctx, opts)
	var exports []extract.Export
	if err == nil {
		exports, err = r.Client.Exports(ctx)
	}
	if err != nil {
		return rep.fail(err)
	}
	series := backfillSeries(exports, bo, opts.Mapping.SourceTimezone, time.Now())
	results := make([][]TableReport, len(s.selected))
	var wg sync.WaitGroup
	for i, t := range s.selected {
		wg.Go(func() { results[i] = r.backfillTable(ctx, s, t, series[t.ID]) })
	}
	wg.Wait()
	for _, trs := range results {
		rep.Tables = append(rep.Tables, trs...)
	}
	if err := ctx.Err(); err != nil {
		return rep.interrupted(err)
	}
	return rep, nil
}

// checkBackfillMode refuses a backfill in a mode other than merge and
// snapshot.
func checkBackfillMode(mode load.Mode) error {
	if mode != load.ModeMerge && mode != load.ModeSnapshot {
		return fmt.Errorf("backfill: %w, not %s", ErrBackfillMode, mode)
	}
	return nil
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

// backfillTable loads one table's exports in order, each a run of its
// own, stopping at the first failure. The table's first stage (metadata)
// is a run that is reported only when it fails.
func (r *Runner) backfillTable(ctx context.Context, s *syncRun, t extract.Table, list []extract.Export) []TableReport {
	opts, target, label := s.opts, s.names[t.ID], s.labels[tableKey(t)]
	log := r.log().With("table", t.Name)
	rn := r.begin(ctx, tableEntry(opts, t), label, s.slots)
	if len(list) == 0 {
		log.Info("no completed exports to backfill")
		return nil
	}
	r.setTarget(&rn.tr, "", target.written(opts.Mode))
	tbl, floor, err := r.backfillMetadata(rn, opts, t, target)
	if err != nil {
		rn.fail(err)
		return []TableReport{rn.finish(func(*TableReport) { log.Error("backfill failed for this table", "err", err) })}
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

// backfillMetadata is a backfilled table's first stage: its columns,
// typed by the mapping, and in merge mode the export time its exports
// must pass (mergeFloor).
func (r *Runner) backfillMetadata(rn *run, opts Options, t extract.Table, target tableTarget) (*schema.Table, time.Time, error) {
	done := rn.stage(StageMetadata, &rn.tr.Durations.Metadata)
	cols, err := r.Client.Columns(rn.ctx, t.ID)
	var tbl *schema.Table
	if err == nil {
		tbl, err = schema.NewTable(t.ID, t.Name, cols, opts.Mapping)
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	target.apply(tbl)
	floor, err := r.mergeFloor(rn.ctx, opts.Mode, tbl.Name)
	done()
	return tbl, floor, err
}

// mergeFloor is, in merge mode, the export time of the table's latest
// load: a backfill skips what is not newer, so it never rolls the table
// back. Zero without such a load, and in snapshot mode.
func (r *Runner) mergeFloor(ctx context.Context, mode load.Mode, table string) (time.Time, error) {
	if mode != load.ModeMerge {
		return time.Time{}, nil
	}
	last, err := r.Loader.LastSuccess(ctx, table)
	if err != nil || last == nil {
		return time.Time{}, err
	}
	return last.ExportedAt, nil
}

// backfillExport loads one export of a series, filling rn.
func (r *Runner) backfillExport(rn *run, opts Options, t extract.Table, tbl *schema.Table, e extract.Export, floor time.Time) {
	if rn.skipPublished(opts, tbl, string(e.ID)) {
		return
	}
	if !floor.IsZero() && !accountTime(e.CreatedAt, opts.Mapping.SourceTimezone).After(floor) {
		rn.tr.Status, rn.tr.Warnings = StatusSkipped, append(rn.tr.Warnings, olderWarning)
		return
	}
	r.downloadAndLoad(rn, opts, t, tbl, e, skipExpired)
}

// wallClock returns t's wall-clock reading as a UTC time, as the API's
// timestamps are decoded.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
