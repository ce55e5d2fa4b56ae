//go:build chaos

package chaos

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSurvive runs a sync through each API fault and lenient shape the run
// must survive: exit 0 and every table identical to the source. Each case
// first publishes another version of the warehouse, so the faulty run
// replaces published tables (the swap path), as a nightly run does.
func TestSurvive(t *testing.T) {
	cases := []struct {
		name, fault string
		flags       []string
		faults      []string // simulator fault counters that must be > 0
		check       func(sc *scn, r result)
	}{
		{name: "5xx", fault: "API bursts of 500/502/503",
			flags: []string{"--fault-rate", "0.35"}, faults: []string{"server error"}},
		{name: "429", fault: "API 429 with Retry-After",
			flags: []string{"--throttle-rate", "0.3", "--retry-after", "1s"}, faults: []string{"throttle"}},
		{name: "latency", fault: "slow responses (150 ms latency)",
			flags: []string{"--latency", "150ms"}},
		{name: "resets", fault: "connection resets",
			flags: []string{"--reset-rate", "0.25"}, faults: []string{"reset"}},
		{name: "drops", fault: "downloads cut at random bytes (resume)",
			flags: []string{"--drop-rate", "0.6"}, faults: []string{"drop"},
			check: func(sc *scn, r result) {
				if !regexp.MustCompile(`resumes=[1-9]`).MatchString(r.stderr) {
					sc.t.Errorf("no download was resumed (no resumes=N>0 in the debug log)")
				}
			}},
		{name: "drops_ignore_range", fault: "downloads cut, server ignores Range",
			flags: []string{"--drop-rate", "0.5", "--quirks", "ignore-range"}, faults: []string{"drop"}},
		{name: "pending", fault: "exports Pending for 3 s",
			flags: []string{"--export-delay", "3s"},
			check: func(sc *scn, r result) {
				if r.dur < 3*time.Second {
					sc.t.Errorf("run took %v, want at least the 3s export delay", r.dur)
				}
			}},
		{name: "expired", fault: "exports expire before download (410, re-create)",
			flags: []string{"--expire-rate", "0.3"}, faults: []string{"expire"},
			check: func(sc *scn, r result) {
				if !strings.Contains(r.stderr, "re-creating") {
					sc.t.Errorf("no export was re-created after a 410")
				}
			}},
		{name: "shapes", fault: "lenient JSON (bare arrays, string ids, lower-case statuses, extra fields)",
			flags: []string{"--quirks", "bare-arrays,string-ids,lowercase-status,extra-fields"}},
		{name: "crlf_bom", fault: "CSV with CRLF line ends and a BOM",
			flags: []string{"--quirks", "crlf,bom"}},
		{name: "storm", fault: "all quirks and all API faults at once",
			flags: []string{"--quirks", "all", "--fault-rate", "0.15", "--throttle-rate", "0.1", "--reset-rate", "0.1",
				"--drop-rate", "0.4", "--expire-rate", "0.2", "--latency", "20ms", "--export-delay", "1s"},
			faults: []string{"server error", "throttle"}},
	}
	scale := st.cfg.scale
	for rep := range st.cfg.reps {
		for i, tc := range cases {
			t.Run(repName(tc.name, rep), func(t *testing.T) {
				sc := newScn(t, kindSurvive, tc.fault)
				seedA, seedB := st.cfg.seed*1000+int64(100*rep+2*i)+1, st.cfg.seed*1000+int64(100*rep+2*i)+2
				sc.publish(scale, seedA)

				vB := st.generated(t, scale, seedB)
				simB := sc.startSim(simArgs{scale: scale, seed: seedB, flags: tc.flags})
				r := sc.sync(simB)
				simB.stop()
				sc.expectOK(r)
				sc.expectVersion(vB)
				sc.expectNoDebris()
				sc.expectNoTempFiles()
				counts := simB.faults()
				for _, f := range tc.faults {
					if counts[f] == 0 {
						t.Errorf("the simulator injected no %q fault (counts %v): the case tests nothing", f, counts)
					}
				}
				sc.fig.injected = counts
				if tc.check != nil {
					tc.check(sc, r)
				}
			})
		}
	}
}

// TestExportError: an export that ends in Error fails its table with a
// clear message; the other tables load, the failed one keeps its
// published version.
func TestExportError(t *testing.T) {
	sc := newScn(t, kindFailSafe, "export ends in Error")
	scale := st.cfg.scale
	seedA, seedB := st.cfg.seed*1000+101, st.cfg.seed*1000+102
	vA := sc.publish(scale, seedA)

	vB := st.generated(t, scale, seedB)
	simB := sc.startSim(simArgs{scale: scale, seed: seedB, flags: []string{"--export-error-rate", "0.5"}})
	r := sc.sync(simB)
	atNext := sc.expectPrevOrNew(vA, vB)
	if atNext == len(vB.tables) {
		t.Errorf("every table loaded: the export error rate injected nothing")
	} else {
		sc.expectFailure(r, "error")
		if r.code != 3 && atNext > 0 {
			t.Errorf("got exit code %d with %d of %d tables loaded, want 3", r.code, atNext, len(vB.tables))
		}
	}
	sc.expectNoDebris()
	sc.expectNoTempFiles()
	simB.stop()
	simC := sc.startSim(simArgs{scale: scale, seed: seedB})
	sc.expectOK(sc.sync(simC))
	sc.expectVersion(vB)
}

// repName names repetition rep (0-based) of a case.
func repName(name string, rep int) string {
	if rep == 0 {
		return name
	}
	return fmt.Sprintf("%s_rep%d", name, rep+1)
}

var faultAttr = regexp.MustCompile(`fault=("[^"]*"|\S+)`)

// faults counts the faults the simulator logged, by kind.
func (s *sim) faults() map[string]int {
	data, _ := os.ReadFile(s.log)
	out := map[string]int{}
	for _, m := range faultAttr.FindAllStringSubmatch(string(data), -1) {
		out[strings.Trim(m[1], `"`)]++
	}
	return out
}

func formatCounts(m map[string]int) string {
	var parts []string
	for _, k := range []string{"server error", "throttle", "reset", "drop", "expire"} {
		if m[k] > 0 {
			parts = append(parts, k+" x"+strconv.Itoa(m[k]))
		}
	}
	return strings.Join(parts, ", ")
}
