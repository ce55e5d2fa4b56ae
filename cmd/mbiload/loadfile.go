package main

import (
	"fmt"
	"time"

	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
	"github.com/urfave/cli/v2"
)

func loadFileCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "load-file",
		Usage: "load a local export file (zip or CSV) with its column metadata",
		UsageText: "mbiload load-file --table NAME --columns COLUMNS.json FILE.zip|FILE.csv [flags]\n\n" +
			"Loads an export already on disk through the same path as sync (decode, COPY, atomic\n" +
			"publish, ledger). Loading the same file again with the same settings (mode, key, column\n" +
			"metadata, --source-timezone, --null-string, --zero-dates, --identifiers) is a no-op unless\n" +
			"--force; the NOTE column says which load it repeats.\n\n" +
			"Examples:\n" +
			"  mbiload load-file --table sales_order --columns sales_order.columns.json sales_order.zip\n" +
			"  mbiload load-file --table products --columns products.columns.json --mode merge products.csv",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "table", Required: true, Usage: "the source table's name (the target name follows the identifier rule)"},
			&cli.StringFlag{Name: "columns", Required: true, Usage: "the table's column metadata, as GET /client/{id}/table/{id} serves it or mbiload tables describe NAME --json prints it"},
			&cli.StringFlag{Name: "export-id", Usage: "the export's id, when known (makes reloads idempotent per export id)"},
		}, runFlags()...),
		Action: func(c *cli.Context) error {
			path, err := oneArg(c, "export file")
			if err != nil {
				return err
			}
			opts, err := pipelineOptions(c)
			if err != nil {
				return err
			}
			started := time.Now().UTC()
			failed := func(err error) error { return setupFailed(c, env, "load-file", opts.RunID, started, err) }
			cols, err := schema.ReadColumnsFile(c.String("columns"))
			if err != nil {
				return failed(err)
			}
			tbl, err := schema.NewTable("", c.String("table"), cols, opts.Mapping)
			if err != nil {
				return failed(err)
			}
			for _, w := range tbl.Warnings {
				env.log.Warn(w)
			}
			pool, err := openPool(c.Context, c, 2)
			if err != nil {
				return failed(err)
			}
			defer pool.Close()
			loader, err := newLoader(c.Context, c, env, pool, false)
			if err != nil {
				return failed(err)
			}
			display, err := newDisplay(c, env)
			if err != nil {
				return failed(err)
			}
			runner := &pipeline.Runner{Loader: loader, Log: env.log, Observer: display, Advice: flagAdvice}
			tr, loadErr := runner.LoadFile(c.Context, opts, pipeline.FileJob{Path: path, Table: tbl, ExportID: c.String("export-id")})
			display.Close()
			rep := &pipeline.Report{RunID: opts.RunID, Command: "load-file", Tables: []pipeline.TableReport{tr}}
			rep.Finish()
			if err := writeOutputs(c, env, rep, loader); err != nil {
				env.log.Error("write run outputs", "err", err)
			}
			summarize(c, env, rep)
			if loadErr != nil {
				return fmt.Errorf("load-file %s: %w", path, loadErr)
			}
			return runResult(rep) // exit 3 when a materialized view's refresh failed
		},
	}
}
