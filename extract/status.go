package extract

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Status is an export's state. Decoding normalises the known values
// case-insensitively to [StatusPending], [StatusCompleted] and [StatusError];
// any other text is kept as sent.
type Status string

// The known export states.
const (
	StatusPending   Status = "Pending"
	StatusCompleted Status = "Completed"
	StatusError     Status = "Error"
)

var _ json.Unmarshaler = (*Status)(nil)

// parseStatus normalises s: the known states case-insensitively (and with
// surrounding space trimmed), other text as it is.
func parseStatus(s string) Status {
	s = strings.TrimSpace(s)
	for _, known := range []Status{StatusPending, StatusCompleted, StatusError} {
		if strings.EqualFold(s, string(known)) {
			return known
		}
	}
	return Status(s)
}

// UnmarshalJSON accepts a string (normalised by [parseStatus]), null, an
// object {"id":..,"name":"Completed"} (its name), or any other JSON scalar
// kept as its text.
func (s *Status) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	var text string
	switch {
	case bytes.Equal(data, []byte("null")):
	case len(data) > 0 && data[0] == '"':
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
	case len(data) > 0 && data[0] == '{':
		var named struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(data, &named); err != nil {
			return err
		}
		text = named.Name
	default:
		text = string(data)
	}
	*s = parseStatus(text)
	return nil
}

// Done reports whether the export will not change state any more
// ([StatusCompleted] or [StatusError]).
func (s Status) Done() bool { return s == StatusCompleted || s == StatusError }
