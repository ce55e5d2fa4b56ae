//go:build chaos

package chaos

import (
	"testing"
	"time"
)

// TestConcurrentRuns starts two syncs of the same warehouse at once (a
// cron job overlapping a manual run): the per-table advisory lock must
// serialise them, both must succeed, and every table must hold the new
// version exactly once.
func TestConcurrentRuns(t *testing.T) {
	for rep := range st.cfg.reps {
		t.Run(repName("two_syncs", rep), func(t *testing.T) {
			sc := newScn(t, kindFailSafe, "two syncs of the same tables at once")
			scale := st.cfg.big
			seedA, seedB := st.cfg.seed*10000+9500+int64(2*rep), st.cfg.seed*10000+9501+int64(2*rep)
			sc.publish(scale, seedA)

			vB := st.generated(t, scale, seedB)
			simB := sc.startSim(simArgs{scale: scale, seed: seedB})
			p1 := sc.launch(sc.env(simB), "sync", "--progress", "plain")
			p2 := sc.launch(sc.env(simB), "sync", "--progress", "plain")
			r1, r2 := p1.wait(t, 5*time.Minute), p2.wait(t, 5*time.Minute)
			sc.expectOK(r1)
			sc.expectOK(r2)
			sc.expectVersion(vB)
			sc.expectNoDebris()
			sc.expectNoTempFiles()
		})
	}
}
