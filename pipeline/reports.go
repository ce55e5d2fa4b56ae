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

// syncReport loads one figure or chart (kind "figure" or "chart") as a
// table named "<kind>_<name>": its CSV export with headers, types inferred
// from the values, published with a replace. It never returns an error:
// failures go into the report.
func (r *Runner) syncReport(ctx context.Context, opts Options, kind, ref string, slots chan struct{}) (tr TableReport) {
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
	id := schema.ID(ref)
	var name string
	var body io.ReadCloser
	var err error
	if kind == "figure" {
		var f extract.Figure
		if f, err = r.Client.Figure(ctx, id); err == nil {
			name = f.Name
			body, err = r.Client.ExportFigure(ctx, id, extract.FormatCSV, true)
		}
	} else {
		var c extract.Chart
		if c, err = r.Client.Chart(ctx, id); err == nil {
			name = c.Name
			body, err = r.Client.ExportChart(ctx, id, extract.FormatCSV, true)
		}
	}
	if err != nil {
		return fail(err)
	}
	tr.Source = name
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
	tbl.Name = schema.Identifier(kind+"_"+tbl.Name, opts.Mapping.Identifiers, kind+"_"+ref)
	r.setTarget(&tr, "", tbl.Name)
	if opts.DryRun {
		tr.Status, tr.Plan = StatusPlanned, fmt.Sprintf("replace %s with %s %s (%d columns, types inferred)\n", tr.Target, kind, ref, len(cols))
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
