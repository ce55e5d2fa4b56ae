package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// readmeBlock returns the lines of the README's first fenced block of the
// given language.
func readmeBlock(t *testing.T, lang string) []string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "\n```"+lang+"\n")
	if !ok {
		t.Fatalf("README has no ```%s block", lang)
	}
	block, _, ok := strings.Cut(after, "\n```")
	if !ok {
		t.Fatalf("README's ```%s block is not closed", lang)
	}
	return strings.Split(block, "\n")
}

// TestREADMECronLine takes the README's cron entry as cron would: every
// line of the block must parse as a crontab line, one of them a job. Its
// command then runs through /bin/sh with cron's bare environment, the
// binary built from this tree, a test env file and temporary directories in
// place of the README's paths, against a simulator and the test database:
// it must exit 0, write the report and the metrics, and leave a log of JSON
// records only, the run's summary among them.
func TestREADMECronLine(t *testing.T) {
	var entries []*cronEntry
	for i, line := range readmeBlock(t, "cron") {
		e, err := parseCronLine(line)
		if err != nil {
			t.Fatalf("README cron block line %d is not a crontab line: %v\n%s", i+1, err, line)
		}
		if e != nil {
			entries = append(entries, e)
		}
	}
	if len(entries) != 1 {
		t.Fatalf("README cron block: got %d entries, want 1", len(entries))
	}
	e := entries[0]
	if e.stdin != "" {
		t.Fatalf("the command holds a bare %%, which cron turns into a line break: %q", e.command)
	}

	sim := mustCLISim(t, simulator.Config{})
	sim.mustExportAll(t)
	db := mustE2EDB(t)
	dir := t.TempDir()
	logDir, metricsDir := filepath.Join(dir, "log"), filepath.Join(dir, "textfile")
	for _, d := range []string{logDir, metricsDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	envFile := filepath.Join(dir, "mbiload.env")
	env := "export MBILOAD_API_URL='" + sim.url + "' MBILOAD_API_KEY='" + cliKey + "' MBILOAD_CLIENT_ID=12\n" +
		"export DATABASE_URL='" + db.url + "' MBILOAD_SCHEMA=" + db.target + " MBILOAD_LEDGER_SCHEMA=" + db.ledger + "\n" +
		// The exports were made above; the API's pace of polls is not under test.
		"export MBILOAD_POLL_INTERVAL=10ms MBILOAD_POLL_MAX=50ms\n"
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := strings.NewReplacer(
		"/etc/mbiload.env", envFile,
		"/usr/local/bin/mbiload", mustBuild(t),
		"/var/log/mbiload/", logDir+"/",
		"/var/lib/node_exporter/textfile/", metricsDir+"/",
	).Replace(e.command)
	sh := exec.CommandContext(t.Context(), "/bin/sh", "-c", cmd)
	sh.Dir = dir
	sh.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "SHELL=/bin/sh", "LOGNAME=" + e.user}
	out, err := sh.CombinedOutput()
	logData, _ := os.ReadFile(filepath.Join(logDir, "sync.log"))
	if err != nil {
		t.Fatalf("the README's cron command: %v\noutput: %s\nsync.log:\n%s", err, out, logData)
	}
	if len(out) != 0 {
		t.Errorf("the cron command printed outside its log (cron would mail it): %s", out)
	}
	for _, f := range []string{filepath.Join(logDir, "last-run.json"), filepath.Join(metricsDir, "mbiload.prom")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("the cron command did not write %s: %v", filepath.Base(f), err)
		}
	}
	summaries := 0
	sc := bufio.NewScanner(strings.NewReader(string(logData)))
	for n := 1; sc.Scan(); n++ {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Errorf("sync.log line %d is not a JSON record: %q", n, sc.Text())
			continue
		}
		if rec["msg"] == "run summary" {
			summaries++
			if rec["status"] != "succeeded" || rec["loaded"] != float64(5) || rec["failed"] != float64(0) {
				t.Errorf("run summary: got %v, want status succeeded, 5 loaded, 0 failed", rec)
			}
		}
	}
	if summaries != 1 {
		t.Errorf("sync.log holds %d run summary records, want 1:\n%s", summaries, logData)
	}
	checkNoSecret(t, "sync.log", string(logData), cliKey, db.password)
}
