package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mbiload/mbiload/internal/atomicfile"
)

// LastSuccessFunc returns the time (Unix seconds) of a target table's last
// successful load, or 0 when it has none. The loader's ledger provides it, so
// a table that failed in this run still reports its last good load.
type LastSuccessFunc func(ctx context.Context, target string) (float64, error)

// WriteMetrics writes the report in the Prometheus text exposition format,
// for node_exporter's textfile collector, atomically and durably to path
// (package atomicfile). Per table: the last successful load's time, this
// run's rows and duration, and whether this run failed; per run: its end time, success and duration. A
// table with several entries in the report (a backfill loads a series of
// exports) is one series per metric: rows and durations summed, failed when
// any entry failed. When lastSuccess fails for a table (the database is
// down, or the role has no rights), that table's last-success series is
// left out, the file is written all the same (a monitoring job must see
// this run's failure), and the error says so.
func WriteMetrics(ctx context.Context, path string, rep *Report, lastSuccess LastSuccessFunc) error {
	var b strings.Builder
	tables := metricTables(rep.Tables)
	labels := func(t TableReport) string {
		return fmt.Sprintf(`{kind=%s,source=%s,target=%s}`, quoteLabel(t.Kind), quoteLabel(t.Source), quoteLabel(t.Target))
	}
	var ledgerErrs []error
	gauge(&b, "mbiload_table_last_success_timestamp_seconds", "Unix time of the table's last successful load (0: never).")
	for _, t := range tables {
		ts, err := lastSuccess(ctx, t.TargetTable)
		if err != nil {
			ledgerErrs = append(ledgerErrs, err)
			continue
		}
		fmt.Fprintf(&b, "mbiload_table_last_success_timestamp_seconds%s %s\n", labels(t), formatFloat(ts))
	}
	gauge(&b, "mbiload_table_rows_loaded", "Rows the table's load wrote in the last run.")
	for _, t := range tables {
		fmt.Fprintf(&b, "mbiload_table_rows_loaded%s %d\n", labels(t), t.RowsLoaded)
	}
	gauge(&b, "mbiload_table_rows_rejected", "Rows rejected by the error budget in the last run.")
	for _, t := range tables {
		fmt.Fprintf(&b, "mbiload_table_rows_rejected%s %d\n", labels(t), t.RowsRejected)
	}
	gauge(&b, "mbiload_table_duration_seconds", "Seconds the table took in the last run, all stages.")
	for _, t := range tables {
		fmt.Fprintf(&b, "mbiload_table_duration_seconds%s %s\n", labels(t), formatFloat(t.Durations.Total))
	}
	gauge(&b, "mbiload_table_failed", "1 when the table failed in the last run, else 0.")
	for _, t := range tables {
		fmt.Fprintf(&b, "mbiload_table_failed%s %d\n", labels(t), boolInt(t.Status == StatusFailed))
	}
	gauge(&b, "mbiload_run_timestamp_seconds", "Unix time the last run finished.")
	fmt.Fprintf(&b, "mbiload_run_timestamp_seconds{command=%s} %d\n", quoteLabel(rep.Command), rep.FinishedAt.Unix())
	gauge(&b, "mbiload_run_duration_seconds", "Seconds the last run took.")
	fmt.Fprintf(&b, "mbiload_run_duration_seconds{command=%s} %s\n", quoteLabel(rep.Command), formatFloat(rep.FinishedAt.Sub(rep.StartedAt).Seconds()))
	gauge(&b, "mbiload_run_success", "1 when every table of the last run succeeded (or there was nothing new), else 0.")
	ok := rep.Status == RunSucceeded || rep.Status == RunNothingNew
	fmt.Fprintf(&b, "mbiload_run_success{command=%s} %d\n", quoteLabel(rep.Command), boolInt(ok))
	gauge(&b, "mbiload_run_tables_failed", "Tables that failed in the last run.")
	fmt.Fprintf(&b, "mbiload_run_tables_failed{command=%s} %d\n", quoteLabel(rep.Command), rep.Failed())
	afterLoadMetrics(&b, rep)
	if err := atomicfile.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	if len(ledgerErrs) > 0 {
		return fmt.Errorf("metrics written without the last success of %d tables: %w", len(ledgerErrs), errors.Join(ledgerErrs...))
	}
	return nil
}

// metricTables merges the report's entries that name the same series (kind,
// source and target), sorted by target: a series appearing twice would make
// the textfile collector drop the whole file.
func metricTables(entries []TableReport) []TableReport {
	type key struct{ kind, source, target string }
	index := map[key]int{}
	var out []TableReport
	for _, t := range entries {
		k := key{t.Kind, t.Source, t.Target}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, t)
			continue
		}
		m := &out[i]
		m.RowsRead += t.RowsRead
		m.RowsRejected += t.RowsRejected
		m.RowsLoaded += t.RowsLoaded
		m.Durations.Total += t.Durations.Total
		if t.Status == StatusFailed {
			m.Status = StatusFailed
		}
	}
	slices.SortStableFunc(out, func(a, b TableReport) int {
		return cmp.Or(strings.Compare(a.Target, b.Target), strings.Compare(a.Source, b.Source))
	})
	return out
}

// gauge writes a gauge's HELP and TYPE lines.
func gauge(b *strings.Builder, name, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
}

// formatFloat writes a sample value as Go's shortest exact form, which the
// exposition format accepts.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// quoteLabel quotes a label value as the exposition format wants:
// backslash, double quote and line feed escaped.
func quoteLabel(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
