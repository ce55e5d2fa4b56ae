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
			return nil, fmt.Errorf("table %q: %w: column %q appears twice in the header", t.SourceName, ErrHeaderMismatch, shorten(h, maxNameLen))
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
		parts = append(parts, "missing "+nameList(len(missing), func(k int) string { return t.Fields[missing[k]].Source.Name }))
	}
	if len(extra) > 0 {
		parts = append(parts, "not in the metadata "+nameList(len(extra), func(k int) string { return header[extra[k]] }))
	}
	return nil, fmt.Errorf("table %q: %w (header of %d columns, metadata of %d): %s",
		t.SourceName, ErrHeaderMismatch, len(header), len(t.Fields), strings.Join(parts, "; "))
}

// Limits on the names an error lists, so that a header of 200,000 columns
// does not make a megabyte error.
const (
	maxNameLen   = 64 // bytes of one name
	maxListNames = 10 // names listed before "and N more"
)

// nameList lists n names, quoted and shortened, at most maxListNames of them.
func nameList(n int, name func(k int) string) string {
	var b strings.Builder
	for k := range min(n, maxListNames) {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", shorten(name(k), maxNameLen))
	}
	if n > maxListNames {
		fmt.Fprintf(&b, " and %d more", n-maxListNames)
	}
	return b.String()
}
