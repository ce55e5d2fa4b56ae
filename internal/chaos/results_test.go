//go:build chaos

package chaos

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault kinds, the first column group of the results.
const (
	kindSurvive  = "survive"
	kindFailSafe = "fail-safe"
	kindSecurity = "security"
)

// figures are what one run of a scenario measured.
type figures struct {
	lost, dup, half int64
	notes           []string
	bugs            []string // known bugs reproduced
	injected        map[string]int
}

// knownBugs are the bugs this suite found that are not fixed yet, by id.
// The check that shows one calls [scn.bug]. A reproduction fails the test
// unless CHAOS_KNOWN_BUGS names the id (as .ci/run does, so CI stays
// usable while the fix is routed); the run is then counted as not passed
// and the bug listed under the table. A named bug that does not reproduce
// fails the test, so the list cannot go stale.
var knownBugs = map[string]string{}

// bug checks a known bug: ok is the behaviour wanted.
func (sc *scn) bug(id string, ok bool, format string, args ...any) {
	sc.t.Helper()
	desc, known := knownBugs[id]
	if !known {
		sc.t.Fatalf("bug %q is not in knownBugs", id)
	}
	allowed := st.cfg.knownBugs[id]
	switch {
	case ok && allowed:
		sc.t.Errorf("known bug %s did not reproduce: it looks fixed; remove it from CHAOS_KNOWN_BUGS (.ci/run) and knownBugs", id)
	case ok:
	case allowed:
		sc.fig.bugs = append(sc.fig.bugs, id)
		sc.t.Logf("KNOWN BUG %s (%s): "+format, append([]any{id, desc}, args...)...)
	default:
		sc.fig.bugs = append(sc.fig.bugs, id)
		sc.t.Errorf("BUG %s (%s): "+format, append([]any{id, desc}, args...)...)
	}
}

// faultResult is one line of the results table.
type faultResult struct {
	Fault          string   `json:"fault"`
	Kind           string   `json:"kind"`
	Runs           int      `json:"runs"`
	Passed         int      `json:"passed"`
	RowsLost       int64    `json:"rows_lost"`
	RowsDuplicated int64    `json:"rows_duplicated"`
	HalfVisible    int64    `json:"half_visible_tables"`
	Seconds        float64  `json:"seconds"`
	Notes          []string `json:"notes,omitempty"`
	KnownBugs      []string `json:"known_bugs,omitempty"`
	// Injected counts the faults the simulators logged, by kind.
	Injected map[string]int `json:"faults_injected,omitempty"`
}

// tally collects the results of all scenarios in the order they first ran.
type tally struct {
	mu    sync.Mutex
	order []string
	by    map[string]*faultResult
}

var results = &tally{by: map[string]*faultResult{}}

// line returns fault's line of the results, adding it (in first-seen
// order) if new; r.mu must be held.
func (r *tally) line(kind, fault string) *faultResult {
	fr := r.by[fault]
	if fr == nil {
		fr = &faultResult{Fault: fault, Kind: kind}
		r.by[fault] = fr
		r.order = append(r.order, fault)
	}
	return fr
}

// record adds one run of fault: passed when the test has not failed.
func (r *tally) record(t testing.TB, kind, fault string, f *figures, took time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fr := r.line(kind, fault)
	fr.Runs++
	if !t.Failed() && len(f.bugs) == 0 {
		fr.Passed++
	}
	for k, n := range f.injected {
		if fr.Injected == nil {
			fr.Injected = map[string]int{}
		}
		fr.Injected[k] += n
	}
	for _, b := range f.bugs {
		if !slices.Contains(fr.KnownBugs, b) {
			fr.KnownBugs = append(fr.KnownBugs, b)
		}
	}
	fr.RowsLost += f.lost
	fr.RowsDuplicated += f.dup
	fr.HalfVisible += f.half
	fr.Seconds += took.Seconds()
	for _, n := range f.notes {
		if !slices.Contains(fr.Notes, n) {
			fr.Notes = append(fr.Notes, n)
		}
	}
}

// note adds a note to a fault's line without counting a run.
func (r *tally) note(kind, fault, note string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fr := r.line(kind, fault)
	fr.Notes = append(fr.Notes, note)
}

func (r *tally) lines() ([]faultResult, faultResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	total := faultResult{Fault: "TOTAL"}
	var out []faultResult
	for _, name := range r.order {
		fr := *r.by[name]
		out = append(out, fr)
		total.Runs += fr.Runs
		total.Passed += fr.Passed
		total.RowsLost += fr.RowsLost
		total.RowsDuplicated += fr.RowsDuplicated
		total.HalfVisible += fr.HalfVisible
		total.Seconds += fr.Seconds
	}
	rank := map[string]int{kindSurvive: 0, kindFailSafe: 1, kindSecurity: 2}
	slices.SortStableFunc(out, func(a, b faultResult) int { return rank[a.Kind] - rank[b.Kind] })
	return out, total
}

// print writes the results table.
func (r *tally) print(w io.Writer, cfg config) {
	lines, total := r.lines()
	width := len("fault")
	for _, l := range lines {
		width = max(width, len(l.Fault))
	}
	row := func(kind, fault string, runs, passed any, lost, dup, half any, secs any) {
		fmt.Fprintf(w, "%-9s | %-*s | %4v | %6v | %9v | %15v | %19v | %7v\n", kind, width, fault, runs, passed, lost, dup, half, secs)
	}
	fmt.Fprintf(w, "\nchaos results (quick=%v, kills=%d, seed=%d)\n", cfg.quick, cfg.kills, cfg.seed)
	row("kind", "fault", "runs", "passed", "rows lost", "rows duplicated", "half-visible tables", "seconds")
	fmt.Fprintln(w, strings.Repeat("-", width+95))
	for _, l := range lines {
		row(l.Kind, l.Fault, l.Runs, l.Passed, l.RowsLost, l.RowsDuplicated, l.HalfVisible, fmt.Sprintf("%.1f", l.Seconds))
	}
	fmt.Fprintln(w, strings.Repeat("-", width+95))
	row("", total.Fault, total.Runs, total.Passed, total.RowsLost, total.RowsDuplicated, total.HalfVisible, fmt.Sprintf("%.1f", total.Seconds))
	var notes, bugs []string
	for _, l := range lines {
		if len(l.Injected) > 0 {
			notes = append(notes, l.Fault+": injected "+formatCounts(l.Injected))
		}
		for _, n := range l.Notes {
			notes = append(notes, l.Fault+": "+n)
		}
		for _, b := range l.KnownBugs {
			bugs = append(bugs, l.Fault+": "+b+": "+knownBugs[b])
		}
	}
	if len(bugs) > 0 {
		fmt.Fprintln(w, "\nbugs reproduced (runs not counted as passed):")
		for _, b := range bugs {
			fmt.Fprintln(w, "  - "+b)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nnotes:")
		for _, n := range notes {
			fmt.Fprintln(w, "  - "+n)
		}
	}
}

// writeJSON writes the results as JSON to cfg.jsonPath.
func (r *tally) writeJSON(cfg config) error {
	lines, total := r.lines()
	doc := struct {
		Quick  bool          `json:"quick"`
		Kills  int           `json:"kills"`
		Seed   int64         `json:"seed"`
		Faults []faultResult `json:"faults"`
		Total  faultResult   `json:"total"`
	}{cfg.quick, cfg.kills, cfg.seed, lines, total}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.jsonPath), 0o755); err != nil {
		return err
	}
	return os.WriteFile(cfg.jsonPath, append(data, '\n'), 0o644)
}
