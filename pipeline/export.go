package pipeline

import (
	"context"
	"time"

	"github.com/mbiload/mbiload/extract"
)

// accountTime reads an API timestamp (the account's wall clock, decoded as
// if it were UTC) in the account's time zone loc; nil means UTC.
func accountTime(ts extract.Timestamp, loc *time.Location) time.Time {
	if loc == nil || ts.IsZero() {
		return ts.Time
	}
	t := ts.Time
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}

// reusable returns the newest Completed, unexpired export of the table
// created within maxAge of now, if any. Export times are the account's wall
// clock in loc (nil: UTC).
func reusable(list []extract.Export, t extract.Table, maxAge time.Duration, now time.Time, loc *time.Location) (extract.Export, bool) {
	var best extract.Export
	found := false
	for _, e := range list {
		if e.TableID != t.ID || e.Status != extract.StatusCompleted || e.CreatedAt.IsZero() {
			continue
		}
		if now.Sub(accountTime(e.CreatedAt, loc)) > maxAge {
			continue
		}
		// An export about to expire may be gone before it is downloaded;
		// the download path re-creates it then, but skip the obvious ones.
		if !e.ExpiresAt.IsZero() && !accountTime(e.ExpiresAt, loc).After(now.Add(time.Minute)) {
			continue
		}
		// Timestamps have whole seconds: between two exports of the same
		// second, the later id is the newer.
		if !found || e.CreatedAt.After(best.CreatedAt.Time) || e.CreatedAt.Equal(best.CreatedAt.Time) && idLess(best.ID, e.ID) {
			best, found = e, true
		}
	}
	return best, found
}

// exportFor returns the export to load for a table: a reusable one from
// exports (the API's list, read once per run; nil unless
// Options.ReuseExports allows reuse), else a new one. In a dry run nothing
// is created: the returned export is zero when one would be.
func (r *Runner) exportFor(ctx context.Context, opts Options, t extract.Table, exports func() ([]extract.Export, error)) (extract.Export, bool, error) {
	if exports != nil {
		list, err := exports()
		if err != nil {
			return extract.Export{}, false, err
		}
		if e, ok := reusable(list, t, opts.ReuseExports, time.Now(), opts.Mapping.SourceTimezone); ok {
			return e, true, nil
		}
	}
	if opts.DryRun {
		return extract.Export{}, false, nil
	}
	e, err := r.Client.CreateTableExport(ctx, t.ID)
	if err != nil {
		return extract.Export{}, false, err
	}
	if e.TableID == "" {
		e.TableID = t.ID
	}
	return e, false, nil
}
