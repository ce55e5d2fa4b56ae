package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/schema"
	"golang.org/x/sync/semaphore"
)

// Sync runs the nightly job: every selected table is exported, downloaded,
// decoded and published (see the package doc), and so are the figures and
// charts named in opts (in addition to the tables: with figures or charts,
// excludes that leave out every table load those alone). The returned report
// holds one entry per table, figure and chart. The error is non-nil when the run
// could not start (bad selection, API or database unreachable), when it was
// cancelled, or when Options.WaitForUpdate found nothing new
// (ErrNothingNew); table failures are in the report, not the error.
//
// After the last load, the materialized views reading several of the
// run's tables are refreshed once, and then the Options.AfterSync hook
// runs (see afterLoads); their failures are in the report (a partial
// run), and the tables stay published.
func (r *Runner) Sync(ctx context.Context, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	rep := &Report{RunID: opts.RunID, Command: "sync", StartedAt: time.Now().UTC()}
	defer rep.Finish()
	s, err := r.prepare(ctx, opts)
	if err == nil {
		// Biggest tables first: they bound the run's length.
		sort.SliceStable(s.selected, func(i, j int) bool { return s.selected[i].RowCount > s.selected[j].RowCount })
		err = r.syncCycle(ctx, s, rep)
	}
	if err != nil {
		if rep.Status == "" {
			rep.Status = RunFailed
		}
		return rep, err
	}
	r.runAll(ctx, s, rep)
	if err := ctx.Err(); err != nil {
		return rep.interrupted(err)
	}
	r.afterLoads(ctx, s.opts, rep)
	return rep, nil
}

// syncRun is what the tables, figures and charts of one sync (or the
// tables of one backfill) share.
type syncRun struct {
	opts     Options
	selected []extract.Table
	names    map[schema.ID]tableTarget
	reports  []reportJob
	labels   map[string]string                // progress labels, by key
	cycle    *updateCycle                     // nil unless the run waits for an update
	exports  func() ([]extract.Export, error) // nil unless exports are reused
	slots    *semaphore.Weighted
}

// prepare checks what a sync (backfill) needs and lists, selects and
// names what it loads.
func (r *Runner) prepare(ctx context.Context, opts Options) (*syncRun, error) {
	if r.Client == nil {
		return nil, fmt.Errorf("sync: no API client")
	}
	if !opts.DryRun {
		removeStaleTemp(opts.TempDir, time.Now(), r.log())
	}
	if r.Loader == nil && !opts.DryRun {
		return nil, fmt.Errorf("sync: no database")
	}
	all, err := r.Client.Tables(ctx)
	if err != nil {
		return nil, err
	}
	selected, err := selectTables(all, opts.Tables, opts.Exclude)
	if errors.Is(err, ErrAllExcluded) && len(opts.Figures)+len(opts.Charts) > 0 {
		selected, err = nil, nil // only the figures and charts (--exclude '*')
	}
	if err != nil {
		return nil, err
	}
	s := &syncRun{selected: selected, names: tableTargets(all, opts.Mapping.Identifiers), reports: r.resolveReports(ctx, opts, all),
		slots: semaphore.NewWeighted(int64(opts.Concurrency))}
	if opts.ReuseExports > 0 {
		s.exports = sync.OnceValues(func() ([]extract.Export, error) { return r.Client.Exports(ctx) })
	}
	items := syncItems(opts, selected, s.names, s.reports)
	s.labels, opts.runTargets = progressLabels(items), runTargets(items)
	s.opts = opts
	return s, nil
}

// syncCycle sets s.cycle when the run waits for an update: after the wait,
// or in a dry run what the real run would find (no wait, one look). When
// there is nothing new, rep says so per table, figure and chart, so the
// report and the metrics keep each one's last success.
func (r *Runner) syncCycle(ctx context.Context, s *syncRun, rep *Report) error {
	opts := s.opts
	if opts.WaitForUpdate <= 0 || opts.DryRun && r.Loader == nil {
		return nil
	}
	if opts.DryRun {
		c, stale, err := r.readCycle(ctx, opts.Mapping.SourceTimezone, opts.runTargets)
		if err != nil {
			return err
		}
		if c.warning != "" {
			r.log().Warn(c.warning)
			rep.Warnings = append(rep.Warnings, c.warning)
		}
		if stale == 0 {
			c.dryWait = opts.WaitForUpdate
		}
		s.cycle = c
		return nil
	}
	c, err := r.waitForUpdate(ctx, opts, opts.runTargets)
	if c != nil && c.warning != "" {
		rep.Warnings = append(rep.Warnings, c.warning)
	}
	if errors.Is(err, ErrNothingNew) {
		rep.Tables = r.nothingNew(s, c)
		sortReport(rep)
		rep.Status, rep.Message = RunNothingNew, err.Error()
	}
	s.cycle = c
	return err
}

// runAll runs every table, figure and chart of the sync at once (the dry
// run: plans them); the download slots bound how many download and load
// at a time. A failed table must not stop the others, so no failure
// cancels the rest: each item's outcome, failed or not, goes into the
// report. A cancelled ctx (Ctrl-C) stops them all: every stage, and the
// wait for a slot, returns when it ends.
func (r *Runner) runAll(ctx context.Context, s *syncRun, rep *Report) {
	table, report := r.syncTable, r.syncReport
	if s.opts.DryRun {
		table, report = r.planTable, r.planReport
	}
	n := len(s.selected)
	out := make([]TableReport, n+len(s.reports))
	var wg sync.WaitGroup
	for i, t := range s.selected {
		wg.Go(func() { out[i] = table(ctx, s, t) })
	}
	for i, j := range s.reports {
		wg.Go(func() { out[n+i] = report(ctx, s, j) })
	}
	wg.Wait()
	rep.Tables = append(rep.Tables, out...)
	sortReport(rep)
}

// runTargets are the tables a sync writes (its items' targets), for the
// wait for an update. A figure or chart that could not be resolved (say a
// deleted id left on a cron line) has none: it fails whatever the wait
// decides, and counting it as never loaded would make every waiting run
// start at once, before the warehouse's next update.
func runTargets(items []progressItem) []string {
	var out []string
	for _, it := range items {
		if it.target != "" {
			out = append(out, it.target)
		}
	}
	return out
}

// syncItems are a sync's tables, figures and charts as the progress
// display names them.
func syncItems(opts Options, selected []extract.Table, names map[schema.ID]tableTarget, reports []reportJob) []progressItem {
	items := make([]progressItem, 0, len(selected)+len(reports))
	for _, t := range selected {
		items = append(items, progressItem{key: tableKey(t), source: t.Name, target: names[t.ID].written(opts.Mode)})
	}
	for _, j := range reports {
		items = append(items, progressItem{key: j.key(), source: j.source(), target: j.target.name})
	}
	return items
}

// sortReport orders a report's entries by source name, then (for sources
// of the same name) by target.
func sortReport(rep *Report) {
	slices.SortStableFunc(rep.Tables, func(a, b TableReport) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.Target, b.Target))
	})
}

// nothingNew are the report entries of a run that found nothing new:
// each table, figure and chart up to date (with its last load's export),
// but a figure or chart that could not be resolved, which failed.
func (r *Runner) nothingNew(s *syncRun, c *updateCycle) []TableReport {
	var out []TableReport
	for _, t := range s.selected {
		tr := tableEntry(s.opts, t)
		r.setTarget(&tr, "", s.names[t.ID].written(s.opts.Mode))
		out = append(out, tr)
	}
	for _, j := range s.reports {
		tr := r.reportEntry(j)
		if j.err != nil {
			tr.Status, tr.Error = StatusFailed, j.err.Error()
			r.log().Error(j.kind+" failed", j.kind, j.ref, "err", tr.Error)
		}
		out = append(out, tr)
	}
	for i := range out {
		if out[i].Status == "" {
			out[i].Status = StatusUpToDate
			if last := c.upToDate(out[i].TargetTable); last != nil {
				out[i].ExportID = last.ExportID
			}
		}
		out[i].FinishedAt = time.Now().UTC()
	}
	return out
}
