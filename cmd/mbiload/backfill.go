package main

import (
	"fmt"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
	"github.com/urfave/cli/v2"
)

func backfillCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "backfill",
		Usage: "load a series of exports in chronological order (merge or snapshot)",
		UsageText: "mbiload backfill --from-api [--tables LIST] [--since TIME] [--until TIME] --mode merge|snapshot\n" +
			"mbiload backfill --table NAME --columns COLUMNS.json --mode merge|snapshot FILE...\n\n" +
			"Loads every export once (by export id, or by SHA-256 for local files), oldest first. In\n" +
			"snapshot mode each export is appended to <table>_history with its export id and time; in\n" +
			"merge mode rows are upserted on the key and an export older than the table's latest load is\n" +
			"skipped, so a backfill never rolls a table back.\n\n" +
			"Examples:\n" +
			"  mbiload backfill --from-api --tables sales_order --since 2026-01-01 --mode snapshot\n" +
			"  mbiload tables describe sales_order --json > so.columns.json\n" +
			"  mbiload backfill --table sales_order --columns so.columns.json --mode merge exports/*.zip",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "from-api", Usage: "load the exports the API lists"},
			&cli.StringSliceFlag{Name: "tables", Usage: "with --from-api: tables (ids, names, globs; default all)"},
			&cli.StringSliceFlag{Name: "exclude", Usage: "with --from-api: tables to leave out"},
			&cli.StringFlag{Name: "since", Usage: "with --from-api: only exports created at or after this time (YYYY-MM-DD[ HH:MM:SS])"},
			&cli.StringFlag{Name: "until", Usage: "with --from-api: only exports created at or before this time"},
			&cli.StringFlag{Name: "table", Usage: "with files: the source table's name"},
			&cli.StringFlag{Name: "columns", Usage: "with files: the table's column metadata (JSON), e.g. saved from mbiload tables describe NAME --json"},
		}, backfillRunFlags()...),
		Action: func(c *cli.Context) error {
			if !c.IsSet("mode") {
				return usagef("backfill needs --mode merge or --mode snapshot (it has no default)")
			}
			opts, err := pipelineOptions(c)
			if err != nil {
				return err
			}
			if opts.Mode != load.ModeMerge && opts.Mode != load.ModeSnapshot {
				return usagef("backfill needs --mode merge or --mode snapshot, not %s", opts.Mode)
			}
			fromAPI, files := c.Bool("from-api"), c.Args().Slice()
			if fromAPI == (len(files) > 0) {
				return usagef("backfill: give either --from-api or export files, not both or neither")
			}
			started := time.Now().UTC()
			failed := func(err error) error { return setupFailed(c, env, "backfill", opts.RunID, started, err) }
			runner := &pipeline.Runner{Log: env.log, Advice: flagAdvice}
			bo := pipeline.BackfillOptions{Options: opts}
			var tbl *schema.Table
			if fromAPI {
				bo.Tables, bo.Exclude = splitList(c.StringSlice("tables")), splitList(c.StringSlice("exclude"))
				if bo.Since, err = parseTime(c.String("since")); err != nil {
					return usagef("--since: %v", err)
				}
				if bo.Until, err = parseTime(c.String("until")); err != nil {
					return usagef("--until: %v", err)
				}
				if runner.Client, err = newClient(c, env); err != nil {
					return failed(err)
				}
			} else {
				if c.String("table") == "" || c.String("columns") == "" {
					return usagef("backfill of files needs --table and --columns")
				}
				cols, err := schema.ReadColumnsFile(c.String("columns"))
				if err != nil {
					return failed(err)
				}
				if tbl, err = schema.NewTable("", c.String("table"), cols, opts.Mapping); err != nil {
					return failed(err)
				}
			}
			pool, err := openPool(c.Context, c, opts.Concurrency+2)
			if err != nil {
				return failed(err)
			}
			defer pool.Close()
			if runner.Loader, err = newLoader(c.Context, c, env, pool, false); err != nil {
				return failed(err)
			}
			display, err := newDisplay(c, env)
			if err != nil {
				return failed(err)
			}
			runner.Observer = display
			var rep *pipeline.Report
			var runErr error
			if fromAPI {
				rep, runErr = runner.Backfill(c.Context, bo)
			} else {
				rep, runErr = runner.BackfillFiles(c.Context, opts, tbl, files)
			}
			display.Close()
			if err := writeOutputs(c, env, rep, runner.Loader); err != nil {
				env.log.Error("write run outputs", "err", err)
			}
			summarize(c, env, rep)
			if runErr != nil {
				return runErr
			}
			return runResult(rep)
		},
	}
}

// backfillRunFlags are [runFlags] with a --mode that shows no default:
// a backfill must be told merge or snapshot.
func backfillRunFlags() []cli.Flag {
	flags := runFlags()
	for i, f := range flags {
		if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "mode" {
			flags[i] = &cli.StringFlag{Name: "mode", Usage: "merge or snapshot (required)"}
		}
	}
	return flags
}

// parseTime reads an API-style time: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS"
// (the account's clock); "" is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	ts, err := extract.ParseTimestamp(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", s)
	}
	return ts.Time, nil
}
