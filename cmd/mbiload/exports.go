package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/atomicfile"
	"github.com/mbiload/mbiload/schema"
	"github.com/urfave/cli/v2"
)

func exportsCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "exports",
		Usage: "list, inspect, create, copy and download raw table exports",
		Subcommands: []*cli.Command{
			{
				Name:      "list",
				Usage:     "list raw exports",
				UsageText: "mbiload exports list [--json]\n\nExample:\n  mbiload exports list --json | jq '.[] | select(.status == \"Completed\")'",
				Flags:     []cli.Flag{jsonFlag()},
				Action: apiAction(env, func(c *cli.Context, client *extract.Client) error {
					exps, err := client.Exports(c.Context)
					if err != nil {
						return err
					}
					return printExports(env, c.Bool("json"), false, exps...)
				}),
			},
			{
				Name:      "info",
				Usage:     "describe one export",
				UsageText: "mbiload exports info ID [--json]\n\nExample:\n  mbiload exports info 51",
				Flags:     []cli.Flag{jsonFlag()},
				Action: apiActionArg(env, "export id", func(c *cli.Context, client *extract.Client, id string) error {
					exp, err := client.Export(c.Context, schema.ID(id))
					if err != nil {
						return err
					}
					return printExports(env, c.Bool("json"), true, exp)
				}),
			},
			{
				Name:  "create",
				Usage: "create a raw export of a whole table",
				UsageText: "mbiload exports create TABLE [--wait] [--json]\n\nTABLE is an id or a name.\n\nExample:\n" +
					"  mbiload exports create sales_order --wait",
				Flags: []cli.Flag{jsonFlag(), &cli.BoolFlag{Name: "wait", Usage: "wait until the export is complete"}},
				Action: apiActionArg(env, "table id or name", func(c *cli.Context, client *extract.Client, ref string) error {
					t, err := client.FindTable(c.Context, ref)
					if err != nil {
						return err
					}
					exp, err := client.CreateTableExport(c.Context, t.ID)
					if err != nil {
						return err
					}
					return printNewExport(c, env, client, exp)
				}),
			},
			{
				Name:      "copy",
				Usage:     "create a new export with the same parameters as an existing (possibly expired) one",
				UsageText: "mbiload exports copy ID [--name NAME] [--wait] [--json]\n\nExample:\n  mbiload exports copy 51 --name \"orders again\"",
				Flags: []cli.Flag{jsonFlag(),
					&cli.StringFlag{Name: "name", Usage: "name of the new export"},
					&cli.BoolFlag{Name: "wait", Usage: "wait until the new export is complete"}},
				Action: apiActionArg(env, "export id", func(c *cli.Context, client *extract.Client, id string) error {
					exp, err := client.CopyExport(c.Context, schema.ID(id), c.String("name"))
					if err != nil {
						return err
					}
					return printNewExport(c, env, client, exp)
				}),
			},
			{
				Name:  "download",
				Usage: "download an export's zip file, waiting for it to complete and resuming a cut transfer",
				UsageText: "mbiload exports download ID -o FILE [--no-wait]\n\nExample:\n" +
					"  mbiload exports download 51 -o sales_order.zip",
				Flags: []cli.Flag{
					// Checked in the action rather than with Required: urfave/cli
					// reports a missing required flag as an ordinary error (exit 1).
					&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "where to write the zip (- for stdout); required"},
					&cli.BoolFlag{Name: "no-wait", Usage: "fail at once if the export is not complete yet"},
				},
				Action: func(c *cli.Context) error {
					id, err := oneArg(c, "export id")
					if err != nil {
						return err
					}
					if c.String("output") == "" {
						return usagef("%s: -o FILE is required (- writes the zip to stdout)", commandName(c))
					}
					client, err := newClient(c, env)
					if err != nil {
						return err
					}
					return downloadExport(c, env, client, schema.ID(id))
				},
			},
		},
	}
}

func downloadExport(c *cli.Context, env *appEnv, client *extract.Client, id schema.ID) error {
	exp, err := client.Export(c.Context, id)
	if err != nil {
		return err
	}
	if exp.Status == extract.StatusError {
		return fmt.Errorf("export %s: %w: its status is Error (run 'mbiload exports copy %s --wait' for a new one)",
			id, extract.ErrExportFailed, id)
	}
	if exp.Status != extract.StatusCompleted {
		if c.Bool("no-wait") {
			return fmt.Errorf("export %s is %s, not Completed (drop --no-wait to wait for it)", id, exp.Status)
		}
		env.log.Info("waiting for export", "export", id, "status", exp.Status)
		if _, err := client.WaitExport(c.Context, id); err != nil {
			return err
		}
	}
	out := c.String("output")
	dir := filepath.Dir(out)
	if out == "-" {
		dir = ""
	}
	dl, err := client.Download(c.Context, id, dir)
	if err != nil {
		if errors.Is(err, extract.ErrExpired) {
			return fmt.Errorf("download export %s: %w (run 'mbiload exports copy %s --wait' for a fresh one)", id, err, id)
		}
		return err
	}
	if out == "-" {
		defer dl.Remove()
		f, err := os.Open(dl.Path)
		if err != nil {
			return fmt.Errorf("read download: %w", err)
		}
		defer f.Close()
		if _, err := io.Copy(env.stdout, f); err != nil {
			return fmt.Errorf("write zip to stdout: %w", err)
		}
		return nil
	}
	if err := atomicfile.Rename(dl.Path, out); err != nil {
		dl.Remove()
		return fmt.Errorf("move download: %w", err)
	}
	env.log.Info("downloaded export", "export", id, "file", out, "bytes", dl.Size, "sha256", dl.SHA256)
	return nil
}

// printNewExport prints an export just created or copied, after waiting for
// it to complete when --wait is given.
func printNewExport(c *cli.Context, env *appEnv, client *extract.Client, exp extract.Export) error {
	if c.Bool("wait") {
		var err error
		if exp, err = client.WaitExport(c.Context, exp.ID); err != nil {
			return err
		}
	}
	return printExports(env, c.Bool("json"), true, exp)
}

func printExports(env *appEnv, asJSON, single bool, exps ...extract.Export) error {
	if asJSON {
		if single {
			return printJSON(env.stdout, exps[0])
		}
		return printJSON(env.stdout, exps)
	}
	rows := make([][]string, len(exps))
	for i, e := range exps {
		rows[i] = []string{e.ID.String(), e.Name, e.TableID.String(), string(e.Status),
			stamp(e.CreatedAt), stamp(e.ExpiresAt), strconv.FormatInt(int64(e.RowCount), 10)}
	}
	return printTable(env.stdout, []string{"ID", "NAME", "TABLE", "STATUS", "CREATED", "EXPIRES", "ROWS"}, rows)
}

func stamp(t extract.Timestamp) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(extract.TimestampLayout)
}
