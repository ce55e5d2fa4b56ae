package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mbiload/mbiload/internal/progress"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/transform"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// runFlags are the flags of commands that run the pipeline.
func runFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.IntFlag{Name: "concurrency", EnvVars: []string{"MBILOAD_CONCURRENCY"}, Value: pipeline.DefaultConcurrency(),
			Usage: "tables downloaded, decoded and loaded at once"},
		&cli.StringFlag{Name: "report", Usage: "write a JSON run report to this file"},
		&cli.StringFlag{Name: "metrics-file", Usage: "write Prometheus metrics to this file (node_exporter textfile collector)"},
		&cli.StringFlag{Name: "progress", Value: progress.ModeAuto, Usage: "auto (live lines on a terminal, log lines otherwise), plain or none"},
		summaryFlag(),
		&cli.IntFlag{Name: "batch-rows", Value: transform.DefaultBatchRows, Usage: "rows per Arrow record batch"},
	}
	flags = append(flags, loadFlags()...)
	return append(flags, mappingFlags()...)
}

// pipelineOptions reads runFlags into pipeline options.
func pipelineOptions(c *cli.Context) (pipeline.Options, error) {
	if err := checkSchemas(c); err != nil {
		return pipeline.Options{}, err
	}
	mode, err := load.ParseMode(c.String("mode"))
	if err != nil {
		return pipeline.Options{}, usageError{err}
	}
	mapping, err := mappingOptions(c)
	if err != nil {
		return pipeline.Options{}, err
	}
	zd := c.String("zero-dates")
	if zd != transform.ZeroDatesNull && zd != transform.ZeroDatesError {
		return pipeline.Options{}, usagef("--zero-dates %q: want null or error", zd)
	}
	if m := c.Int("max-record-mib"); m < 1 || m > 1024 {
		return pipeline.Options{}, usagef("--max-record-mib %d: want 1 to 1024", m)
	}
	if _, err := summaryMode(c); err != nil {
		return pipeline.Options{}, err
	}
	if c.Int("concurrency") < 1 {
		return pipeline.Options{}, usagef("--concurrency must be at least 1")
	}
	return pipeline.Options{
		Concurrency: c.Int("concurrency"),
		Mode:        mode,
		Key:         c.StringSlice("key"),
		Mapping:     mapping,
		Decode: transform.Options{
			BatchRows:      c.Int("batch-rows"),
			NullString:     c.String("null-string"),
			ZeroDates:      zd,
			MaxRecordBytes: c.Int("max-record-mib") << 20,
		},
		TempDir: c.String("temp-dir"),
		RunID:   pipeline.NewRunID(),
	}, nil
}

// newDisplay starts the progress display on stderr.
func newDisplay(c *cli.Context, env *appEnv) (progress.Display, error) {
	tty := false
	if f, ok := env.stderr.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	d, err := progress.New(c.Context, c.String("progress"), env.stderr, tty, env.log, 15*time.Second)
	if err != nil {
		return nil, usageError{err}
	}
	if env.logOut != nil {
		env.logOut.Divert(d)
	}
	return d, nil
}

// writeOutputs writes the failed loads the ledger could not take during
// the run (the database away), --report and --metrics-file, and says once
// when the ledger still cannot be written. It runs even when the run was
// interrupted, with a context of its own.
func writeOutputs(c *cli.Context, env *appEnv, rep *pipeline.Report, loader *load.Loader) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Context), 30*time.Second)
	defer cancel()
	if loader != nil {
		if tables, _ := loader.Unrecorded(); len(tables) > 0 {
			defer ledgerGap(ctx, c, env, loader)
		}
	}
	if path := c.String("report"); path != "" {
		if err := rep.WriteJSON(path); err != nil {
			return err
		}
	}
	if path := c.String("metrics-file"); path != "" {
		last := func(ctx context.Context, table string) (float64, error) {
			if loader == nil || table == "" {
				return 0, nil
			}
			e, err := loader.LastSuccess(ctx, table)
			if err != nil || e == nil {
				return 0, err
			}
			return float64(e.FinishedAt.Unix()), nil
		}
		if err := pipeline.WriteMetrics(ctx, path, rep, last); err != nil {
			return err
		}
	}
	return nil
}

// ledgerGap writes the failed loads the ledger could not take during the
// run, now that the run is over (the database may be back), and when it
// still cannot, says so once, with where the run's report is: history
// will not show them.
func ledgerGap(ctx context.Context, c *cli.Context, env *appEnv, loader *load.Loader) {
	if n, _ := loader.RecordUnrecorded(ctx); n == 0 {
		return
	}
	tables, err := loader.Unrecorded()
	report := c.String("report")
	if report == "" {
		report = "none (--report FILE keeps one)"
	}
	env.log.Error(fmt.Sprintf("the ledger could not be written: the failures of %d table(s) are not in mbiload history", len(tables)),
		"tables", strings.Join(tables, ","), "err", load.ErrorText(err), "report", report)
}

// runResult maps a finished run to the command's error: nil when every
// table succeeded, partialError (exit 3) when some failed, afterLoadError
// (exit 3) when none failed but a materialized view refresh or the
// --after-sync hook did, an error (exit 1) when all failed: with the
// table's whole error when only one failed.
func runResult(rep *pipeline.Report) error {
	failed := rep.Failed()
	switch {
	case failed == 0 && rep.AfterLoadFailed() > 0:
		return afterLoadError{n: rep.AfterLoadFailed()}
	case failed == 0:
		return nil
	case failed < len(rep.Tables):
		return partialError{failed: failed, total: len(rep.Tables)}
	default:
		if failed == 1 {
			// The one error in full, unescaped: the summary's NOTE cuts it
			// and the log quotes it.
			for _, t := range rep.Tables {
				if t.Error != "" {
					return fmt.Errorf("%s failed: %s", t.Source, t.Error)
				}
			}
			return fmt.Errorf("the table failed (see the log above; --report FILE has the error)")
		}
		return fmt.Errorf("all %d tables failed (see the log above; --report FILE has each error)", failed)
	}
}

// setupFailed writes --report and --metrics-file for a run that failed
// before any table started (no database, a bad URL, a refused API key), so
// a monitoring job sees tonight's failure rather than last night's success,
// and returns err. The error texts hold no secrets: the URL and the key are
// never part of them.
func setupFailed(c *cli.Context, env *appEnv, command, runID string, started time.Time, err error) error {
	rep := &pipeline.Report{RunID: runID, Command: command, StartedAt: started, Status: pipeline.RunFailed, Message: err.Error()}
	rep.Finish()
	if werr := writeOutputs(c, env, rep, nil); werr != nil {
		env.log.Error("write run outputs", "err", werr)
	}
	return err
}
