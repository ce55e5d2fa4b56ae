package magentogen

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// mustCSV returns the table's whole CSV.
func mustCSV(t testing.TB, tb *Table) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tb.WriteCSV(context.Background(), &buf); err != nil {
		t.Fatalf("WriteCSV %s: %v", tb.Name, err)
	}
	return buf.Bytes()
}

// mustTable returns the named table of a warehouse.
func mustTable(t testing.TB, tables []*Table, name string) *Table {
	t.Helper()
	tb := Find(tables, name)
	if tb == nil {
		t.Fatalf("no table %q", name)
	}
	return tb
}

// rawField is a CSV field as it stands in the bytes: its unescaped text and
// whether it was quoted.
type rawField struct {
	text   string
	quoted bool
}

// splitRaw parses strict RFC 4180 CSV with LF line ends (what WriteCSV
// promises) into records of raw fields. Unlike encoding/csv it keeps the
// difference between an empty unquoted field and "" and reports anything
// loose: a quote inside an unquoted field, a CR outside quotes, text after a
// closing quote, a missing final LF.
func splitRaw(data []byte) ([][]rawField, error) {
	var recs [][]rawField
	var rec []rawField
	i := 0
	for i < len(data) {
		var f rawField
		if data[i] == '"' {
			f.quoted = true
			var b []byte
			i++
			for {
				if i >= len(data) {
					return nil, fmt.Errorf("record %d: unterminated quoted field", len(recs)+1)
				}
				if data[i] == '"' {
					if i+1 < len(data) && data[i+1] == '"' {
						b = append(b, '"')
						i += 2
						continue
					}
					i++
					break
				}
				b = append(b, data[i])
				i++
			}
			f.text = string(b)
		} else {
			start := i
			for i < len(data) && data[i] != ',' && data[i] != '\n' {
				if data[i] == '"' || data[i] == '\r' {
					return nil, fmt.Errorf("record %d: %q in an unquoted field", len(recs)+1, data[i])
				}
				i++
			}
			f.text = string(data[start:i])
		}
		rec = append(rec, f)
		if i >= len(data) {
			return nil, fmt.Errorf("record %d: no final line feed", len(recs)+1)
		}
		switch data[i] {
		case ',':
			i++
			if i == len(data) {
				return nil, fmt.Errorf("record %d: no final line feed", len(recs)+1)
			}
		case '\n':
			i++
			recs = append(recs, rec)
			rec = nil
		default:
			return nil, fmt.Errorf("record %d: %q after a closing quote", len(recs)+1, data[i])
		}
	}
	return recs, nil
}

// isNull reports whether a raw field is a NULL: empty and unquoted.
func (f rawField) isNull() bool { return !f.quoted && f.text == "" }
