package main

import (
	"fmt"

	"github.com/mbiload/mbiload/extract"
	"github.com/urfave/cli/v2"
)

func updateStatusCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:      "update-status",
		Usage:     "show when the warehouse last finished its own update cycle",
		UsageText: "mbiload update-status [--json]\n\nExample:\n  mbiload update-status --json",
		Flags:     []cli.Flag{jsonFlag()},
		Action: apiAction(env, func(c *cli.Context, client *extract.Client) error {
			st, err := client.FullUpdateStatus(c.Context)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return printJSON(env.stdout, st)
			}
			job := st.LastCompletedUpdateJob
			if job == nil {
				_, err := fmt.Fprintln(env.stdout, "no completed update job yet")
				return err
			}
			return printTable(env.stdout, []string{"JOB", "TYPE", "START", "END", "STATUS", "ZONE"},
				[][]string{{job.ID.String(), job.Type.Name, stamp(job.Start), stamp(job.End), job.Status.Name, st.TimezoneAbbreviation}})
		}),
	}
}
