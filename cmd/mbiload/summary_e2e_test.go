package main

import (
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestSyncSummary checks where --summary puts a sync's summary: a table on
// stdout, one "run summary" log record on stderr (auto picks it for JSON
// logs), or nowhere; a dry run's plans print whatever it says.
func TestSyncSummary(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	sim.mustExportAll(t)
	db := mustE2EDB(t)
	db.env(t)
	tests := []struct {
		name              string
		args              []string
		wantCode          int
		stdout, notStdout string
		stderr            string
	}{
		{name: "default: a table", args: nil, stdout: "SOURCE", stderr: "", notStdout: "run summary"},
		{name: "auto with JSON logs: a record", args: []string{"--log-format", "json"},
			stderr: `"msg":"run summary","run":"`, notStdout: "SOURCE"},
		{name: "log with text logs", args: []string{"--summary", "log"}, stderr: `msg="run summary"`, notStdout: "SOURCE"},
		{name: "table with JSON logs", args: []string{"--log-format", "json", "--summary", "table"}, stdout: "SOURCE"},
		{name: "none", args: []string{"--summary", "none"}, notStdout: "sales_order"},
		{name: "dry run plans, summary none", args: []string{"--summary", "none", "--dry-run"}, stdout: "-- table sales_order ->"},
		{name: "a bad value", args: []string{"--summary", "yes"}, wantCode: 2, stderr: `--summary "yes": want auto, table, log or none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"sync", "--tables", "sales_order", "--reuse-exports", "1h", "--force", "--progress", "none"}, tt.args...)
			r := runCLI(t.Context(), sim.api(args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("got stdout %q and stderr %q, want them to hold %q and %q", r.stdout, r.stderr, tt.stdout, tt.stderr)
			}
			if tt.notStdout != "" && strings.Contains(r.stdout, tt.notStdout) {
				t.Errorf("stdout holds %q:\n%s", tt.notStdout, r.stdout)
			}
			if tt.name == "none" && r.stdout != "" {
				t.Errorf("--summary none: stdout %q, want nothing", r.stdout)
			}
		})
	}
}
