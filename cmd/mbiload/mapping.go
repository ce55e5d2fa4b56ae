package main

import (
	"time"

	"github.com/mbiload/mbiload/schema"
	"github.com/urfave/cli/v2"
)

// mappingFlags are the flags that decide target names and types.
func mappingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "identifiers", EnvVars: []string{"MBILOAD_IDENTIFIERS"}, Value: "snake",
			Usage: "how source names become PostgreSQL names: snake (lower snake_case) or preserve (verbatim, quoted)"},
		&cli.StringFlag{Name: "source-timezone", EnvVars: []string{"MBILOAD_SOURCE_TIMEZONE"},
			Usage: "the account's time zone (Area/City); datetimes become timestamptz instants instead of timestamp"},
	}
}

// mappingOptions reads mappingFlags.
func mappingOptions(c *cli.Context) (schema.Options, error) {
	mode, err := schema.ParseIdentifierMode(c.String("identifiers"))
	if err != nil {
		return schema.Options{}, usageError{err}
	}
	opts := schema.Options{Identifiers: mode}
	if tz := c.String("source-timezone"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return schema.Options{}, usagef("--source-timezone %q: %v", tz, err)
		}
		opts.SourceTimezone = loc
	}
	return opts, nil
}
