package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/urfave/cli/v2"
)

// jsonFlag returns the --json flag of commands with machine-readable
// output (a new one each time: flags hold parse state).
func jsonFlag() cli.Flag { return &cli.BoolFlag{Name: "json", Usage: "print JSON instead of a table"} }

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printTable writes rows under a header, aligned in columns. Tabs and
// newlines inside cells are replaced so they cannot break the layout, and
// every other control character is escaped (termsafe.String): names come
// from the warehouse and must not drive the terminal.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, termsafe.String(clean.Replace(c)))
		}
		fmt.Fprint(tw, "\n")
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	return tw.Flush()
}

// oneArg returns the command's single positional argument.
func oneArg(c *cli.Context, what string) (string, error) {
	if c.NArg() != 1 {
		if c.NArg() > 1 {
			if last := c.Args().Get(c.NArg() - 1); strings.HasPrefix(last, "-") && last != "-" {
				return "", usagef("%s: flag %s needs a value", commandName(c), last)
			}
		}
		return "", usagef("%s: want exactly one %s, got %d arguments", commandName(c), what, c.NArg())
	}
	return c.Args().First(), nil
}

// commandName is the running command's full name without the program's
// ("exports download"); urfave/cli's FullName gives only the last word for
// subcommands.
func commandName(c *cli.Context) string {
	if name := strings.TrimPrefix(c.Command.HelpName, c.App.Name+" "); name != "" {
		return name
	}
	return c.Command.Name
}
