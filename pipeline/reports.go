package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// reportTargets are the target names of every figure (or chart) of the
// API, by id text, or the error that listing them gave.
type reportTargets struct {
	names map[string]reportTarget
	err   error
}

// listReportTargets lists the figures or charts (kind "figure" or "chart")
// and assigns their target names over the whole list and the warehouse's
// tables (see FigureTargetNames).
func (r *Runner) listReportTargets(ctx context.Context, kind string, tables []extract.Table, mode schema.IdentifierMode) reportTargets {
	var items []reportItem
	if kind == "figure" {
		figs, err := r.Client.Figures(ctx)
		if err != nil {
			return reportTargets{err: fmt.Errorf("assign %s table names: %w", kind, err)}
		}
		for _, f := range figs {
			items = append(items, reportItem{id: f.ID, name: f.Name})
		}
	} else {
		charts, err := r.Client.Charts(ctx)
		if err != nil {
			return reportTargets{err: fmt.Errorf("assign %s table names: %w", kind, err)}
		}
		for _, c := range charts {
			items = append(items, reportItem{id: c.ID, name: c.Name})
		}
	}
	out := reportTargets{names: map[string]reportTarget{}}
	for id, t := range assignReportTargets(kind, items, tables, mode) {
		out.names[string(id)] = t
	}
	return out
}

// syncReport loads one figure or chart (kind "figure" or "chart") as a
// table: its CSV export with headers, types inferred from the values,
// published with a replace, into the table targets assigned it (see
// FigureTargetNames). It never returns an error: failures go into the
// report.
func (r *Runner) syncReport(ctx context.Context, opts Options, kind, ref string, targets reportTargets, slots chan struct{}) (tr TableReport) {
	start := time.Now()
	tr = TableReport{Kind: kind, SourceID: ref, Source: kind + " " + ref, Mode: string(load.ModeReplace)}
	defer func() {
		tr.Durations.Total = time.Since(start).Seconds()
		tr.FinishedAt = time.Now().UTC()
		if tr.Status == StatusFailed {
			r.log().Error(kind+" failed", kind, ref, "err", tr.Error)
		} else {
			r.log().Info(kind+" "+tr.Status, kind, ref, "target", tr.Target, "rows", tr.RowsLoaded)
		}
		r.obs().Done(tr.Source, tr)
	}()
	fail := func(err error) TableReport {
		tr.Status, tr.Error = StatusFailed, err.Error()
		return tr
	}
	if targets.err != nil {
		return fail(targets.err)
	}
	id := schema.ID(ref)
	var name string
	var infoID schema.ID
	var err error
	if kind == "figure" {
		var f extract.Figure
		f, err = r.Client.Figure(ctx, id)
		name, infoID = f.Name, f.ID
	} else {
		var c extract.Chart
		c, err = r.Client.Chart(ctx, id)
		name, infoID = c.Name, c.ID
	}
	if err != nil {
		return fail(err)
	}
	tr.Source = name
	target, ok := targets.names[ref]
	if !ok {
		target, ok = targets.names[string(infoID)]
	}
	if !ok {
		return fail(fmt.Errorf("%s %s %q: %w", kind, ref, name, ErrNotListed))
	}
	if target.name != target.plain {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("%s %s loads into %s, not %s: another %s with a lower id or a warehouse table has that name",
			kind, ref, target.name, target.plain, kind))
	}
	var body io.ReadCloser
	if kind == "figure" {
		body, err = r.Client.ExportFigure(ctx, id, extract.FormatCSV, true)
	} else {
		body, err = r.Client.ExportChart(ctx, id, extract.FormatCSV, true)
	}
	if err != nil {
		return fail(err)
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		body.Close()
		return fail(ctx.Err())
	}
	defer func() { <-slots }()
	path, err := spoolTemp(opts.TempDir, kind, body)
	body.Close()
	if err != nil {
		return fail(fmt.Errorf("download %s %s: %w", kind, ref, err))
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	cols, err := InferColumns(f)
	f.Close()
	if err != nil {
		return fail(fmt.Errorf("%s %s: %w", kind, ref, err))
	}
	tbl, err := schema.NewTable(id, name, cols, opts.Mapping)
	if err != nil {
		return fail(err)
	}
	tbl.Name = target.name
	r.setTarget(&tr, "", tbl.Name)
	if opts.DryRun {
		tr.Status, tr.Plan = StatusPlanned, fmt.Sprintf("replace %s with %s %s (%d columns, types inferred)\n", tr.Target, kind, ref, len(cols))
		for _, w := range tr.Warnings {
			tr.Plan += "warning: " + w + "\n"
		}
		return tr
	}
	sum, size, err := fileSHA256(ctx, path)
	if err != nil {
		return fail(err)
	}
	tr.Bytes = size
	r.obs().Stage(tr.Source, StageLoad)
	job := load.Job{RunID: opts.RunID, Mode: load.ModeReplace, SHA256: sum, Bytes: size, ExpectedRows: -1,
		ExportedAt: time.Now().UTC()}
	if err := r.loadRetrying(ctx, opts, tbl, path, job, &tr); err != nil {
		return fail(err)
	}
	return tr
}

// spoolTemp copies r into a new 0600 temp file and returns its path.
func spoolTemp(dir, prefix string, r io.Reader) (string, error) {
	f, err := os.CreateTemp(dir, "mbiload-"+prefix+"-*.csv")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
