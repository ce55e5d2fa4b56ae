//go:build chaos

package chaos

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const faultKill = "SIGKILL at seeded random points"

// TestSIGKILL kills `mbiload sync` with SIGKILL at CHAOS_KILLS points
// chosen from CHAOS_SEED and spread over a clean run's duration (a third
// over the whole run, the rest over its download-to-publish part, where
// the interesting states are). Each kill meets a new version of the data with
// the previous one published; after the kill every table must hold the
// previous version or the new one, no staging table may be left, and the
// next clean run must publish the new version exactly, with the kill's
// leftover temp files still in TMPDIR.
func TestSIGKILL(t *testing.T) {
	base := newBase(t)
	scale := st.cfg.big
	seed0 := st.cfg.seed * 10000

	// Publish a first version.
	base.publish(scale, seed0)
	// Time clean replace runs on fresh simulators, as each kill meets one
	// (a fresh simulator builds its zips while the run waits).
	clock := &runClock{}
	var vm *version
	for _, seed := range []int64{seed0 + 998, seed0 + 999} {
		vm = st.generated(t, scale, seed)
		simM := base.startSim(simArgs{scale: scale, seed: seed})
		clock.add(base.timedSync(simM))
		base.expectVersion(vm)
		simM.stop()
	}
	if t.Failed() {
		t.Fatalf("the clean runs failed; no kill loop")
	}
	fracs := killFractions(rand.New(rand.NewPCG(uint64(st.cfg.seed), 0x6b696c6c)), st.cfg.kills, clock.loadFraction())
	t.Logf("clean run %v, first download done at %.0f%% of it; kill points (fractions of a clean run) %.3f",
		clock.total(), 100*clock.loadFraction(), fracs)

	prev := vm
	phases := map[string]int{}
	atNew := map[int]int{}
	leftTotal := 0
	for i, frac := range fracs {
		at := time.Duration(frac * float64(clock.total())).Round(time.Millisecond)
		name := fmt.Sprintf("kill%02d_at_%dms", i+1, at.Milliseconds())
		t.Run(name, func(t *testing.T) {
			sc := base.sub(t, kindFailSafe, faultKill)
			seed := seed0 + int64(i) + 1
			next := st.generated(t, scale, seed)
			sim := sc.startSim(simArgs{scale: scale, seed: seed})
			before := sc.tempFiles()
			p := sc.launch(sc.env(sim), "sync", "--progress", "plain")
			time.Sleep(at - time.Since(p.start))
			phase := sc.phase(before)
			p.cmd.Process.Kill()
			r := p.wait(t, time.Minute)
			if r.signal == 0 {
				phase = "finished before the kill"
			}
			phases[phase]++
			sc.waitIdle()
			n := sc.expectPrevOrNew(prev, next)
			atNew[n]++
			sc.expectNoDebris()
			left := newFiles(sc.tempFiles(), before)
			leftTotal += len(left)
			sc.expectPrivate(left)
			t.Logf("killed at %v (%s): %d of %d tables at the new version, %d temp files left",
				at, phase, n, len(next.tables), len(left))

			sc.expectOK(sc.sync(sim))
			sc.expectVersion(next)
			sc.expectNoDebris()
			if after := newFiles(sc.tempFiles(), before); !slices.Equal(after, left) {
				t.Errorf("temp files after the clean run: got %v, want only the killed run's %v", after, left)
			}
			prev = next
		})
	}
	var dist []string
	for n := 0; n <= len(vm.tables); n++ {
		if atNew[n] > 0 {
			dist = append(dist, fmt.Sprintf("%d/%d x%d", n, len(vm.tables), atNew[n]))
		}
	}
	results.note(kindFailSafe, faultKill, "tables at the new version right after the kill: "+strings.Join(dist, ", "))
	results.note(kindFailSafe, faultKill, "kill phases: "+formatPhases(phases))
	results.note(kindFailSafe, faultKill, fmt.Sprintf(
		"%d temp files (all 0600) left by the killed processes, which cannot clean up; the next runs succeeded with them in TMPDIR", leftTotal))
}

// killFractions spreads n kill points as fractions of a clean run: a third
// (rounded up) over the whole run, the rest from load (the fraction at
// which the first download is done) to the end, where the download,
// decode, COPY and publish states are; each stratum evenly with a seeded
// jitter, the two interleaved, all before 90% of the run.
func killFractions(rng *rand.Rand, n int, load float64) []float64 {
	whole := (n + 2) / 3
	late := n - whole
	spread := func(from, to float64, k int) []float64 {
		out := make([]float64, k)
		for j := range out {
			out[j] = from + (to-from)*(float64(j)+rng.Float64())/float64(k)
		}
		return out
	}
	a, b := spread(0, 0.9, whole), spread(load, 0.9, late)
	out := make([]float64, 0, n)
	for len(a)+len(b) > 0 {
		if len(a) > 0 && len(a)*late >= len(b)*whole {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// runClock keeps the durations of clean runs and when their first download
// was done.
type runClock struct {
	totals []time.Duration
	loads  []float64
}

func (c *runClock) add(total, firstDownload time.Duration) {
	if total <= 0 {
		return
	}
	c.totals = append(c.totals, total)
	if firstDownload > 0 && firstDownload < total {
		c.loads = append(c.loads, float64(firstDownload)/float64(total))
	}
}

// total is the median clean run (the upper one of two).
func (c *runClock) total() time.Duration {
	s := slices.Clone(c.totals)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

// loadFraction is the median fraction of a clean run at which the first
// download is done (0.5 when unknown).
func (c *runClock) loadFraction() float64 {
	if len(c.loads) == 0 {
		return 0.5
	}
	s := slices.Clone(c.loads)
	slices.Sort(s)
	return min(s[len(s)/2], 0.8)
}

// timedSync runs a clean sync that must succeed, and returns its duration
// and when its first download was done (0 when it failed).
func (sc *scn) timedSync(sim *sim) (total, firstDownload time.Duration) {
	sc.t.Helper()
	p := sc.launch(sc.env(sim), "sync", "--progress", "plain")
	r := p.wait(sc.t, 5*time.Minute)
	sc.t.Logf("mbiload sync: exit %d after %v", r.code, r.dur.Round(time.Millisecond))
	sc.expectOK(r)
	if r.code != 0 {
		return 0, 0
	}
	return r.dur, p.stderr.firstLine("export downloaded")
}

var (
	publishSQL = regexp.MustCompile(`(?i)^\s*(LOCK TABLE|ALTER TABLE .* (RENAME|SET SCHEMA|OWNER)|DROP TABLE|CREATE OR REPLACE VIEW|ALTER INDEX|COMMENT ON|COMMIT|INSERT INTO .*loads|GRANT|SAVEPOINT|RELEASE)`)
	stagingSQL = regexp.MustCompile(`(?i)^\s*(CREATE TABLE|ALTER TABLE .* ADD|ANALYZE|CREATE (UNIQUE )?INDEX|SELECT pg_advisory)`)
)

// phase says what the run is doing, from its sessions on the server and its
// temp files: "publish", "COPY/decode", "staging build", "in transaction",
// "download" or "API/export wait".
func (sc *scn) phase(before []string) string {
	ctx, cancel := withTimeout(2 * time.Second)
	defer cancel()
	rows, err := st.db.Query(ctx, `SELECT a.state, coalesce(a.query, ''), EXISTS (SELECT 1 FROM pg_stat_progress_copy c WHERE c.pid = a.pid)
FROM pg_stat_activity a WHERE a.application_name LIKE 'mbiload%' AND a.state <> 'idle'`)
	var labels []string
	if err == nil {
		type sess struct {
			state, query string
			copying      bool
		}
		ss, _ := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sess, error) {
			var s sess
			return s, r.Scan(&s.state, &s.query, &s.copying)
		})
		for _, s := range ss {
			switch {
			case s.copying || (s.state == "active" && strings.HasPrefix(strings.TrimSpace(s.query), "COPY")):
				labels = append(labels, "2 COPY/decode")
			case s.state == "active" && publishSQL.MatchString(s.query):
				labels = append(labels, "1 publish")
			case s.state == "active" && stagingSQL.MatchString(s.query):
				labels = append(labels, "3 staging build")
			case strings.HasPrefix(s.state, "idle in transaction") || s.state == "active":
				labels = append(labels, "4 in transaction")
			}
		}
	}
	if len(labels) == 0 {
		for _, f := range newFiles(sc.tempFiles(), before) {
			if strings.Contains(f, "mbiload-export-") {
				labels = append(labels, "5 download")
			}
		}
	}
	if len(labels) == 0 {
		return "API/export wait"
	}
	sort.Strings(labels)
	return labels[0][2:]
}

// expectPrivate checks that files are readable by their owner only.
func (sc *scn) expectPrivate(files []string) {
	sc.t.Helper()
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			continue
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			sc.t.Errorf("temp file %s: got mode %v, want 0600", f, perm)
		}
	}
}

// newFiles is the files of now not in before.
func newFiles(now, before []string) []string {
	var out []string
	for _, f := range now {
		if !slices.Contains(before, f) {
			out = append(out, f)
		}
	}
	return out
}

func formatPhases(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s x%d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
