package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/atomicfile"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
	"github.com/urfave/cli/v2"
)

// reportCommand builds the "figures" or "charts" command (kind "figure" or
// "chart"): the two endpoints are the same shape.
func reportCommand(env *appEnv, kind string) *cli.Command {
	plural := kind + "s"
	exampleID := "360531"
	if kind == "chart" {
		exampleID = "2038112"
	}
	return &cli.Command{
		Name:  plural,
		Usage: fmt.Sprintf("list, describe and export %s (reports) as CSV or JSON; sync --%s loads them as tables", plural, plural),
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list " + plural + " and the tables sync --" + plural + " loads them into",
				UsageText: fmt.Sprintf("mbiload %s list [--json] [--identifiers snake|preserve]\n\n"+
					"TARGET is the table sync --%s loads each into: %s_<name>, or %s_<name>_<id> when another\n"+
					"%s with a lower id or a warehouse table has that name.%s\n\nExample:\n  mbiload %s list",
					plural, plural, kind, kind, kind, listColumnsNote(kind), plural),
				Flags: append([]cli.Flag{jsonFlag()}, mappingFlags()...),
				Action: func(c *cli.Context) error {
					opts, err := mappingOptions(c)
					if err != nil {
						return err
					}
					client, err := newClient(c, env)
					if err != nil {
						return err
					}
					tables, err := client.Tables(c.Context)
					if err != nil {
						return err
					}
					var rows [][]string
					var items any
					target := func(name string) string { return c.String("schema") + "." + name }
					if kind == "figure" {
						figs, err := client.Figures(c.Context)
						if err != nil {
							return err
						}
						targets := pipeline.FigureTargetNames(figs, tables, opts.Identifiers)
						listed := make([]listedFigure, len(figs))
						for i, f := range figs {
							listed[i] = listedFigure{f, targets[f.ID]}
							rows = append(rows, []string{f.ID.String(), f.Name, f.Type, target(targets[f.ID])})
						}
						items = listed
					} else {
						charts, err := client.Charts(c.Context)
						if err != nil {
							return err
						}
						targets := pipeline.ChartTargetNames(charts, tables, opts.Identifiers)
						listed := make([]listedChart, len(charts))
						for i, ch := range charts {
							listed[i] = listedChart{ch, targets[ch.ID]}
							rows = append(rows, []string{ch.ID.String(), ch.Name, target(targets[ch.ID])})
						}
						items = listed
					}
					if c.Bool("json") {
						return printJSON(env.stdout, items)
					}
					if kind == "figure" {
						return printTable(env.stdout, []string{"ID", "NAME", "TYPE", "TARGET"}, rows)
					}
					return printTable(env.stdout, []string{"ID", "NAME", "TARGET"}, rows)
				},
			},
			{
				Name:      "describe",
				Aliases:   []string{"info"},
				Usage:     "describe one " + kind + " as JSON",
				UsageText: fmt.Sprintf("mbiload %s describe ID\n\nExample:\n  mbiload %s describe %s", plural, plural, exampleID),
				Action: apiActionArg(env, kind+" id", func(c *cli.Context, client *extract.Client, id string) error {
					if kind == "figure" {
						f, err := client.Figure(c.Context, schema.ID(id))
						if err != nil {
							return err
						}
						return printJSON(env.stdout, f)
					}
					ch, err := client.Chart(c.Context, schema.ID(id))
					if err != nil {
						return err
					}
					return printJSON(env.stdout, ch)
				}),
			},
			{
				Name:  "export",
				Usage: fmt.Sprintf("export the data behind a %s", kind),
				UsageText: fmt.Sprintf("mbiload %s export ID [--format csv|json] [--headers] [-o FILE]\n\nExample:\n"+
					"  mbiload %s export %s --format csv --headers -o report.csv", plural, plural, exampleID),
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "format", Value: "csv", Usage: "csv or json"},
					&cli.BoolFlag{Name: "headers", Value: true, Usage: "include the column header row (csv)"},
					&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "-", Usage: "file to write (- for stdout)"},
				},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, kind+" id")
					if err != nil {
						return err
					}
					format, err := extract.ParseFormat(c.String("format"))
					if err != nil {
						return usageError{err}
					}
					client, err := newClient(c, env)
					if err != nil {
						return err
					}
					var body io.ReadCloser
					if kind == "figure" {
						body, err = client.ExportFigure(c.Context, schema.ID(id), format, c.Bool("headers"))
					} else {
						body, err = client.ExportChart(c.Context, schema.ID(id), format, c.Bool("headers"))
					}
					if err != nil {
						if kind == "figure" && format == extract.FormatJSON && errors.Is(err, extract.ErrBadRequest) {
							return fmt.Errorf("%w (SQL-report figures export as csv only: use --format csv)", err)
						}
						return err
					}
					defer body.Close()
					return writeOutput(env, c.String("output"), body)
				},
			},
		},
	}
}

// listColumnsNote says what the list's columns are: the API gives charts
// no type.
func listColumnsNote(kind string) string {
	if kind == "figure" {
		return "\nTYPE is the figure's presentation type (visual, sql, ...); --json adds its owner."
	}
	return "\nThe API gives charts no type; --json adds each one's owner."
}

// listedFigure and listedChart are the JSON forms of a figure or chart in
// a list: the API's fields and the table sync loads it into.
type (
	listedFigure struct {
		extract.Figure
		Target string `json:"target_table"`
	}
	listedChart struct {
		extract.Chart
		Target string `json:"target_table"`
	}
)

// writeOutput copies r to the named file (created 0644, replaced atomically
// and durably) or to stdout for "-".
func writeOutput(env *appEnv, path string, r io.Reader) error {
	if path == "-" || path == "" {
		_, err := io.Copy(env.stdout, r)
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}
