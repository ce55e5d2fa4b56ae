//go:build chaos

package chaos

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// scn is one run of a scenario: its own target and ledger schemas, its own
// directory (logs, fixtures) and TMPDIR, and the figures it records in the
// results under its fault's name when the test ends.
type scn struct {
	t              *testing.T
	kind, fault    string
	schema, ledger string
	dir            string // the scenario's files
	tmp            string // TMPDIR of its mbiload runs
	fig            figures
	seq            *counters // shared with sub-scenarios: numbers log files
}

// counters number a scenario's processes, for their log files.
type counters struct {
	mu         sync.Mutex
	runs, sims int
}

func (c *counters) next(sim bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sim {
		c.sims++
		return c.sims
	}
	c.runs++
	return c.runs
}

var slugChars = regexp.MustCompile(`[^a-z0-9]+`)

// newScn starts a scenario run of fault for t, recorded in the results
// when t ends.
func newScn(t *testing.T, kind, fault string) *scn {
	t.Helper()
	sc := newBase(t)
	sc.recordAs(kind, fault)
	return sc
}

// newBase makes a scenario whose runs are recorded by its subtests (see
// sub), not by itself.
func newBase(t *testing.T) *scn {
	t.Helper()
	slug := strings.Trim(slugChars.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_")
	if len(slug) > 36 {
		slug = slug[len(slug)-36:]
	}
	id := randomHex(3)
	sc := &scn{t: t, schema: "c_" + slug + "_" + id, ledger: "l_" + slug + "_" + id, seq: &counters{}}
	sc.dir = filepath.Join(st.root, slug+"_"+id)
	sc.tmp = filepath.Join(sc.dir, "tmp")
	if err := os.MkdirAll(sc.tmp, 0o755); err != nil {
		t.Fatalf("create scenario dir: %v", err)
	}
	return sc
}

// sub is a run of the scenario in a subtest: same schemas, directories and
// simulator, its own figures, recorded under fault when t ends.
func (sc *scn) sub(t *testing.T, kind, fault string) *scn {
	c := *sc
	c.t, c.fig = t, figures{}
	c.recordAs(kind, fault)
	return &c
}

func (sc *scn) recordAs(kind, fault string) {
	t := sc.t
	sc.kind, sc.fault = kind, fault
	start := time.Now()
	t.Cleanup(func() {
		results.record(t, kind, fault, &sc.fig, time.Since(start))
		if t.Failed() {
			t.Logf("scenario files (CHAOS_KEEP=1 keeps them): %s", sc.dir)
		}
	})
}

// note adds a note to the scenario's line of the results.
func (sc *scn) note(format string, args ...any) {
	sc.fig.notes = append(sc.fig.notes, fmt.Sprintf(format, args...))
}

// expectOK fails the test unless the run exited 0.
func (sc *scn) expectOK(r result) {
	sc.t.Helper()
	if r.code != 0 {
		sc.t.Errorf("got exit code %d, want 0: %s", r.code, r.brief())
	}
}

// expectFailure fails the test unless the run exited non-zero and its
// output holds every one of want (case-insensitive).
func (sc *scn) expectFailure(r result, want ...string) {
	sc.t.Helper()
	if r.code == 0 {
		sc.t.Errorf("got exit code 0, want a failure: %s", r.brief())
		return
	}
	sc.expectMessage(r, want...)
}

// expectMessage fails the test unless the run's output holds every one of
// want (case-insensitive).
func (sc *scn) expectMessage(r result, want ...string) {
	sc.t.Helper()
	out := strings.ToLower(r.out())
	for _, w := range want {
		if !strings.Contains(out, strings.ToLower(w)) {
			sc.t.Errorf("output does not mention %q: %s", w, r.brief())
		}
	}
}

// tempFiles lists what is left in the scenario's TMPDIR (and in dirs).
func (sc *scn) tempFiles(dirs ...string) []string {
	var out []string
	for _, dir := range append([]string{sc.tmp}, dirs...) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}

// expectNoTempFiles counts every file left in TMPDIR (and dirs) as
// half-visible debris.
func (sc *scn) expectNoTempFiles(dirs ...string) {
	sc.t.Helper()
	if left := sc.tempFiles(dirs...); len(left) > 0 {
		sc.fig.half += int64(len(left))
		sc.t.Errorf("temp files left: got %v, want none", left)
	}
}

// clearTemp removes what a killed process left in TMPDIR.
func (sc *scn) clearTemp() {
	for _, f := range sc.tempFiles() {
		os.RemoveAll(f)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}
