package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// UnmarshalList decodes a JSON list that the API may send either as a bare
// array or wrapped in an object under key (for example {"tables":[...]}).
// When the object has no such key but exactly one array-valued field, that
// field is used. Unknown fields are ignored.
func UnmarshalList(data []byte, key string, dst any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return fmt.Errorf("decode %s: empty body", key)
	}
	if data[0] == '[' {
		if err := json.Unmarshal(data, dst); err != nil {
			return fmt.Errorf("decode %s: %w", key, err)
		}
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	raw, ok := obj[key]
	if !ok {
		for k, v := range obj {
			if strings.EqualFold(k, key) {
				raw, ok = v, true
				break
			}
		}
	}
	if !ok {
		var arrays []json.RawMessage
		for _, v := range obj {
			if v = bytes.TrimSpace(v); len(v) > 0 && v[0] == '[' {
				arrays = append(arrays, v)
			}
		}
		if len(arrays) != 1 {
			return fmt.Errorf("decode %s: object has no %q list", key, key)
		}
		raw = arrays[0]
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		raw = []byte("[]")
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

// Flag is a boolean the API may send as true/false, 0/1 or a string of
// either. A missing field is false.
type Flag bool

// UnmarshalJSON accepts true, false, 0, 1, "true", "false", "1", "0", "yes",
// "no" and null.
func (f *Flag) UnmarshalJSON(data []byte) error {
	s := strings.ToLower(strings.Trim(string(bytes.TrimSpace(data)), `"`))
	switch s {
	case "true", "1", "yes", "y", "t":
		*f = true
	case "false", "0", "no", "n", "f", "", "null":
		*f = false
	default:
		return fmt.Errorf("decode flag: %.40q is not a boolean", data)
	}
	return nil
}

// Count is an integer the API may send as a JSON number or as a string of
// digits. A missing or null field is zero.
type Count int64

// UnmarshalJSON accepts a JSON number, a numeric string or null.
func (c *Count) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if s == "" || s == "null" {
		*c = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("decode count: %.40q is not an integer", data)
		}
		n = int64(f)
	}
	*c = Count(n)
	return nil
}
