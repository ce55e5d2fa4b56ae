package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// syncReport loads one figure or chart as a table: its CSV export with
// headers, types inferred from the values, published with a replace, into
// the table assigned it (see FigureTargetNames); planReport is its dry
// run. It never returns an error: failures go into the report.
func (r *Runner) syncReport(ctx context.Context, s *syncRun, j reportJob) TableReport {
	rn := r.begin(ctx, r.reportEntry(j), s.labels[j.key()], s.slots)
	if j.err != nil {
		// No table can be named for it, so the ledger cannot hold it: the
		// report and the metrics say it failed.
		rn.fail(j.err)
	} else {
		r.reportStages(rn, s, j)
	}
	return rn.finish(r.sayReport(j))
}

// reportStages runs a resolved figure's (chart's) stages, filling rn.
func (r *Runner) reportStages(rn *run, s *syncRun, j reportJob) {
	tr := &rn.tr
	if last := s.cycle.upToDate(j.target.name); last != nil {
		tr.Status, tr.ExportID, tr.Note = StatusUpToDate, last.ExportID, upToDateNote(last)
		return
	}
	rn.ledger = &load.Job{RunID: s.opts.RunID, Mode: load.ModeReplace, ExpectedRows: -1,
		Table: &schema.Table{SourceID: j.id, SourceName: j.target.source, Name: j.target.name}}
	exportedAt := reportExportedAt(time.Now(), s.cycle)
	path, tbl, err := r.fetchReport(rn, s.opts, j)
	if err != nil {
		rn.fail(err)
		return
	}
	defer os.Remove(path)
	sum, size, err := fileSHA256(rn.ctx, path)
	if err != nil {
		rn.fail(err)
		return
	}
	tr.Bytes = size
	r.obs().Stage(rn.key, StageLoad)
	rn.loader = true
	job := load.Job{RunID: s.opts.RunID, Mode: load.ModeReplace, SHA256: sum, Bytes: size, ExpectedRows: -1,
		ExportedAt: exportedAt}
	if s.cycle != nil {
		// It loads because the ledger has no load of it from the latest
		// update. Its CSV may be the one already loaded, which the loader
		// would skip by its digest without a ledger row, leaving it stale
		// for every later run, which would then never wait for an update.
		// Without the digest it is published and recorded, as a table's
		// new export is whatever its data.
		job.SHA256 = ""
	}
	if err := r.loadRetrying(rn.ctx, s.opts, tbl, path, job, nil, tr); err != nil {
		rn.fail(err)
	}
}

// fetchReport exports a figure or chart as CSV, downloads it to a temp
// file (holding a download slot from then on) and infers its table from
// the values; the caller removes the file.
func (r *Runner) fetchReport(rn *run, opts Options, j reportJob) (string, *schema.Table, error) {
	r.obs().Stage(rn.key, StageExport)
	export := r.Client.ExportChart
	if j.kind == "figure" {
		export = r.Client.ExportFigure
	}
	body, err := export(rn.ctx, j.id, extract.FormatCSV, true)
	if err != nil {
		return "", nil, err // the client names the figure (chart)
	}
	if err := rn.acquire(); err != nil {
		body.Close()
		return "", nil, err
	}
	r.obs().Stage(rn.key, StageDownload)
	path, err := spoolTemp(opts.TempDir, j.kind, body)
	body.Close()
	if err != nil {
		return "", nil, fmt.Errorf("download %s %s: %w", j.kind, j.id, err)
	}
	tbl, err := inferTable(path, opts, j)
	if err != nil {
		os.Remove(path)
		return "", nil, err
	}
	return path, tbl, nil
}

// inferTable is the table of a figure's (chart's) CSV file, its columns
// typed from their values.
func inferTable(path string, opts Options, j reportJob) (*schema.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	cols, err := inferColumns(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", j.kind, j.id, err)
	}
	tbl, err := schema.NewTable(j.id, j.target.source, cols, opts.Mapping)
	if err == nil {
		tbl.Name = j.target.name
	}
	return tbl, err
}

// sayReport logs a figure's (chart's) outcome.
func (r *Runner) sayReport(j reportJob) func(tr *TableReport) {
	return func(tr *TableReport) {
		if tr.Status == StatusFailed {
			r.log().Error(j.kind+" failed", failedAttrs(tr, j.kind, j.ref)...)
			return
		}
		r.log().Info(j.kind+" "+tr.Status, j.kind, j.ref, "target", tr.Target, "rows", tr.RowsLoaded)
	}
}

// reportEntry is the start of a figure's (chart's) report entry: what it
// is and, once resolved, its target and a warning when that is not its
// plain name.
func (r *Runner) reportEntry(j reportJob) TableReport {
	tr := TableReport{Kind: j.kind, SourceID: string(j.id), Source: j.source(), Mode: string(load.ModeReplace)}
	if j.err != nil {
		return tr
	}
	r.setTarget(&tr, "", j.target.name)
	if j.target.name != j.target.plain {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("%s %s loads into %s, not %s: another %s with a lower id or a warehouse table has that name",
			j.kind, j.id, j.target.name, j.target.plain, j.kind))
	}
	return tr
}

// reportExportedAt is the time the ledger records for a figure or chart
// exported at now. Such an export has no time of its own in the API, so
// it is the host's clock; but in a run that waited for an update cycle,
// no earlier than just after the cycle's end: the export was asked for
// after the API said the cycle had ended, and the next run's up-to-date
// check compares the time with the API's clock, which may run ahead of
// the host's (a clock off, or an account east of UTC run without its
// source time zone). Without this, such a figure would load again on
// every run until the host's clock caught up.
func reportExportedAt(now time.Time, cycle *updateCycle) time.Time {
	now = now.UTC()
	if cycle != nil && !cycle.end.IsZero() && !now.After(cycle.end) {
		// A microsecond: the ledger's resolution.
		return cycle.end.Add(time.Microsecond).UTC()
	}
	return now
}

// spoolTemp copies r into a new 0600 temp file and returns its path.
func spoolTemp(dir, prefix string, r io.Reader) (string, error) {
	f, err := os.CreateTemp(dir, "mbiload-"+prefix+"-*.csv")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, r)
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
