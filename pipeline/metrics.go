package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// LastSuccessFunc returns the time (Unix seconds) of a target table's last
// successful load, or 0 when it has none. The loader's ledger provides it, so
// a table that failed in this run still reports its last good load.
type LastSuccessFunc func(ctx context.Context, target string) (float64, error)

// WriteMetrics writes the report in the Prometheus text exposition format,
// for node_exporter's textfile collector, atomically to path. Per table:
// the last successful load's time, this run's rows and duration, and
// whether this run failed; per run: its end time, success and duration.
func WriteMetrics(ctx context.Context, path string, rep *Report, lastSuccess LastSuccessFunc) error {
	var b strings.Builder
	gauge := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	tables := append([]TableReport(nil), rep.Tables...)
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].Target < tables[j].Target })
	labels := func(t TableReport) string {
		return fmt.Sprintf(`{kind=%s,source=%s,target=%s}`, quoteLabel(t.Kind), quoteLabel(t.Source), quoteLabel(t.Target))
	}

	gauge("mbiload_table_last_success_timestamp_seconds", "Unix time of the table's last successful load (0: never).")
	for _, t := range tables {
		ts, err := lastSuccess(ctx, t.TargetTable)
		if err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		fmt.Fprintf(&b, "mbiload_table_last_success_timestamp_seconds%s %g\n", labels(t), ts)
	}
	gauge("mbiload_table_rows_loaded", "Rows the table's load wrote in the last run.")
	for _, t := range tables {
		fmt.Fprintf(&b, "mbiload_table_rows_loaded%s %d\n", labels(t), t.RowsLoaded)
	}
	gauge("mbiload_table_rows_rejected", "Rows rejected by the error budget in the last run.")
	for _, t := range tables {
		fmt.Fprintf(&b, "mbiload_table_rows_rejected%s %d\n", labels(t), t.RowsRejected)
	}
	gauge("mbiload_table_duration_seconds", "Seconds the table took in the last run, all stages.")
	for _, t := range tables {
		fmt.Fprintf(&b, "mbiload_table_duration_seconds%s %g\n", labels(t), t.Durations.Total)
	}
	gauge("mbiload_table_failed", "1 when the table failed in the last run, else 0.")
	for _, t := range tables {
		failed := 0
		if t.Status == StatusFailed {
			failed = 1
		}
		fmt.Fprintf(&b, "mbiload_table_failed%s %d\n", labels(t), failed)
	}
	gauge("mbiload_run_timestamp_seconds", "Unix time the last run finished.")
	fmt.Fprintf(&b, "mbiload_run_timestamp_seconds{command=%s} %d\n", quoteLabel(rep.Command), rep.FinishedAt.Unix())
	gauge("mbiload_run_duration_seconds", "Seconds the last run took.")
	fmt.Fprintf(&b, "mbiload_run_duration_seconds{command=%s} %g\n", quoteLabel(rep.Command), rep.FinishedAt.Sub(rep.StartedAt).Seconds())
	gauge("mbiload_run_success", "1 when every table of the last run succeeded (or there was nothing new), else 0.")
	ok := 0
	if rep.Status == RunSucceeded || rep.Status == RunNothingNew {
		ok = 1
	}
	fmt.Fprintf(&b, "mbiload_run_success{command=%s} %d\n", quoteLabel(rep.Command), ok)
	gauge("mbiload_run_tables_failed", "Tables that failed in the last run.")
	fmt.Fprintf(&b, "mbiload_run_tables_failed{command=%s} %d\n", quoteLabel(rep.Command), rep.Failed())
	return writeFileAtomic(path, []byte(b.String()))
}

// quoteLabel quotes a label value as the exposition format wants:
// backslash, double quote and line feed escaped.
func quoteLabel(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
