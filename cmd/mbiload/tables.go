package main

import (
	"fmt"
	"strconv"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/urfave/cli/v2"
)

func tablesCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "tables",
		Usage: "list the warehouse's tables and describe their columns",
		Subcommands: []*cli.Command{
			{
				Name:      "list",
				Usage:     "list tables",
				UsageText: "mbiload tables list [--json]\n\nExample:\n  MBILOAD_API_KEY=... MBILOAD_CLIENT_ID=12 mbiload tables list",
				Flags:     []cli.Flag{jsonFlag()},
				Action: apiAction(env, func(c *cli.Context, client *extract.Client) error {
					tables, err := client.Tables(c.Context)
					if err != nil {
						return err
					}
					if c.Bool("json") {
						return printJSON(env.stdout, tables)
					}
					rows := make([][]string, len(tables))
					for i, t := range tables {
						rows[i] = []string{t.ID.String(), t.Name, strconv.FormatInt(int64(t.RowCount), 10)}
					}
					return printTable(env.stdout, []string{"ID", "NAME", "ROWS"}, rows)
				}),
			},
			{
				Name:  "describe",
				Usage: "show a table's columns and how they map to PostgreSQL",
				UsageText: "mbiload tables describe TABLE [--json | --ddl]\n\nTABLE is an id or a name.\n\nExample:\n" +
					"  mbiload tables describe sales_order --ddl",
				Flags: append(append([]cli.Flag{jsonFlag(),
					&cli.BoolFlag{Name: "ddl", Usage: "print the CREATE TABLE and COMMENT statements mbiload would run (and the Citus distribution --distribute or --reference gives it)"},
				}, mappingFlags()...), distributeFlags()...),
				Action: apiActionArg(env, "table id or name", func(c *cli.Context, client *extract.Client, ref string) error {
					t, err := client.FindTable(c.Context, ref)
					if err != nil {
						return err
					}
					cols, err := client.Columns(c.Context, t.ID)
					if err != nil {
						return err
					}
					opts, err := mappingOptions(c)
					if err != nil {
						return err
					}
					mapped, err := schema.NewTable(t.ID, t.Name, cols, opts)
					if err != nil {
						return err
					}
					for _, w := range mapped.Warnings {
						env.log.Warn(w)
					}
					switch {
					case c.Bool("ddl"):
						rules, err := distributeRules(c)
						if err != nil {
							return err
						}
						dist, err := load.DistributionDDL(rules, mapped, load.ModeReplace, c.String("schema"))
						if err != nil {
							return usageError{err}
						}
						_, err = fmt.Fprint(env.stdout, termsafe.Text(mapped.DDL(c.String("schema"))+dist))
						return err
					case c.Bool("json"):
						return printJSON(env.stdout, describeJSON(mapped))
					}
					rows := make([][]string, len(mapped.Fields))
					for i, f := range mapped.Fields {
						flags := ""
						if f.Source.IsPrimaryKey {
							flags += "pk "
						}
						if f.Source.NotNull() {
							flags += "not null"
						}
						rows[i] = []string{f.Source.Name, f.Source.Type, f.Name, f.Type.PG(), flags}
					}
					fmt.Fprintf(env.stdout, "table %s (id %s) -> %s\n", termsafe.String(t.Name), termsafe.String(string(t.ID)),
						termsafe.String(schema.Quote(c.String("schema"), mapped.Name)))
					return printTable(env.stdout, []string{"COLUMN", "API TYPE", "POSTGRES NAME", "POSTGRES TYPE", ""}, rows)
				}),
			},
		},
	}
}

// describedColumn is the JSON form of one mapped column.
type describedColumn struct {
	schema.Column
	Target     string `json:"target_name"`
	TargetType string `json:"target_type"`
	ArrowType  string `json:"arrow_type"`
}

func describeJSON(t *schema.Table) any {
	cols := make([]describedColumn, len(t.Fields))
	for i, f := range t.Fields {
		cols[i] = describedColumn{Column: f.Source, Target: f.Name, TargetType: f.Type.PG(), ArrowType: f.Type.Arrow().String()}
	}
	return struct {
		ID       schema.ID         `json:"id"`
		Name     string            `json:"name"`
		Target   string            `json:"target_name"`
		Columns  []describedColumn `json:"columns"`
		Warnings []string          `json:"warnings,omitempty"`
	}{t.SourceID, t.SourceName, t.Name, cols, t.Warnings}
}
