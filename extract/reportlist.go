package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// reportKeys are the names a figure or chart list (and, in the singular
// or the same, an info answer) may be wrapped under: the live service's
// figureExports/chartExports first, then the earlier guesses.
var reportKeys = map[string][]string{
	"figure": {"figureExports", "figures", "figureExport", "figure"},
	"chart":  {"chartExports", "charts", "chartExport", "chart"},
}

// unmarshalReports decodes a figure or chart list (kind "figure" or
// "chart") into dst, a pointer to a slice of [Figure] or [Chart]. The list
// may come bare or wrapped under one of reportKeys (or under any single
// array-valued field), as a JSON array or as an object keyed by id
// ({"360531":{"name":...}}), which is how the live service's clients walk
// it. An item without an id of its own takes its key. Items keep the
// order of the document.
func unmarshalReports[T any, P interface {
	*T
	setMissingID(schema.ID)
}](data []byte, kind string, dst *[]T) error {
	raw, err := reportListValue(data, kind)
	if err != nil {
		return err
	}
	keys, values, err := listEntries(raw)
	if err != nil {
		return fmt.Errorf("decode %ss: %w", kind, err)
	}
	out := make([]T, 0, len(values))
	for i, v := range values {
		var item T
		if err := json.Unmarshal(v, &item); err != nil {
			return fmt.Errorf("decode %ss: item %d: %w", kind, i+1, err)
		}
		if keys != nil {
			P(&item).setMissingID(schema.ID(keys[i]))
		}
		out = append(out, item)
	}
	*dst = out
	return nil
}

// reportListValue finds the list in a figure or chart list answer: the
// body itself when it is an array or an object keyed by id, else the
// value under one of reportKeys, else the single array-valued field.
func reportListValue(data []byte, kind string) (json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("decode %ss: empty body", kind)
	}
	if data[0] == '[' {
		return data, nil
	}
	if data[0] != '{' {
		return nil, fmt.Errorf("decode %ss: want a JSON array or object, got %.20q", kind, data)
	}
	obj, err := objectFields(data)
	if err != nil {
		return nil, fmt.Errorf("decode %ss: %w", kind, err)
	}
	for _, key := range reportKeys[kind] {
		for _, f := range obj {
			if strings.EqualFold(f.key, key) && isListValue(f.value) {
				return f.value, nil
			}
		}
	}
	var arrays []json.RawMessage
	allObjects := true
	for _, f := range obj {
		switch f.value[0] {
		case '[':
			arrays = append(arrays, f.value)
		case '{':
		default:
			allObjects = false
		}
	}
	switch {
	case len(arrays) == 1:
		return arrays[0], nil
	case len(arrays) == 0 && allObjects:
		return data, nil // bare, keyed by id ({} is an empty list)
	}
	return nil, fmt.Errorf("decode %ss: object has no %q list", kind, reportKeys[kind][0])
}

// isListValue reports whether v can hold a list: an array, an object or
// null.
func isListValue(v json.RawMessage) bool {
	return v[0] == '[' || v[0] == '{' || string(v) == "null"
}

// field is one member of a JSON object, in document order.
type field struct {
	key   string
	value json.RawMessage // trimmed, never empty
}

// objectFields reads a JSON object's members in document order.
func objectFields(data []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object, got %.20q", data)
	}
	var out []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("field %q: %w", key, err)
		}
		out = append(out, field{key: key, value: bytes.TrimSpace(v)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// listEntries splits a list value into its items: an array's elements
// (keys nil), an object's values with their keys, or nothing for null.
func listEntries(raw json.RawMessage) (keys []string, values []json.RawMessage, err error) {
	switch raw[0] {
	case '[':
		if err := json.Unmarshal(raw, &values); err != nil {
			return nil, nil, err
		}
		return nil, values, nil
	case '{':
		fields, err := objectFields(raw)
		if err != nil {
			return nil, nil, err
		}
		keys = make([]string, 0, len(fields))
		for _, f := range fields {
			if f.value[0] != '{' {
				return nil, nil, fmt.Errorf("item %q: want an object, got %.20q", f.key, f.value)
			}
			keys = append(keys, f.key)
			values = append(values, f.value)
		}
		return keys, values, nil
	default:
		return nil, nil, nil // null
	}
}

// unmarshalReport decodes a figure or chart info answer into dst: the item
// bare, or wrapped under one of reportKeys as an object, a one-item list,
// or an object keyed by id (the entry for id, or the only one).
func unmarshalReport[T any, P interface {
	*T
	setMissingID(schema.ID)
}](data []byte, kind string, id schema.ID, dst *T) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("decode %s: want a JSON object, got %.20q", kind, data)
	}
	obj, err := objectFields(data)
	if err != nil {
		return fmt.Errorf("decode %s: %w", kind, err)
	}
	if hasItemField(obj) {
		if err := json.Unmarshal(data, dst); err != nil {
			return fmt.Errorf("decode %s: %w", kind, err)
		}
		P(dst).setMissingID(id)
		return nil
	}
	for _, key := range reportKeys[kind] {
		for _, f := range obj {
			if !strings.EqualFold(f.key, key) || !isListValue(f.value) {
				continue
			}
			if f.value[0] == '{' {
				if inner, err := objectFields(f.value); err == nil && hasItemField(inner) {
					return unmarshalReport[T, P](f.value, kind, id, dst)
				}
			}
			var items []T
			if err := unmarshalReports[T, P](f.value, kind, &items); err != nil {
				return err
			}
			return pickReport(items, kind, id, dst)
		}
	}
	var items []T
	if err := unmarshalReports[T, P](data, kind, &items); err != nil {
		return fmt.Errorf("decode %s: no %s in the answer: %w", kind, kind, err)
	}
	return pickReport(items, kind, id, dst)
}

// hasItemField reports whether an object's fields look like one figure or
// chart rather than a list keyed by id.
func hasItemField(fields []field) bool {
	for _, f := range fields {
		if f.key == "id" || f.key == "name" || f.key == "presentationType" || f.key == "ownerEmail" {
			return true
		}
	}
	return false
}

// pickReport stores in dst the item of items with id, or the only item.
func pickReport[T any](items []T, kind string, id schema.ID, dst *T) error {
	for i := range items {
		if reportID(&items[i]) == id {
			*dst = items[i]
			return nil
		}
	}
	if len(items) == 1 {
		*dst = items[0]
		return nil
	}
	return fmt.Errorf("decode %s: the answer holds %d %ss, none with id %s", kind, len(items), kind, id)
}

// reportID is the id of a *Figure or *Chart.
func reportID(item any) schema.ID {
	switch v := item.(type) {
	case *Figure:
		return v.ID
	case *Chart:
		return v.ID
	}
	return ""
}
