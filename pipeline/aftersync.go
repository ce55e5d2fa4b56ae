package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/load"
)

// otherTargets are the run's tables other than target.
func (o Options) otherTargets(target string) []string {
	var out []string
	for _, t := range o.runTargets {
		if t != target && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// afterLoads runs what follows a sync's last load. A dry run lists the
// materialized views the run would refresh (Report.Views, each "planned")
// and the hook's files. Otherwise, when the run loaded something: the
// views its loads left to the end (those reading several of its tables)
// are refreshed once each, in dependency order (load.Loader.RefreshViews),
// then the --after-sync hook runs (load.Loader.AfterSync). A run that
// loaded nothing runs no hook (Report.AfterSync says "skipped").
func (r *Runner) afterLoads(ctx context.Context, opts Options, rep *Report) {
	var targets []string
	for _, t := range rep.Tables {
		if t.TargetTable == "" || slices.Contains(targets, t.TargetTable) {
			continue
		}
		if t.Status == StatusLoaded || (opts.DryRun && t.Status == StatusPlanned) {
			targets = append(targets, t.TargetTable)
		}
	}
	var files []string
	for _, s := range opts.AfterSync {
		files = append(files, s.Name)
	}
	if opts.DryRun {
		if r.Loader != nil {
			views, err := r.Loader.PlanViews(ctx, targets)
			if err != nil {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("could not list the materialized views to refresh: %v", err))
			}
			rep.Views = views
		}
		if len(files) > 0 {
			rep.AfterSync = &load.AfterSyncResult{Files: files, Status: load.AfterSyncPlanned}
		}
		return
	}
	if len(targets) == 0 {
		if len(files) > 0 {
			rep.AfterSync = &load.AfterSyncResult{Files: files, Status: load.AfterSyncSkipped}
			r.log().Info("after-sync hook not run: the run loaded nothing")
		}
		return
	}
	done := map[string]bool{}
	for _, v := range rep.views() { // the loads' own, so far
		if v.Status == load.ViewRefreshed || v.Status == load.ViewFailed {
			done[v.View] = true
		}
	}
	views, err := r.Loader.RefreshViews(ctx, opts.RunID, targets, done)
	if err != nil {
		views = append(views, load.ViewRefresh{View: "(materialized views of " + r.schema() + ")", Tables: targets,
			How: load.HowAfterRun, Status: load.ViewFailed, Error: err.Error()})
		r.log().Warn("could not refresh the materialized views", "err", err)
	}
	rep.Views = views
	if len(opts.AfterSync) > 0 {
		res := r.Loader.AfterSync(ctx, opts.RunID, opts.AfterSync)
		rep.AfterSync = &res
	}
}

// views are the run's materialized view refreshes: its loads', then
// those after its last load.
func (r *Report) views() []load.ViewRefresh {
	var out []load.ViewRefresh
	for _, t := range r.Tables {
		out = append(out, t.Views...)
	}
	return append(out, r.Views...)
}

// AfterLoadFailed counts the materialized view refreshes that failed in
// the run, plus one when the --after-sync hook failed.
func (r *Report) AfterLoadFailed() int {
	n := 0
	for _, v := range r.views() {
		if v.Status == load.ViewFailed {
			n++
		}
	}
	if r.AfterSync != nil && r.AfterSync.Status == load.AfterSyncFailed {
		n++
	}
	return n
}

// afterLoadMetrics adds the run's materialized view refreshes and its
// --after-sync hook to the metrics: per view, whether its last refresh in
// the run failed and the seconds its refreshes took; for the hook, whether
// it failed and its seconds. Nothing is written for a run with neither.
func afterLoadMetrics(b *strings.Builder, rep *Report) {
	type viewMetric struct {
		failed  bool
		seconds float64
	}
	views := map[string]*viewMetric{}
	var names []string
	for _, v := range rep.views() {
		if v.Status != load.ViewRefreshed && v.Status != load.ViewFailed {
			continue
		}
		m := views[v.View]
		if m == nil {
			m = &viewMetric{}
			views[v.View] = m
			names = append(names, v.View)
		}
		m.failed = v.Status == load.ViewFailed
		m.seconds += v.Seconds
	}
	if len(names) > 0 {
		slices.Sort(names)
		gauge(b, "mbiload_view_refresh_failed", "1 when the materialized view's refresh failed in the last run, else 0.")
		for _, n := range names {
			fmt.Fprintf(b, "mbiload_view_refresh_failed{view=%s} %d\n", quoteLabel(n), boolInt(views[n].failed))
		}
		gauge(b, "mbiload_view_refresh_duration_seconds", "Seconds the materialized view's refreshes took in the last run.")
		for _, n := range names {
			fmt.Fprintf(b, "mbiload_view_refresh_duration_seconds{view=%s} %s\n", quoteLabel(n), formatFloat(views[n].seconds))
		}
	}
	if a := rep.AfterSync; a != nil && (a.Status == load.AfterSyncSucceeded || a.Status == load.AfterSyncFailed) {
		gauge(b, "mbiload_after_sync_failed", "1 when the --after-sync hook failed in the last run, else 0.")
		fmt.Fprintf(b, "mbiload_after_sync_failed{command=%s} %d\n", quoteLabel(rep.Command), boolInt(a.Status == load.AfterSyncFailed))
		gauge(b, "mbiload_after_sync_duration_seconds", "Seconds the --after-sync hook took in the last run.")
		fmt.Fprintf(b, "mbiload_after_sync_duration_seconds{command=%s} %s\n", quoteLabel(rep.Command), formatFloat(a.Seconds))
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
