package main

import (
	"github.com/mbiload/mbiload/load"
	"github.com/urfave/cli/v2"
)

// distributeFlags make the tables first loads create Citus tables: shared
// by sync, backfill, load-file and tables describe (--ddl shows them).
func distributeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "distribute", EnvVars: []string{"MBILOAD_DISTRIBUTE"},
			Usage: "GLOB=COLUMN: create new tables whose source names match GLOB as Citus tables hash-distributed by COLUMN, colocated with each other (repeatable; existing tables keep their distribution)"},
		&cli.StringSliceFlag{Name: "reference", EnvVars: []string{"MBILOAD_REFERENCE"},
			Usage: "GLOB: create new tables whose source names match GLOB as Citus reference tables (repeatable)"},
	}
}

// distributeRules reads distributeFlags; a malformed rule is a usage
// error.
func distributeRules(c *cli.Context) ([]load.DistributeRule, error) {
	var out []load.DistributeRule
	for _, s := range c.StringSlice("distribute") {
		d, err := load.ParseDistributeRule(s)
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, d)
	}
	for _, s := range c.StringSlice("reference") {
		d, err := load.ReferenceRule(s)
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, d)
	}
	return out, nil
}
