package simulator

import (
	"fmt"
	"strings"
)

// Quirks switch on the lenient shapes the contract says a client must accept.
// All are off by default, giving the canonical shapes of the contract.
type Quirks struct {
	// BareArrays sends lists as bare JSON arrays instead of {"key":[...]}.
	BareArrays bool
	// StringIDs sends every id as a JSON string ("51") instead of a number.
	StringIDs bool
	// LowercaseStatus sends export statuses in lower case ("completed").
	LowercaseStatus bool
	// ExtraFields adds unknown fields to every JSON object and wrapper.
	ExtraFields bool
	// CRLF ends CSV records with "\r\n" (newlines inside quoted fields are kept).
	CRLF bool
	// BOM puts a UTF-8 byte order mark in front of the CSV.
	BOM bool
	// IgnoreRange answers Range requests with the whole zip and status 200.
	IgnoreRange bool
	// KeyedReports sends the figure and chart lists as an object keyed by
	// id ({"figureExports":{"360531":{...}}}) instead of a list.
	KeyedReports bool
	// LegacyReports sends figures and charts in the earlier guessed shape:
	// lists under "figures" and "charts", a figure's kind as "type", and no
	// presentationType or ownerEmail.
	LegacyReports bool
}

// quirkNames are the names [ParseQuirks] accepts, as for a --quirks flag.
var quirkNames = map[string]func(*Quirks){
	"bare-arrays":      func(q *Quirks) { q.BareArrays = true },
	"string-ids":       func(q *Quirks) { q.StringIDs = true },
	"lowercase-status": func(q *Quirks) { q.LowercaseStatus = true },
	"extra-fields":     func(q *Quirks) { q.ExtraFields = true },
	"crlf":             func(q *Quirks) { q.CRLF = true },
	"bom":              func(q *Quirks) { q.BOM = true },
	"ignore-range":     func(q *Quirks) { q.IgnoreRange = true },
	"keyed-reports":    func(q *Quirks) { q.KeyedReports = true },
	"legacy-reports":   func(q *Quirks) { q.LegacyReports = true },
}

// QuirkNames lists the names [ParseQuirks] accepts, besides "all" and "none".
const QuirkNames = "bare-arrays, string-ids, lowercase-status, extra-fields, crlf, bom, ignore-range, keyed-reports, legacy-reports"

// ParseQuirks parses a comma-separated list of quirk names (see
// [QuirkNames]); "all" switches every quirk on, "none" or "" none.
func ParseQuirks(list string) (Quirks, error) {
	var q Quirks
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		switch name {
		case "", "none":
			continue
		case "all":
			for _, set := range quirkNames {
				set(&q)
			}
			continue
		}
		set, ok := quirkNames[name]
		if !ok {
			return Quirks{}, fmt.Errorf("%w: unknown quirk %q (known: %s)", ErrBadConfig, name, QuirkNames)
		}
		set(&q)
	}
	return q, nil
}
