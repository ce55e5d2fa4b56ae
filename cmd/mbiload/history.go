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
		Usage: "show the load ledger: the latest loads, their status, rows and age",
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
			ready, err := warehouseReady(c.Context, c, pool)
			if err != nil {
				return err
			}
			if !ready {
				if c.Bool("json") {
					return printJSON(env.stdout, []load.LedgerEntry{})
				}
				fmt.Fprintf(env.stdout, "no loads yet: there is no ledger in schema %s (mbiload sync creates it)\n",
					termsafe.String(c.String("ledger-schema")))
				return nil
			}
			loader, err := load.New(c.Context, pool, load.Config{Schema: c.String("schema"), LedgerSchema: c.String("ledger-schema"), Logger: env.log})
			if err != nil {
				return err
			}
			limit := c.Int("limit")
			fetch := limit
			if c.String("table") != "" {
				fetch = max(limit*50, 1000)
			}
			entries, err := loader.History(c.Context, fetch)
			if err != nil {
				return err
			}
			var shown []load.LedgerEntry
			for _, e := range entries {
				if t := c.String("table"); t != "" && e.TargetTable != t && e.SourceTable != t {
					continue
				}
				if shown = append(shown, e); len(shown) == limit {
					break
				}
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
