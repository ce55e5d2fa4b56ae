package pipeline

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// BackfillFiles loads local export files of one table in chronological
// order (by the time the zip entry records, else the file's modification
// time; see exportTime), in Options.Mode (merge or snapshot), each
// once: a file already loaded (same SHA-256) is skipped, and in merge mode
// so is a file not newer than the table's latest load, so a backfill never
// rolls a table back. The series stops at the first failure, so a later
// export never lands on top of a missing earlier one.
func (r *Runner) BackfillFiles(ctx context.Context, opts Options, tbl *schema.Table, files []string) (*Report, error) {
	opts = opts.withDefaults()
	rep := &Report{RunID: opts.RunID, Command: "backfill", StartedAt: time.Now().UTC()}
	defer rep.Finish()
	if err := checkBackfillMode(opts.Mode); err != nil {
		return rep.fail(err)
	}
	list := make([]FileJob, 0, len(files))
	for _, f := range files {
		at, err := exportTime(f, opts)
		if err != nil {
			return rep.fail(fmt.Errorf("backfill: %w", err))
		}
		list = append(list, FileJob{Path: f, Table: tbl, ExportedAt: at.UTC().Truncate(time.Microsecond)}) // as the ledger keeps it
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].ExportedAt.Before(list[j].ExportedAt) })
	floor, err := r.mergeFloor(ctx, opts.Mode, tbl.Name)
	if err != nil {
		return rep.fail(fmt.Errorf("backfill: %w", err))
	}
	for _, fj := range list {
		if !floor.IsZero() && !fj.ExportedAt.After(floor) {
			rn := r.begin(ctx, r.fileEntry(opts, fj), tbl.SourceName, nil)
			rn.tr.Status, rn.tr.Warnings = StatusSkipped, []string{olderWarning}
			rep.Tables = append(rep.Tables, rn.finish(func(*TableReport) {}))
			continue
		}
		tr, err := r.LoadFile(ctx, opts, fj)
		rep.Tables = append(rep.Tables, tr)
		if err != nil {
			if ctx.Err() != nil {
				return rep.interrupted(ctx.Err())
			}
			r.log().Error("backfill stopped", "file", fj.Path, "err", err)
			break
		}
	}
	return rep, nil
}

// exportTime is when a local export file was made: the time its zip entry
// records, else the file's modification time (a plain CSV, or a zip entry
// without a date). A zip entry's legacy MS-DOS date has no zone: it is
// the account's wall clock, as the API writes it, read in
// --source-timezone. An entry that also has an extended timestamp records
// the instant itself (the zip reader then gives the time in the writer's
// offset rather than in time.UTC), and is taken as it is.
func exportTime(path string, opts Options) (time.Time, error) {
	isZip, err := isZipFile(path)
	if err != nil {
		return time.Time{}, err
	}
	if isZip {
		entry, err := transform.OpenZip(path, opts.Zip)
		if err != nil {
			return time.Time{}, fmt.Errorf("open %s: %w", path, err)
		}
		modified := entry.Modified
		entry.Close()
		if modified.Year() > 1980 { // 1980-01-01 is the zip format's "no date"
			if modified.Location() != time.UTC {
				return modified, nil
			}
			return accountTime(extract.Timestamp{Time: modified}, opts.Mapping.SourceTimezone), nil
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}, err
	}
	return st.ModTime(), nil
}
