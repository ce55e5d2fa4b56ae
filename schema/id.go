package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ID is an identifier the API hands out (table, column, export, figure or
// chart id). The API may send ids as JSON numbers or as strings; ID accepts
// both and keeps the text, so "51" and 51 are the same ID.
type ID string

// UnmarshalJSON accepts a JSON number, a JSON string or null.
func (id *ID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*id = ""
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("decode id: %w", err)
		}
		*id = ID(s)
		return nil
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("decode id %.40q: %w", data, err)
		}
		*id = ID(n.String())
		return nil
	}
}

// MarshalJSON writes the id as a JSON number when it is made of decimal
// digits only, and as a JSON string otherwise.
func (id ID) MarshalJSON() ([]byte, error) {
	if id.numeric() {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}

func (id ID) numeric() bool {
	if id == "" || len(id) > 18 || (len(id) > 1 && id[0] == '0') {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the id's text.
func (id ID) String() string { return string(id) }
