package transform

import (
	"fmt"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// matchHeader maps each header field to a table field (by source name) and
// returns, for CSV field i, the index of its table field.
//
// Names match exactly first. A header name and a metadata name left over
// after that also match when they are equal once trailing spaces are
// trimmed from both, provided no other leftover name on either side trims
// to the same text. A reordered header is mapped, not an error. A
// duplicate header name, a metadata column missing from the header and a
// header name not in the metadata are errors ([ErrHeaderMismatch]).
func matchHeader(t *schema.Table, header []string) ([]int, error) {
	seen := make(map[string]bool, len(header))
	for _, h := range header {
		if seen[h] {
			return nil, fmt.Errorf("table %q: %w: column %q appears twice in the header", t.SourceName, ErrHeaderMismatch, h)
		}
		seen[h] = true
	}
	byName := make(map[string]int, len(t.Fields))
	for i, f := range t.Fields {
		byName[f.Source.Name] = i
	}
	colOf := make([]int, len(header))
	used := make([]bool, len(t.Fields))
	var extra []int
	for i, h := range header {
		j, ok := byName[h]
		if !ok {
			colOf[i] = -1
			extra = append(extra, i)
			continue
		}
		colOf[i], used[j] = j, true
	}
	var missing []int
	for j := range t.Fields {
		if !used[j] {
			missing = append(missing, j)
		}
	}
	if len(extra) > 0 && len(missing) > 0 {
		trim := func(s string) string { return strings.TrimRight(s, " ") }
		count := make(map[string]int)
		for _, i := range extra {
			count["h"+trim(header[i])]++
		}
		for _, j := range missing {
			count["m"+trim(t.Fields[j].Source.Name)]++
		}
		for _, i := range extra {
			key := trim(header[i])
			if count["h"+key] != 1 || count["m"+key] != 1 {
				continue
			}
			for _, j := range missing {
				if !used[j] && trim(t.Fields[j].Source.Name) == key {
					colOf[i], used[j] = j, true
				}
			}
		}
		extra, missing = extra[:0], missing[:0]
		for i := range header {
			if colOf[i] < 0 {
				extra = append(extra, i)
			}
		}
		for j := range t.Fields {
			if !used[j] {
				missing = append(missing, j)
			}
		}
	}
	if len(extra) == 0 && len(missing) == 0 {
		return colOf, nil
	}
	var parts []string
	if len(missing) > 0 {
		names := make([]string, len(missing))
		for k, j := range missing {
			names[k] = fmt.Sprintf("%q", t.Fields[j].Source.Name)
		}
		parts = append(parts, "missing "+strings.Join(names, ", "))
	}
	if len(extra) > 0 {
		names := make([]string, len(extra))
		for k, i := range extra {
			names[k] = fmt.Sprintf("%q", header[i])
		}
		parts = append(parts, "not in the metadata "+strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("table %q: %w: %s", t.SourceName, ErrHeaderMismatch, strings.Join(parts, "; "))
}
