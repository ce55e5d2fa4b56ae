package pipeline

import (
	"fmt"
	"strings"
	"time"
)

// zoneWarning checks the account's time zone abbreviation from
// fullupdatestatus ("EST") against the zone the API's times are read in
// (loc, --source-timezone; nil means UTC), at the instant of wall (an API
// time). The abbreviation cannot be turned into a zone ("CST" names
// three), so it is only compared: a zone whose standard or daylight
// abbreviation it is, or a UTC abbreviation without a zone set, passes;
// anything else returns a warning, since the wait for an update would then
// misjudge when the update ended by the zones' offset. "" when it passes
// or the API gave none.
func zoneWarning(abbr string, loc *time.Location, wall time.Time) string {
	abbr = strings.TrimSpace(abbr)
	if abbr == "" {
		return ""
	}
	if loc == nil {
		switch strings.ToUpper(abbr) {
		case "UTC", "GMT", "Z", "UCT":
			return ""
		}
		return fmt.Sprintf("the account's time zone is %s but --source-timezone is not set: the API's times "+
			"are read as UTC, so the wait for an update is off by the zone's offset (set --source-timezone, "+
			"e.g. America/New_York for EST)", abbr)
	}
	y := wall.Year()
	for _, at := range []time.Time{
		time.Date(y, time.January, 15, 12, 0, 0, 0, loc),
		time.Date(y, time.July, 15, 12, 0, 0, 0, loc),
		time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc),
	} {
		if name, _ := at.Zone(); strings.EqualFold(name, abbr) {
			return ""
		}
	}
	return fmt.Sprintf("the account's time zone is %s, which --source-timezone %s never uses: "+
		"check --source-timezone; the API's times are read in it", abbr, loc)
}
