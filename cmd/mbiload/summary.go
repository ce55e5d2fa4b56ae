package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/urfave/cli/v2"
)

// --summary values.
const (
	summaryAuto  = "auto"
	summaryTable = "table"
	summaryLog   = "log"
	summaryNone  = "none"
)

// summaryFlag is --summary of the commands that run the pipeline.
func summaryFlag() cli.Flag {
	return &cli.StringFlag{Name: "summary", EnvVars: []string{"MBILOAD_SUMMARY"}, Value: summaryAuto,
		Usage: "the run's summary: table (one line per table, on stdout), log (one log record, on stderr: " +
			"the log already has a record per table), none, or auto: log with --log-format json, table otherwise"}
}

// summaryMode resolves --summary: auto is log when the log is JSON (a job
// that sends both streams to one file keeps it all JSON), table otherwise.
func summaryMode(c *cli.Context) (string, error) {
	switch v := strings.ToLower(c.String("summary")); v {
	case summaryAuto:
		if strings.EqualFold(c.String("log-format"), "json") {
			return summaryLog, nil
		}
		return summaryTable, nil
	case summaryTable, summaryLog, summaryNone:
		return v, nil
	}
	return "", usagef("--summary %q: want auto, table, log or none", c.String("summary"))
}

// summarize reports a finished run as --summary says. A dry run's plans
// are its output: they are printed on stdout whatever --summary says.
func summarize(c *cli.Context, env *appEnv, rep *pipeline.Report) {
	if rep == nil {
		return
	}
	mode, err := summaryMode(c)
	if err != nil { // checked before the run; table is the safe fallback
		mode = summaryTable
	}
	if mode == summaryTable {
		printRunSummary(env, rep)
		printAfterLoads(env, rep)
		return
	}
	plans := &pipeline.Report{}
	for _, t := range rep.Tables {
		if t.Status == pipeline.StatusPlanned {
			plans.Tables = append(plans.Tables, t)
		}
	}
	printRunSummary(env, plans)
	if len(plans.Tables) > 0 {
		plans.Views, plans.AfterSync = rep.Views, rep.AfterSync
		printAfterLoads(env, plans)
	}
	if mode == summaryLog {
		logRunSummary(env.log, rep)
	}
}

// exportOrFile names what a table was loaded from in the summary's EXPORT
// column: the export id, or a local file's name (load-file, a backfill of
// files, whose order it shows).
func exportOrFile(t pipeline.TableReport) string {
	if t.ExportID == "" && t.File != "" {
		return filepath.Base(t.File)
	}
	return t.ExportID
}

// nothingToDo tells that a run found no update to load, as --summary says.
func nothingToDo(c *cli.Context, env *appEnv, err error) {
	switch mode, _ := summaryMode(c); mode {
	case summaryLog:
		env.log.Info(err.Error() + "; nothing to do")
	case summaryNone:
	default:
		fmt.Fprintln(env.stdout, termsafe.Text(err.Error())+"; nothing to do")
	}
}

// logRunSummary writes the run's summary as one log record: its status and
// counts of tables by status, rows and seconds. It is at level error when
// a table failed.
func logRunSummary(log *slog.Logger, rep *pipeline.Report) {
	count := map[string]int{}
	var rows, rejected int64
	for _, t := range rep.Tables {
		count[t.Status]++
		rows += t.RowsLoaded
		rejected += t.RowsRejected
	}
	level := slog.LevelInfo
	if count[pipeline.StatusFailed] > 0 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("run", rep.RunID), slog.String("command", rep.Command), slog.String("status", rep.Status),
		slog.Int("tables", len(rep.Tables)), slog.Int("loaded", count[pipeline.StatusLoaded]),
		slog.Int("skipped", count[pipeline.StatusSkipped]), slog.Int("up_to_date", count[pipeline.StatusUpToDate]),
		slog.Int("failed", count[pipeline.StatusFailed]), slog.Int64("rows", rows), slog.Int64("rejected", rejected),
	}
	if n := rep.AfterLoadFailed(); n > 0 {
		// Failed materialized view refreshes and --after-sync hook.
		level = slog.LevelError
		attrs = append(attrs, slog.Int("after_load_failed", n))
	}
	if !rep.FinishedAt.IsZero() && !rep.StartedAt.IsZero() {
		attrs = append(attrs, slog.Float64("seconds", rep.FinishedAt.Sub(rep.StartedAt).Round(100*time.Millisecond).Seconds()))
	}
	log.LogAttrs(context.Background(), level, "run summary", attrs...)
}
