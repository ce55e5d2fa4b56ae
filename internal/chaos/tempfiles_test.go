//go:build chaos

package chaos

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tempWatch samples a directory every millisecond while a run goes on and
// keeps the mode of every file it saw.
type tempWatch struct {
	mu    sync.Mutex
	modes map[string]os.FileMode
	stop  chan struct{}
	done  chan struct{}
}

func watchTemp(dir string) *tempWatch {
	w := &tempWatch{modes: map[string]os.FileMode{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if fi, err := e.Info(); err == nil {
					w.mu.Lock()
					w.modes[e.Name()] = fi.Mode().Perm()
					w.mu.Unlock()
				}
			}
			select {
			case <-w.stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return w
}

// end stops the watch and returns the files seen with their modes.
func (w *tempWatch) end() map[string]os.FileMode {
	close(w.stop)
	<-w.done
	return w.modes
}

// TestTempFiles checks that downloads are spooled to files of mode 0600
// and that every exit path removes them: success, tables failing after the
// download, downloads that keep breaking, and SIGTERM in the middle of a
// download and of a COPY (which must also stop within seconds, publish
// nothing half-done and leave the previous tables intact). A stale file
// from a killed run must not trip the next run.
func TestTempFiles(t *testing.T) {
	base := newBase(t)
	scale := st.cfg.big
	seed0 := st.cfg.seed*10000 + 9000

	t.Run("success", func(t *testing.T) {
		sc := base.sub(t, kindSecurity, "temp files 0600, removed after success")
		v := st.generated(t, scale, seed0)
		s := sc.startSim(simArgs{scale: scale, seed: seed0, flags: []string{"--drop-rate", "0.5"}})
		w := watchTemp(sc.tmp)
		r := sc.sync(s)
		seen := w.end()
		sc.expectOK(r)
		sc.expectVersion(v)
		if len(seen) == 0 {
			t.Errorf("no temp file was seen during the run: the check tests nothing")
		}
		for name, mode := range seen {
			if mode&0o077 != 0 {
				t.Errorf("temp file %s: got mode %v, want 0600", name, mode)
			}
		}
		sc.note("%d temp files seen during the run, all 0600", len(seen))
		sc.expectNoTempFiles()
	})

	t.Run("failed_tables", func(t *testing.T) {
		sc := base.sub(t, kindSecurity, "temp files removed after failures")
		c := customerData(t)
		dir := filepath.Join(sc.dir, "badwarehouse")
		os.MkdirAll(dir, 0o755)
		mustCopy(t, mustAbs(t, "testdata/ragged.csv"), filepath.Join(dir, "ragged.csv"))
		mustCopy(t, c.cols, filepath.Join(dir, "ragged.columns.json"))
		mustCopy(t, c.v1, filepath.Join(dir, "good.csv"))
		mustCopy(t, c.cols, filepath.Join(dir, "good.columns.json"))
		s := sc.startSim(simArgs{dirs: []string{dir}})
		r := sc.sync(s)
		sc.expectFailure(r, "line 90")
		sc.expectNoTempFiles()

		// Every download is cut and the server ignores Range: the download
		// fails after its retries.
		broken := sc.startSim(simArgs{scale: 3000, seed: seed0 + 1, flags: []string{"--drop-rate", "1", "--quirks", "ignore-range"}})
		w := watchTemp(sc.tmp)
		r = sc.sync(broken, "--tables", "sales_order")
		seen := w.end()
		sc.expectFailure(r, "sales_order")
		if len(seen) == 0 {
			sc.note("the always-cut download left no trace in TMPDIR while it ran")
		}
		sc.expectNoTempFiles()
	})

	type sigterm struct {
		name, fault, cond string
	}
	var terms []sigterm
	for _, tc := range []sigterm{
		{"sigterm_download", "SIGTERM while downloading", ""},
		{"sigterm_copy", "SIGTERM mid-COPY", `SELECT count(*) FROM pg_stat_progress_copy c JOIN pg_stat_activity a ON a.pid = c.pid
WHERE a.application_name LIKE 'mbiload%' AND c.tuples_processed > 1000`},
	} {
		for rep := range st.cfg.reps {
			terms = append(terms, sigterm{repName(tc.name, rep), tc.fault, tc.cond})
		}
	}
	for i, tc := range terms {
		t.Run(tc.name, func(t *testing.T) {
			sc := base.sub(t, kindFailSafe, tc.fault)
			prevSeed, nextSeed := seed0+100+int64(2*i), seed0+101+int64(2*i)
			prev := sc.publish(scale, prevSeed)
			next := st.generated(t, scale, nextSeed)

			flags := []string{"--drop-rate", "0.5", "--latency", "50ms"}
			if tc.cond != "" {
				flags = nil
			}
			s := sc.startSim(simArgs{scale: scale, seed: nextSeed, flags: flags})
			p := sc.launch(sc.env(s), "sync", "--progress", "plain")
			var hit bool
			if tc.cond != "" {
				hit = sc.waitFor(p, tc.cond, time.Minute)
			} else {
				hit = waitForFile(p, sc.tmp, "mbiload-export-", time.Minute)
			}
			if !hit {
				p.wait(t, time.Minute)
				t.Fatalf("the moment to send SIGTERM never came")
			}
			sent := time.Now()
			p.cmd.Process.Signal(syscall.SIGTERM)
			r := p.wait(t, time.Minute)
			if took := time.Since(sent); took > 10*time.Second {
				t.Errorf("SIGTERM: the run took %v to stop, want a few seconds", took)
			}
			sc.note("stopped %v after SIGTERM", time.Since(sent).Round(10*time.Millisecond))
			sc.expectFailure(r, "interrupted")
			sc.waitIdle()
			sc.expectPrevOrNew(prev, next)
			sc.expectNoDebris()
			sc.expectNoTempFiles()
			sc.expectOK(sc.sync(s))
			sc.expectVersion(next)
		})
	}

	t.Run("stale_files", func(t *testing.T) {
		sc := base.sub(t, kindSecurity, "stale temp files of a killed run do not trip the next run")
		v := st.generated(t, st.cfg.scale, seed0+30)
		s := sc.startSim(simArgs{scale: st.cfg.scale, seed: seed0 + 30})
		stale := filepath.Join(sc.tmp, "mbiload-export-424242-123456789.zip")
		fresh := filepath.Join(sc.tmp, "mbiload-export-434343-987654321.zip")
		for _, f := range []string{stale, fresh} {
			if err := os.WriteFile(f, []byte("PK\x03\x04 partial"), 0o600); err != nil {
				t.Fatalf("write %s: %v", f, err)
			}
		}
		old := time.Now().Add(-48 * time.Hour)
		os.Chtimes(stale, old, old)
		sc.expectOK(sc.sync(s))
		sc.expectVersion(v)
		if _, err := os.Stat(fresh); err != nil {
			t.Errorf("a recent temp file (maybe another run's) was removed: %v", err)
		}
		if _, err := os.Stat(stale); err == nil {
			sc.note("a 2-day-old mbiload-export-* file in TMPDIR is not removed by the next run (suggestion: remove stale ones)")
		} else {
			sc.note("a 2-day-old mbiload-export-* file in TMPDIR is removed by the next run")
		}
		sc.clearTemp()
	})
}

// waitForFile waits until a file whose name starts with prefix is in dir.
func waitForFile(p *proc, dir, prefix string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && !p.exited() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), prefix) {
				return true
			}
		}
		time.Sleep(time.Millisecond)
	}
	return false
}
