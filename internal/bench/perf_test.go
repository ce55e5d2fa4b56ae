package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// perfTop is how many symbols of the profile are printed.
const perfTop = 25

// profileLoadFile runs one more load-file (a replace) of the main data set
// under `perf record` and prints its hottest functions: the client's
// profile, for finding hot spots in decode and COPY encoding. The profile is
// kept at path for `perf report -i`.
func (h *harness) profileLoadFile(ctx context.Context, path string) error {
	if _, err := exec.LookPath("perf"); err != nil {
		return fmt.Errorf("profile: perf not found (apt-get install linux-perf): %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if err := h.db.settle(ctx); err != nil {
		return err
	}
	report := filepath.Join(h.work, "profile-report.json")
	args := []string{"record", "-q", "-F", "999", "-g", "-o", path, "--", h.bin, "load-file", "--table", benchTable,
		"--columns", h.data.Columns, "--force", "--progress", "none", "--report", report, h.data.Zip}
	p, err := runProc(ctx, h.mbiEnv(), "perf", args...)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if _, err := readRunReport(report, []string{benchTable}, h.data.Rows); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	top, err := runProc(ctx, nil, "perf", "report", "-i", path, "--no-children", "--stdio", "--sort", "symbol")
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	fmt.Fprintf(h.out, "\nprofile of one load-file (replace), %.2f s, client CPU %.2f s; perf report -i %s:\n",
		p.Wall.Seconds(), p.CPU.Seconds(), path)
	for _, line := range perfLines(top.Stdout, perfTop) {
		fmt.Fprintln(h.out, "  "+line)
	}
	return nil
}

// perfLine matches a symbol line of `perf report --stdio`.
var perfLine = regexp.MustCompile(`^\s+(\d+\.\d+%)\s+\[[.k]\]\s+(\S+)`)

// perfLines returns the first n symbol lines of a perf report as
// "percent symbol".
func perfLines(report string, n int) []string {
	var out []string
	for _, line := range strings.Split(report, "\n") {
		if m := perfLine.FindStringSubmatch(line); m != nil {
			out = append(out, fmt.Sprintf("%7s  %s", m[1], m[2]))
			if len(out) == n {
				break
			}
		}
	}
	return out
}
