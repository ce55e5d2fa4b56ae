//go:build chaos

package chaos

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestDiskFull downloads into a 1 MiB tmpfs (--temp-dir) exports of which
// the larger are over 1 MiB: the tables that do not fit fail with "no space
// left on device", keep their published version, and leave nothing in the
// temp dir; the next run with room succeeds.
func TestDiskFull(t *testing.T) {
	sc := newScn(t, kindFailSafe, "disk full in the temp dir while downloading")
	small := filepath.Join(sc.dir, "small")
	mustMountTmpfs(t, small, "1m")

	scale := st.cfg.big
	seedA, seedB := st.cfg.seed*10000+7001, st.cfg.seed*10000+7002
	vA := sc.publish(scale, seedA)

	vB := st.generated(t, scale, seedB)
	simB := sc.startSim(simArgs{scale: scale, seed: seedB})
	r := sc.sync(simB, "--temp-dir", small)
	sc.expectFailure(r, "no space left on device")
	atNext := sc.expectPrevOrNew(vA, vB)
	if atNext == len(vB.tables) {
		t.Errorf("every table loaded through a 1 MiB temp dir: the case tests nothing")
	}
	sc.expectTablesNamed(r, vA, vB)
	sc.expectNoDebris()
	sc.expectNoTempFiles(small)
	sc.note("%d of %d tables fitted in 1 MiB and loaded; exit code %d", atNext, len(vB.tables), r.code)

	sc.expectOK(sc.sync(simB))
	sc.expectVersion(vB)
	sc.expectNoTempFiles()
}

// mustMountTmpfs mounts a tmpfs of size at dir (created) until the test
// ends. It needs root.
func mustMountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if out, err := exec.Command("mkdir", "-p", dir).CombinedOutput(); err != nil {
		t.Fatalf("mkdir %s: %v\n%s", dir, err, out)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0755", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a %s tmpfs at %s (the disk-full case needs root): %v\n%s", size, dir, err, out)
	}
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if exec.Command("umount", dir).Run() == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("umount %s failed", dir)
	})
}
