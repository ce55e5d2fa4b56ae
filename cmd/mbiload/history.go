package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/mbiload/mbiload/load"
	"github.com/urfave/cli/v2"
)

func historyCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "history",
		Usage: "show the load ledger: the latest loads of every target schema, their status, rows and age",
		UsageText: "mbiload history [--limit N] [--table NAME] [--json]\n\nExamples:\n" +
			"  mbiload history\n  mbiload history --table sales_order --limit 10",
		Flags: []cli.Flag{
			jsonFlag(),
			&cli.IntFlag{Name: "limit", Value: 30, Usage: "how many loads to show"},
			&cli.StringFlag{Name: "table", Usage: "only loads of this target table"},
		},
		Action: func(c *cli.Context) error {
			pool, err := openPool(c.Context, c, 1)
			if err != nil {
				return err
			}
			defer pool.Close()
			// The ledger alone: it records the loads of every target schema
			// (--schema), and reading it must create nothing.
			shown, ok, err := load.ReadHistory(c.Context, pool, c.String("ledger-schema"), c.String("table"), c.Int("limit"))
			if err != nil {
				return err
			}
			if !ok {
				if c.Bool("json") {
					return printJSON(env.stdout, []load.LedgerEntry{})
				}
				fmt.Fprintf(env.stdout, "no loads yet: there is no ledger in schema %s (mbiload sync creates it; --ledger-schema names another)\n",
					termsafe.String(c.String("ledger-schema")))
				return nil
			}
			if shown == nil {
				shown = []load.LedgerEntry{}
			}
			if c.Bool("json") {
				return printJSON(env.stdout, shown)
			}
			now := time.Now()
			rows := make([][]string, len(shown))
			for i, e := range shown {
				note := e.Error
				if note == "" {
					note = e.Mechanism
				}
				rows[i] = []string{e.FinishedAt.Local().Format("2006-01-02 15:04:05"), age(now.Sub(e.FinishedAt)),
					e.TargetSchema + "." + e.TargetTable, string(e.Mode), e.Status, e.ExportID,
					strconv.FormatInt(e.RowsLoaded, 10), strconv.FormatInt(e.RowsRejected, 10),
					e.FinishedAt.Sub(e.StartedAt).Round(100 * time.Millisecond).String(), note}
			}
			return printTable(env.stdout, []string{"FINISHED", "AGE", "TARGET", "MODE", "STATUS", "EXPORT", "ROWS", "REJECTED", "TOOK", "NOTE"}, rows)
		},
	}
}

// age formats a duration for people: "45s", "12m", "3h", "2d".
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	default:
		return strconv.Itoa(int(d.Hours()/24)) + "d"
	}
}
