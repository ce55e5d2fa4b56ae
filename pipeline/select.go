package pipeline

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// selectTables picks the tables named by include (ids, names or shell globs such
// as "sales_*"; empty means every table) minus those named by exclude. Names
// match exactly, then case-insensitively. A pattern that matches nothing is
// an error, so a typo in a cron job fails loudly instead of loading less;
// so is a selection left empty ([ErrAllExcluded]).
// The result keeps the API's order.
func selectTables(tables []extract.Table, include, exclude []string) ([]extract.Table, error) {
	picked := make([]bool, len(tables))
	if len(include) == 0 {
		for i := range picked {
			picked[i] = true
		}
	}
	for _, pat := range include {
		idx, err := match(tables, pat)
		if err != nil {
			return nil, &PatternError{Pattern: pat, Err: err}
		}
		for _, i := range idx {
			picked[i] = true
		}
	}
	for _, pat := range exclude {
		idx, err := match(tables, pat)
		if err != nil {
			return nil, &PatternError{Exclude: true, Pattern: pat, Err: err}
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
		return nil, ErrAllExcluded
	}
	return out, nil
}

// ErrAllExcluded is a selection whose excludes leave out every table it
// includes. [Runner.Sync] takes it as "no tables" when figures or charts
// are named, so that excluding '*' loads only those.
var ErrAllExcluded = errors.New("pipeline: the exclusions leave out every table selected " +
	"(with figures or charts, excluding '*' loads only those)")

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

// targetNames assigns every table of the warehouse its PostgreSQL table
// name, keyed by table id. Names are computed over all tables in id order
// (numeric ids numerically), so a table's name does not depend on which
// tables a run selects, and two source names that map to the same
// identifier get distinct ones deterministically.
func targetNames(tables []extract.Table, mode schema.IdentifierMode) map[schema.ID]string {
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

// tableTargets assigns every table of the warehouse its target (see
// [targetNames]) and the table its snapshot loads append to, keyed by
// table id. A history name takes part in the same
// assignment as the targets of [targetNames], which keep their names: a
// table's plain history name is its target + "_history" (see
// load.HistoryTableName); every plain name that is no table's target goes
// to the lowest id having it, the others get "_<id>" appended (as figures
// do, see [FigureTargetNames]), then "_2", "_3", ... while still taken.
// So no two tables ever write one table: with both sales_order_status and
// sales_order_status_history in the warehouse, the first's snapshots go to
// sales_order_status_history_<id>. Like the targets, a history name depends
// on neither the run's selection nor the order of the list.
func tableTargets(tables []extract.Table, mode schema.IdentifierMode) map[schema.ID]tableTarget {
	sorted := append([]extract.Table(nil), tables...)
	sort.SliceStable(sorted, func(i, j int) bool { return idLess(sorted[i].ID, sorted[j].ID) })
	names := targetNames(sorted, mode)
	used := make(map[string]bool, 2*len(names))
	for _, n := range names {
		used[n] = true
	}
	out := make(map[schema.ID]tableTarget, len(names))
	var rest []extract.Table
	for _, t := range sorted {
		if _, dup := out[t.ID]; dup {
			continue
		}
		plain := load.HistoryTableName(names[t.ID])
		tt := tableTarget{name: names[t.ID]}
		if !used[plain] {
			used[plain] = true
			tt.history = plain
		} else {
			rest = append(rest, t)
		}
		out[t.ID] = tt
	}
	for _, t := range rest {
		tt := out[t.ID]
		tt.history = suffixed(load.HistoryTableName(tt.name), t.ID, used)
		out[t.ID] = tt
	}
	return out
}

// tableTarget is what a source table's loads write: name for replace,
// append and merge, history for snapshot.
type tableTarget struct {
	name, history string
}

// written is the table a load in mode writes.
func (t tableTarget) written(mode load.Mode) string {
	if mode == load.ModeSnapshot {
		return t.history
	}
	return t.name
}

// apply sets the target names on a resolved table (none when t is the
// zero tableTarget, as for a table the assignment did not see).
func (t tableTarget) apply(tbl *schema.Table) {
	if t.name != "" {
		tbl.Name, tbl.HistoryName = t.name, t.history
	}
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
