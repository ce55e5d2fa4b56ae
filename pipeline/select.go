package pipeline

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/schema"
)

// Select picks the tables named by include (ids, names or shell globs such
// as "sales_*"; empty means every table) minus those named by exclude. Names
// match exactly, then case-insensitively. A pattern that matches nothing is
// an error, so a typo in a cron job fails loudly instead of loading less.
// The result keeps the API's order.
func Select(tables []extract.Table, include, exclude []string) ([]extract.Table, error) {
	picked := make([]bool, len(tables))
	if len(include) == 0 {
		for i := range picked {
			picked[i] = true
		}
	}
	for _, pat := range include {
		idx, err := match(tables, pat)
		if err != nil {
			return nil, fmt.Errorf("--tables %q: %w", pat, err)
		}
		for _, i := range idx {
			picked[i] = true
		}
	}
	for _, pat := range exclude {
		idx, err := match(tables, pat)
		if err != nil {
			return nil, fmt.Errorf("--exclude %q: %w", pat, err)
		}
		for _, i := range idx {
			picked[i] = false
		}
	}
	var out []extract.Table
	for i, t := range tables {
		if picked[i] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, ErrNoTables
	}
	return out, nil
}

// match returns the indexes of the tables a pattern names.
func match(tables []extract.Table, pat string) ([]int, error) {
	pat = strings.TrimSpace(pat)
	if pat == "" {
		return nil, fmt.Errorf("empty table name")
	}
	var idx []int
	if strings.ContainsAny(pat, "*?[") {
		if _, err := path.Match(pat, ""); err != nil {
			return nil, fmt.Errorf("bad pattern: %w", err)
		}
		for i, t := range tables {
			if ok, _ := path.Match(pat, t.Name); ok {
				idx = append(idx, i)
			} else if ok, _ := path.Match(strings.ToLower(pat), strings.ToLower(t.Name)); ok {
				idx = append(idx, i)
			}
		}
	} else {
		for i, t := range tables {
			if string(t.ID) == pat || t.Name == pat {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			for i, t := range tables {
				if strings.EqualFold(t.Name, pat) {
					idx = append(idx, i)
				}
			}
		}
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: no table has that id or name", ErrNoTables)
	}
	return idx, nil
}

// TargetNames assigns every table of the warehouse its PostgreSQL table
// name, keyed by table id. Names are computed over all tables in id order
// (numeric ids numerically), so a table's name does not depend on which
// tables a run selects, and two source names that map to the same
// identifier get distinct ones deterministically.
func TargetNames(tables []extract.Table, mode schema.IdentifierMode) map[schema.ID]string {
	sorted := append([]extract.Table(nil), tables...)
	sort.SliceStable(sorted, func(i, j int) bool { return idLess(sorted[i].ID, sorted[j].ID) })
	names := make([]string, len(sorted))
	for i, t := range sorted {
		names[i] = t.Name
	}
	ids := schema.Identifiers(names, mode, func(i int) string {
		return schema.TableIdentifier("", sorted[i].ID, mode)
	})
	out := make(map[schema.ID]string, len(sorted))
	for i, t := range sorted {
		out[t.ID] = ids[i]
	}
	return out
}

func idLess(a, b schema.ID) bool {
	na, errA := strconv.ParseInt(string(a), 10, 64)
	nb, errB := strconv.ParseInt(string(b), 10, 64)
	if errA == nil && errB == nil {
		return na < nb
	}
	if (errA == nil) != (errB == nil) {
		return errA == nil
	}
	return a < b
}
