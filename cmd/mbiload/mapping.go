package main

import (
	"fmt"
	"strings"
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
		loc, err := sourceTimezone(tz)
		if err != nil {
			return schema.Options{}, usageError{err}
		}
		opts.SourceTimezone = loc
	}
	return opts, nil
}

// timezoneForms names the forms --source-timezone accepts.
const timezoneForms = "want an IANA zone name such as America/New_York or Australia/Sydney, or UTC"

// sourceTimezone loads the zone named by --source-timezone (see
// accountTimezone).
func sourceTimezone(tz string) (*time.Location, error) {
	return accountTimezone("--source-timezone", tz)
}

// accountTimezone loads the account time zone named by flag. "Local" is
// refused: the zone would be the machine's, so a nightly job's instants
// (or a simulator's answers) would change with where it runs.
func accountTimezone(flag, tz string) (*time.Location, error) {
	if strings.EqualFold(strings.TrimSpace(tz), "local") {
		return nil, fmt.Errorf("%s %q: the machine's own zone is not accepted, since the "+
			"data's instants would then depend on where mbiload runs; %s", flag, tz, timezoneForms)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("%s %q: unknown time zone (%v); %s", flag, tz, err, timezoneForms)
	}
	return loc, nil
}
