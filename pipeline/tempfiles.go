package pipeline

import (
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// staleAfter is how old a temp file of an earlier run must be before a run
// removes it: a killed process (SIGKILL, OOM) cannot remove its own, and a
// run older than this is not running any more.
const staleAfter = 24 * time.Hour

// tempPatterns are the names of mbiload's temp files: exports downloaded by
// extract.Client.Download and figure or chart exports spooled here.
var tempPatterns = []string{"mbiload-export-*", "mbiload-figure-*", "mbiload-chart-*"}

// removeStaleTemp removes mbiload's temp files older than staleAfter from
// dir (os.TempDir() when ""), left by runs that were killed. Errors are
// logged, never fatal.
func removeStaleTemp(dir string, now time.Time, log *slog.Logger) {
	if dir == "" {
		dir = os.TempDir()
	}
	for _, pat := range tempPatterns {
		paths, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, p := range paths {
			st, err := os.Lstat(p)
			if err != nil || !st.Mode().IsRegular() || now.Sub(st.ModTime()) < staleAfter {
				continue
			}
			if err := os.Remove(p); err != nil {
				log.Warn("could not remove a stale temp file", "file", p, "err", err)
				continue
			}
			log.Info("removed a temp file left by an earlier, killed run", "file", p, "age", now.Sub(st.ModTime()).Round(time.Minute))
		}
	}
}
