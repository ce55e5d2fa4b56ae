package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/urfave/cli/v2"
)

func syncCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "sync",
		Usage: "export, download and load the warehouse's tables (the nightly job)",
		UsageText: "mbiload sync [--tables LIST] [--exclude LIST] [--figures IDS] [--charts IDS] [--mode MODE] [flags]\n\n" +
			"What it loads: every warehouse table (or those --tables names), minus those --exclude names, and\n" +
			"also each figure and chart --figures and --charts name, as tables figure_<name> and chart_<name>.\n" +
			"To load only figures or charts, add --exclude '*'.\n\n" +
			"For each selected table: fetch its columns, create an export (or reuse a recent one), wait\n" +
			"for it, download it, decode it and publish it atomically. Tables run concurrently; one\n" +
			"table's failure does not stop the others. Materialized views reading a loaded table are refreshed\n" +
			"(--refresh-views); --after-sync files run once at the end. Exit code 0: all loaded; 3: some tables\n" +
			"failed, or a view refresh or the after-sync hook failed (the tables stay published);\n" +
			"1: all failed or the run could not start.\n\n" +
			"Examples:\n" +
			"  mbiload sync\n" +
			"  mbiload sync --tables 'sales_*,customer_entity' --exclude sales_order_item\n" +
			"  mbiload sync --reuse-exports 12h --wait-for-update 3h --report run.json --metrics-file /var/lib/node_exporter/mbiload.prom\n" +
			"  mbiload sync --figures 360531 --charts 2038112 --dry-run\n" +
			"  mbiload sync --figures 360531 --exclude '*'   # the figure alone",
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "tables", Usage: "tables to load: ids, names or globs, comma separated (default: all)"},
			&cli.StringSliceFlag{Name: "exclude", Usage: "tables to leave out: ids, names or globs"},
			&cli.StringSliceFlag{Name: "figures", Usage: "figure ids to load as tables, besides the tables (figure_<name>; mbiload figures list shows each one's table)"},
			&cli.StringSliceFlag{Name: "charts", Usage: "chart ids to load as tables, besides the tables (chart_<name>; mbiload charts list shows each one's table)"},
			&cli.DurationFlag{Name: "reuse-exports", Usage: "reuse a completed export younger than this (e.g. 12h) instead of creating one"},
			&cli.DurationFlag{Name: "wait-for-update", Usage: "wait up to this long (e.g. 3h) for a warehouse update newer than the last load; load only what it refreshed"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan (tables, targets, DDL or schema changes, exports) and change nothing"},
			afterSyncFlag(),
		}, runFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("sync takes no arguments (name tables with --tables): got %q", c.Args().Slice())
			}
			opts, err := pipelineOptions(c)
			if err != nil {
				return err
			}
			opts.Tables, opts.Exclude = splitList(c.StringSlice("tables")), splitList(c.StringSlice("exclude"))
			opts.Figures, opts.Charts = splitList(c.StringSlice("figures")), splitList(c.StringSlice("charts"))
			opts.ReuseExports, opts.WaitForUpdate, opts.DryRun = c.Duration("reuse-exports"), c.Duration("wait-for-update"), c.Bool("dry-run")
			if opts.AfterSync, err = afterSyncScripts(c); err != nil {
				return err
			}
			if _, err := refreshMode(c); err != nil {
				return err
			}
			started := time.Now().UTC()
			failed := func(err error) error { return setupFailed(c, env, "sync", opts.RunID, started, err) }
			client, err := newClient(c, env)
			if err != nil {
				return failed(err)
			}
			pool, err := openPool(c.Context, c, opts.Concurrency+2)
			if err != nil {
				return failed(err)
			}
			defer pool.Close()
			loader, err := syncLoader(c, env, pool, opts.DryRun)
			if err != nil {
				return failed(err)
			}
			display, err := newDisplay(c, env)
			if err != nil {
				return failed(err)
			}
			runner := &pipeline.Runner{Client: client, Loader: loader, Schema: c.String("schema"), Log: env.log, Observer: display,
				Advice: flagAdvice}
			if runner.Distribute, err = distributeRules(c); err != nil {
				return err
			}
			env.log.Info("sync starting", "run", opts.RunID, "concurrency", opts.Concurrency, "mode", opts.Mode, "dry_run", opts.DryRun)
			rep, runErr := runner.Sync(c.Context, opts)
			display.Close()
			if err := writeOutputs(c, env, rep, loader); err != nil {
				env.log.Error("write run outputs", "err", err)
			}
			summarize(c, env, rep)
			if errors.Is(runErr, pipeline.ErrNothingNew) {
				nothingToDo(c, env, runErr)
				// A figure or chart the API does not know still failed.
				return runResult(rep)
			}
			if runErr != nil {
				return runErr
			}
			return runResult(rep)
		},
	}
}

// syncLoader returns the loader of a sync. A dry run creates nothing: one
// against a warehouse not set up yet (loader.Ready) gets no loader, and its
// plans then show every table as new.
func syncLoader(c *cli.Context, env *appEnv, pool *pgxpool.Pool, dryRun bool) (*load.Loader, error) {
	loader, err := newLoader(c.Context, c, env, pool, dryRun)
	if err != nil || !dryRun {
		return loader, err
	}
	ready, err := loader.Ready(c.Context)
	if err != nil {
		return nil, err
	}
	if !ready {
		env.log.Info("dry run: the warehouse is not set up yet (no ledger); nothing will be created")
		return nil, nil
	}
	return loader, nil
}

// splitList splits comma-separated values of a repeatable flag.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// printRunSummary prints one line per table, or the plans of a dry run.
// maxNote is how much of a table's error the summary's NOTE column shows;
// the whole error is in the log, the run report and the command's error.
const maxNote = 200

// shortNote cuts an error for the NOTE column at a rune boundary.
func shortNote(s string) string {
	if len(s) <= maxNote {
		return s
	}
	cut := maxNote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func printRunSummary(env *appEnv, rep *pipeline.Report) {
	if rep == nil || len(rep.Tables) == 0 {
		return
	}
	rows := make([][]string, 0, len(rep.Tables))
	for _, t := range rep.Tables {
		if t.Status == pipeline.StatusPlanned {
			fmt.Fprintf(env.stdout, "-- %s %s -> %s\n%s\n", termsafe.String(t.Kind), termsafe.String(t.Source),
				termsafe.String(t.Target), termsafe.Text(t.Plan))
			continue
		}
		note := shortNote(t.Error)
		switch {
		case t.Error != "" && t.Note != "": // what the target still holds, then why
			note = shortNote(t.Note + "; " + t.Error)
		case note == "" && t.Note != "":
			note = shortNote(t.Note)
		case note == "" && t.Mechanism != "":
			note = t.Mechanism
		}
		loaded := "-" // nothing loaded by this run: not a table of 0 rows
		if t.Status == pipeline.StatusLoaded {
			loaded = strconv.FormatInt(t.RowsLoaded, 10)
		}
		rows = append(rows, []string{t.Source, t.Target, t.Status, exportOrFile(t),
			loaded, strconv.FormatInt(t.RowsRejected, 10),
			strconv.FormatFloat(t.Durations.Total, 'f', 1, 64), note})
	}
	if len(rows) > 0 {
		printTable(env.stdout, []string{"SOURCE", "TARGET", "STATUS", "EXPORT", "ROWS", "REJECTED", "SECONDS", "NOTE"}, rows)
	}
	if line := planSummary(rep); line != "" {
		fmt.Fprintln(env.stdout, line)
	}
}

// planSummary is a dry run's last line: how many tables (figures, charts)
// each kind of plan has, "" when nothing was planned.
func planSummary(rep *pipeline.Report) string {
	count := map[string]int{}
	planned := 0
	for _, t := range rep.Tables {
		if t.Status == pipeline.StatusPlanned {
			planned++
			count[t.PlanAction]++
		}
	}
	if planned == 0 {
		return ""
	}
	var parts []string
	for _, a := range []struct{ action, says string }{
		{pipeline.PlanCreate, "to create"}, {pipeline.PlanChange, "to load with column changes"},
		{pipeline.PlanLoad, "to load as they are"}, {pipeline.PlanUpToDate, "up to date (not loaded)"},
		{pipeline.PlanFail, "would fail"},
	} {
		if n := count[a.action]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, a.says))
		}
	}
	failed := len(rep.Tables) - planned
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be planned", failed))
	}
	return fmt.Sprintf("dry run, %d in all: %s; nothing was changed", len(rep.Tables), strings.Join(parts, ", "))
}
