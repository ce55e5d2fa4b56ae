package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TimestampLayout is the API's timestamp format. It carries no zone: the
// service means the client account's time zone (see
// [UpdateStatus.TimezoneAbbreviation]).
const TimestampLayout = "2006-01-02 15:04:05"

// Timestamp is an API timestamp. It decodes "YYYY-MM-DD HH:MM:SS" (also with
// fractional seconds, with a "T" separator, as RFC 3339, or as a bare date),
// reading a zone-less wall clock as UTC; null and "" decode to the zero time.
// It encodes back to "YYYY-MM-DD HH:MM:SS" in its own location, or null when
// zero.
type Timestamp struct{ time.Time }

var (
	_ json.Marshaler   = Timestamp{}
	_ json.Unmarshaler = (*Timestamp)(nil)
)

var timestampLayouts = []string{
	TimestampLayout, // fractional seconds are accepted after the seconds when parsing
	"2006-01-02T15:04:05",
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02",
}

// ParseTimestamp parses an API timestamp (see [Timestamp]). The empty string
// gives the zero Timestamp.
func ParseTimestamp(s string) (Timestamp, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Timestamp{}, nil
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return Timestamp{t}, nil
		}
	}
	return Timestamp{}, fmt.Errorf("decode timestamp %.40q: want YYYY-MM-DD HH:MM:SS", s)
}

// UnmarshalJSON accepts a JSON string in one of the formats above, or null.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*t = Timestamp{}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("decode timestamp %.40q: not a string", data)
	}
	ts, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	*t = ts
	return nil
}

// MarshalJSON writes "YYYY-MM-DD HH:MM:SS", or null for the zero time.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Format(TimestampLayout) + `"`), nil
}

// String returns "YYYY-MM-DD HH:MM:SS", or "" for the zero time.
func (t Timestamp) String() string {
	if t.IsZero() {
		return ""
	}
	return t.Format(TimestampLayout)
}
