package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/pipeline"
)

// tmux runs tmux on a server of the test's own (socket sock) and returns
// its output.
func tmux(t *testing.T, sock string, args ...string) string {
	t.Helper()
	cmd := exec.Command("tmux", append([]string{"-S", sock}, args...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// mustTmux finds tmux, installing it with apt-get when missing and we are
// root (as make test does); the test fails, never skips, without it.
func mustTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err == nil {
		return
	}
	if os.Geteuid() == 0 {
		out, err := exec.Command("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux").CombinedOutput()
		if err == nil {
			return
		}
		t.Fatalf("tmux is missing and apt-get install -y tmux failed: %v\n%s", err, out)
	}
	t.Fatal("tmux is missing: install it (apt-get install -y tmux); this test runs the demo in a terminal")
}

// TestDemoTerminal runs the demo as a person would (make demo), in a
// 160x50 terminal (tmux), and reads the whole scrollback: each table's
// line is there once, in its final state, and the overall line once (live
// lines redrawn in place, not left behind between log lines); each
// table's outcome is logged once, with its plain name, on a line of its
// own (log lines go above the live lines, not through them).
func TestDemoTerminal(t *testing.T) {
	mustTmux(t)
	bin := mustBuild(t)
	db := mustE2EDB(t)
	dir := t.TempDir()
	sample, err := filepath.Abs("../../../shared/data/magento-sample")
	if err != nil {
		t.Fatal(err)
	}
	reportPath := filepath.Join(dir, "run.json")
	exitPath := filepath.Join(dir, "exit")
	script := filepath.Join(dir, "demo.sh")
	body := fmt.Sprintf("export DATABASE_URL=%s MBILOAD_SCHEMA=%s MBILOAD_LEDGER_SCHEMA=%s\n"+
		"%s demo --scale 30000 --sample-dir %s --report %s\necho $? > %s\nexec sleep 600\n",
		shellQuote(db.url), shellQuote(db.target), shellQuote(db.ledger), shellQuote(bin), shellQuote(sample),
		shellQuote(reportPath), shellQuote(exitPath))
	if err := os.WriteFile(script, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tmux(t, sock, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "50", "sh "+shellQuote(script))
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	tmux(t, sock, "set-option", "-g", "history-limit", "50000")

	deadline := time.Now().Add(5 * time.Minute)
	var code []byte
	for {
		code, err = os.ReadFile(exitPath)
		if err == nil && len(code) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not finish within 5 minutes; screen:\n%s", tmux(t, sock, "capture-pane", "-p", "-J", "-S", "-"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	screen := tmux(t, sock, "capture-pane", "-p", "-J", "-S", "-")
	if strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("demo: exit code %s\n%s", code, screen)
	}
	if strings.Contains(screen, db.password) {
		t.Fatal("the database password is on the screen")
	}
	rep := mustJSON[pipeline.Report](t, mustRead(t, reportPath))
	if len(rep.Tables) < 10 {
		t.Fatalf("report: got %d tables, want the demo's generated and sample tables", len(rep.Tables))
	}
	lines := strings.Split(screen, "\n")
	count := func(re *regexp.Regexp) (n int) {
		for _, l := range lines {
			if re.MatchString(l) {
				n++
			}
		}
		return n
	}
	for _, tr := range rep.Tables {
		// A table's progress line: its label, a stage or status, a bar.
		bar := regexp.MustCompile(`^` + regexp.QuoteMeta(tr.Source) + `\s+\S+\s+\[`)
		if n := count(bar); n != 1 {
			t.Errorf("%s: %d lines of its bar in the scrollback, want 1 (its final state)", tr.Source, n)
		}
		final := regexp.MustCompile(`^` + regexp.QuoteMeta(tr.Source) + `\s+loaded\s+\[=+\] ` + fmt.Sprint(tr.RowsLoaded) + ` rows in `)
		if n := count(final); n != 1 {
			t.Errorf("%s: want its final line (loaded, a full bar, %d rows) once, got %d", tr.Source, tr.RowsLoaded, n)
		}
		var logged *regexp.Regexp
		if tr.Kind == "table" {
			logged = regexp.MustCompile(`^time=\S+ level=INFO msg="table loaded" table=` + regexp.QuoteMeta(tr.Source) + ` target=` +
				regexp.QuoteMeta(tr.Target) + ` rows=` + fmt.Sprint(tr.RowsLoaded) + ` `)
		} else {
			logged = regexp.MustCompile(`^time=\S+ level=INFO msg="` + tr.Kind + ` loaded" ` + tr.Kind + `=` + tr.SourceID + ` `)
		}
		if n := count(logged); n != 1 {
			t.Errorf("%s: %d log lines of its outcome, want 1 matching %s", tr.Source, n, logged)
		}
	}
	if n := count(regexp.MustCompile(`^overall: `)); n != 1 {
		t.Errorf("overall line: %d copies in the scrollback, want 1", n)
	}
	if n := count(regexp.MustCompile(fmt.Sprintf(`^overall: %d done \(0 failed\), 0 in flight`, len(rep.Tables)))); n != 1 {
		t.Errorf("overall line: want its final state once")
	}
	seen := map[string]bool{}
	for _, l := range lines {
		if !strings.Contains(l, "level=") {
			continue
		}
		switch {
		case !strings.HasPrefix(l, "time="):
			t.Errorf("log line not at the start of its line (drawn over?): %q", l)
		case seen[l]:
			t.Errorf("log line twice: %q", l)
		case strings.Contains(l, `msg="load done"`), strings.Contains(l, `\"`):
			t.Errorf("log line: want each table logged once, with a plain name: %q", l)
		}
		seen[l] = true
	}
	if t.Failed() {
		t.Logf("scrollback:\n%s", screen)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
