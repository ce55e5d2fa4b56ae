package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// FigureTargetNames assigns every figure of the API its PostgreSQL table
// name, keyed by figure id. figures is the whole list (GET /figure) and
// tables the whole warehouse, so a figure's name depends on neither the
// run's selection nor the order of either list.
//
// A figure's plain name is "figure_<name>" under the identifier rules
// (cut to 63 bytes with a hash, as [schema.Identifier] does). Every plain
// name that no other figure and no warehouse table target (nor its
// history table, for snapshot loads, see [tableTargets], nor
// <table>_history) has is used as it is. When figures
// share a plain name the one with the lowest id (numeric ids compared as
// numbers) keeps it and the others get "_<id>" appended (cut to fit), so
// a figure's table stays the same when another figure of the same name is
// added or deleted; a plain name that a table target has goes to no
// figure. Should a name so made still be taken, "_2", "_3", ... follow.
// The names are distinct and start with "figure_", so no chart
// ([ChartTargetNames]) has one.
func FigureTargetNames(figures []extract.Figure, tables []extract.Table, mode schema.IdentifierMode) map[schema.ID]string {
	return targetsOnly(assignReportTargets("figure", figureItems(figures), tables, mode))
}

// ChartTargetNames assigns every chart of the API its PostgreSQL table
// name, keyed by chart id, as [FigureTargetNames] does for figures, with
// the prefix "chart_".
func ChartTargetNames(charts []extract.Chart, tables []extract.Table, mode schema.IdentifierMode) map[schema.ID]string {
	return targetsOnly(assignReportTargets("chart", chartItems(charts), tables, mode))
}

// reportItem is a figure or chart as its naming sees it.
type reportItem struct {
	id   schema.ID
	name string
}

// figureItems and chartItems are the API's lists as reportItems.
func figureItems(figures []extract.Figure) []reportItem {
	items := make([]reportItem, len(figures))
	for i, f := range figures {
		items[i] = reportItem{id: f.ID, name: f.Name}
	}
	return items
}

func chartItems(charts []extract.Chart) []reportItem {
	items := make([]reportItem, len(charts))
	for i, c := range charts {
		items[i] = reportItem{id: c.ID, name: c.Name}
	}
	return items
}

// reportTarget is the table assigned to a figure or chart, and its plain
// name (the two differ when the plain name was taken); source is the
// figure's (chart's) name in the API's list.
type reportTarget struct {
	name, plain string
	source      string
}

// assignReportTargets implements [FigureTargetNames] for figures or charts
// (kind "figure" or "chart").
func assignReportTargets(kind string, items []reportItem, tables []extract.Table, mode schema.IdentifierMode) map[schema.ID]reportTarget {
	sorted := append([]reportItem(nil), items...)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		switch {
		case idLess(a.id, b.id):
			return true
		case idLess(b.id, a.id):
			return false
		case a.id != b.id: // "7" and "07"
			return a.id < b.id
		}
		return a.name < b.name
	})
	used := map[string]bool{}
	for _, t := range tableTargets(tables, mode) {
		// The plain history name stays taken even when the table's history
		// is elsewhere, so that figures keep the names they had.
		used[t.name] = true
		used[t.history] = true
		used[load.HistoryTableName(t.name)] = true
	}
	out := make(map[schema.ID]reportTarget, len(sorted))
	var rest []reportItem
	// First every plain name that is free goes to the lowest id having it,
	// so a figure whose name collides with nothing is never renamed.
	for _, it := range sorted {
		if _, dup := out[it.id]; dup {
			continue // the API listed an id twice: the first (by name) counts
		}
		plain := reportPlainName(kind, it.id, it.name, mode)
		if used[plain] {
			out[it.id] = reportTarget{plain: plain, source: it.name}
			rest = append(rest, it)
			continue
		}
		used[plain] = true
		out[it.id] = reportTarget{name: plain, plain: plain, source: it.name}
	}
	// Then the others, in id order, by id.
	for _, it := range rest {
		t := out[it.id]
		t.name = suffixed(t.plain, it.id, used)
		out[it.id] = t
	}
	return out
}

// targetsOnly is the table name of each assigned target.
func targetsOnly(targets map[schema.ID]reportTarget) map[schema.ID]string {
	out := make(map[schema.ID]string, len(targets))
	for id, t := range targets {
		out[id] = t.name
	}
	return out
}

// reportPlainName is the table name of a figure or chart before collisions
// are resolved: "<kind>_<name>" under the identifier rules, computed as
// releases before the collision rules did, so that tables keep their names.
func reportPlainName(kind string, id schema.ID, name string, mode schema.IdentifierMode) string {
	return schema.Identifier(kind+"_"+schema.TableIdentifier(name, id, mode), mode, kind+"_"+string(id))
}

// maxIDSuffix bounds the id text appended to a taken name; longer ids (or
// ids with characters other than lower-case letters, digits and "_") are
// replaced by 8 hex digits of their SHA-256, so a suffix never eats into
// the "figure_" or "chart_" prefix.
const maxIDSuffix = 20

// suffixed is the name given to id when its plain name is taken: plain
// with "_<id>" appended ("_<hash>" for an id unfit for a name), then
// "_2", "_3", ... while used holds it. It marks the name used.
func suffixed(plain string, id schema.ID, used map[string]bool) string {
	suffix := "_" + string(id)
	fit := id != "" && len(id) <= maxIDSuffix
	for i := 0; fit && i < len(id); i++ {
		c := id[i]
		fit = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '_'
	}
	if !fit {
		sum := sha256.Sum256([]byte(id))
		suffix = "_" + hex.EncodeToString(sum[:4])
	}
	name := withSuffix(plain, suffix)
	for k := 2; used[name]; k++ {
		name = withSuffix(plain, suffix+"_"+strconv.Itoa(k))
	}
	used[name] = true
	return name
}

// withSuffix appends suffix to name, cutting name at a rune boundary (and
// before underscores that the cut left at its end) so the result fits
// [schema.MaxIdentifierBytes].
func withSuffix(name, suffix string) string {
	n := schema.MaxIdentifierBytes - len(suffix)
	if len(name) > n {
		for n > 0 && !utf8.RuneStart(name[n]) {
			n--
		}
		name = strings.TrimRight(name[:n], "_")
	}
	return name + suffix
}
