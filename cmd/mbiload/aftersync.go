package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/urfave/cli/v2"
)

// refreshViewsFlag is --refresh-views of the commands that load.
func refreshViewsFlag() cli.Flag {
	return &cli.StringFlag{Name: "refresh-views", EnvVars: []string{"MBILOAD_REFRESH_VIEWS"}, Value: string(load.RefreshInTransaction),
		Usage: "materialized views reading a loaded table: transaction (refreshed in the load's transaction: readers see " +
			"the new table and the views at one commit), concurrently (right after the commit, CONCURRENTLY where the view " +
			"has a unique index: readers never wait) or off; a view over several tables of a sync is refreshed once, after the last"}
}

// afterSyncFlag is --after-sync of sync.
func afterSyncFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "after-sync", EnvVars: []string{"MBILOAD_AFTER_SYNC"},
		Usage: "SQL file to run once after every table is published, when the run loaded something (repeatable, " +
			"or comma separated; all files in one transaction, in order); a failure gives exit code 3 and the tables stay published"}
}

// refreshMode reads --refresh-views.
func refreshMode(c *cli.Context) (load.RefreshMode, error) {
	m, err := load.ParseRefreshMode(c.String("refresh-views"))
	if err != nil {
		return "", usagef("--refresh-views %q: want transaction, concurrently or off", c.String("refresh-views"))
	}
	return m, nil
}

// afterSyncScripts reads the --after-sync files; one that cannot be read
// or is empty is a usage error, before anything runs.
func afterSyncScripts(c *cli.Context) ([]load.Script, error) {
	var out []load.Script
	for _, path := range splitList(c.StringSlice("after-sync")) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usagef("--after-sync: %v", err)
		}
		if strings.TrimSpace(string(data)) == "" {
			return nil, usagef("--after-sync %s: the file is empty", path)
		}
		out = append(out, load.Script{Name: path, SQL: string(data)})
	}
	return out, nil
}

// afterLoadError marks a run whose tables all loaded but whose view
// refreshes or --after-sync hook failed (exit code 3). Its details have
// been reported already.
type afterLoadError struct{ n int }

func (e afterLoadError) Error() string {
	if e.n == 1 {
		return "every table loaded, but a materialized view refresh or the after-sync hook failed (the tables stay published; see the log above or --report)"
	}
	return fmt.Sprintf("every table loaded, but %d materialized view refreshes or the after-sync hook failed (the tables stay published; see the log above or --report)", e.n)
}

// printAfterLoads prints the run's materialized view refreshes and its
// --after-sync hook, one line each, after the tables' summary.
func printAfterLoads(env *appEnv, rep *pipeline.Report) {
	var rows [][]string
	add := func(v load.ViewRefresh) {
		if v.Status == load.ViewDeferred {
			return
		}
		how, secs := v.How, strconv.FormatFloat(v.Seconds, 'f', 2, 64)
		if v.Concurrently {
			how += ", concurrently"
		}
		if v.Status == load.ViewPlanned {
			secs = ""
		}
		rows = append(rows, []string{"view " + v.View, strings.Join(v.Tables, ","), v.Status, how, secs, shortNote(v.Error)})
	}
	for _, t := range rep.Tables {
		for _, v := range t.Views {
			add(v)
		}
	}
	for _, v := range rep.Views {
		add(v)
	}
	if a := rep.AfterSync; a != nil {
		secs := strconv.FormatFloat(a.Seconds, 'f', 2, 64)
		if a.Status == load.AfterSyncPlanned || a.Status == load.AfterSyncSkipped {
			secs = ""
		}
		rows = append(rows, []string{"after-sync", strings.Join(a.Files, ","), a.Status, "", secs, shortNote(a.Error)})
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(env.stdout)
	printTable(env.stdout, []string{"AFTER THE LOADS", "READS", "STATUS", "HOW", "SECONDS", "NOTE"}, rows)
}
