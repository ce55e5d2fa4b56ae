package pipeline

import (
	"context"
	"fmt"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/schema"
)

// reportJob is a figure or chart a sync loads: as the user named it, and,
// once resolved against the API's list, its id, name and table.
type reportJob struct {
	kind   string       // "figure" or "chart"
	ref    string       // as named in Options.Figures or Options.Charts
	id     schema.ID    // the API's id; ref when unresolved
	target reportTarget // its table and name; zero when unresolved
	err    error        // why it could not be resolved; nil when resolved
}

// source is the job's name for reports: the API's name, or "figure <ref>"
// while it is unknown.
func (j reportJob) source() string {
	if j.err != nil {
		return j.kind + " " + j.ref
	}
	return j.target.source
}

// reportList is the API's list of figures (or charts) with the target
// name each one is assigned, by id, or the error that listing them gave.
type reportList struct {
	targets map[schema.ID]reportTarget
	err     error
}

// listReports lists the figures or charts (kind "figure" or "chart") and
// assigns their target names over the whole list and the warehouse's
// tables (see FigureTargetNames).
func (r *Runner) listReports(ctx context.Context, kind string, tables []extract.Table, mode schema.IdentifierMode) reportList {
	var items []reportItem
	var err error
	if kind == "figure" {
		var figs []extract.Figure
		figs, err = r.Client.Figures(ctx)
		items = figureItems(figs)
	} else {
		var charts []extract.Chart
		charts, err = r.Client.Charts(ctx)
		items = chartItems(charts)
	}
	if err != nil {
		return reportList{err: fmt.Errorf("assign %s table names: %w", kind, err)}
	}
	return reportList{targets: assignReportTargets(kind, items, tables, mode)}
}

// resolveReports resolves the figures and charts named in opts against the
// API's lists, before anything is loaded, so that the wait for an update
// can tell which are up to date. A figure (chart) named twice, by the same
// text or by two texts of one id, is one job. One that cannot be resolved
// (the list cannot be had, or does not hold it) is a job with an error:
// it fails alone when the job runs.
func (r *Runner) resolveReports(ctx context.Context, opts Options, tables []extract.Table) []reportJob {
	var jobs []reportJob
	for _, kr := range []struct {
		kind string
		refs []string
	}{{"figure", opts.Figures}, {"chart", opts.Charts}} {
		if len(kr.refs) == 0 {
			continue
		}
		// Names are assigned over every figure (chart) and table, so that
		// no two land in one table whatever the selection.
		list := r.listReports(ctx, kr.kind, tables, opts.Mapping.Identifiers)
		seenRef, seenID := map[string]bool{}, map[schema.ID]bool{}
		for _, ref := range kr.refs {
			if seenRef[ref] {
				continue
			}
			seenRef[ref] = true
			j := r.resolveReport(ctx, kr.kind, ref, list)
			if j.err == nil && seenID[j.id] {
				continue
			}
			seenID[j.id] = true
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// resolveReport finds a figure or chart named ref in the list. A ref the
// list does not hold as it is written (the API may write the id otherwise)
// is looked up with the API's info request, which also tells a figure
// that does not exist (404) from one missing from the list.
func (r *Runner) resolveReport(ctx context.Context, kind, ref string, list reportList) reportJob {
	j := reportJob{kind: kind, ref: ref, id: schema.ID(ref)}
	if list.err != nil {
		j.err = list.err
		return j
	}
	if t, ok := list.targets[schema.ID(ref)]; ok {
		j.target = t
		return j
	}
	var id schema.ID
	var name string
	var err error
	if kind == "figure" {
		var f extract.Figure
		f, err = r.Client.Figure(ctx, schema.ID(ref))
		id, name = f.ID, f.Name
	} else {
		var c extract.Chart
		c, err = r.Client.Chart(ctx, schema.ID(ref))
		id, name = c.ID, c.Name
	}
	if err != nil {
		j.err = err
		return j
	}
	t, ok := list.targets[id]
	if !ok {
		j.err = fmt.Errorf("%s %s %q: %w", kind, ref, name, ErrNotListed)
		return j
	}
	j.id, j.target = id, t
	return j
}
