package pipeline

import (
	"fmt"
	"strings"
	"time"
)

// ZoneError is a warning of a run that waits for an update: the account's
// time zone abbreviation from fullupdatestatus disagrees with the zone the
// API's times are read in (Options.Mapping.SourceTimezone), so the wait
// would misjudge when the update ended by the zones' offset.
type ZoneError struct {
	// Abbr is the account's abbreviation ("EST").
	Abbr string
	// Location is the source time zone; nil when none is set (UTC).
	Location *time.Location
}

// Error says what disagrees and what to do.
func (e *ZoneError) Error() string {
	if e.Location == nil {
		return fmt.Sprintf("the account's time zone is %s but no source time zone is set: the API's times "+
			"are read as UTC, so the wait for an update is off by the zone's offset (set one, "+
			"e.g. America/New_York for EST)", e.Abbr)
	}
	return fmt.Sprintf("the account's time zone is %s, which the source time zone %s never uses: "+
		"check it; the API's times are read in it", e.Abbr, e.Location)
}

// zoneWarning checks the account's time zone abbreviation from
// fullupdatestatus ("EST") against the zone the API's times are read in
// (loc; nil means UTC), at the instant of wall (an API time). The
// abbreviation cannot be turned into a zone ("CST" names three), so it is
// only compared: a zone whose standard or daylight abbreviation it is, or
// a UTC abbreviation without a zone set, passes; anything else returns a
// [*ZoneError]. nil when it passes or the API gave none.
func zoneWarning(abbr string, loc *time.Location, wall time.Time) error {
	abbr = strings.TrimSpace(abbr)
	if abbr == "" {
		return nil
	}
	if loc == nil {
		switch strings.ToUpper(abbr) {
		case "UTC", "GMT", "Z", "UCT":
			return nil
		}
		return &ZoneError{Abbr: abbr}
	}
	y := wall.Year()
	for _, at := range []time.Time{
		time.Date(y, time.January, 15, 12, 0, 0, 0, loc),
		time.Date(y, time.July, 15, 12, 0, 0, 0, loc),
		time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc),
	} {
		if name, _ := at.Zone(); strings.EqualFold(name, abbr) {
			return nil
		}
	}
	return &ZoneError{Abbr: abbr, Location: loc}
}
