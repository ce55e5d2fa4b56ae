package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestExitCodes checks the exit code and the message of failures: 1 for a
// failed API call (naming the likely causes of a 403, never the key), 2 for
// a mistake on the command line.
func TestExitCodes(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	const wrongKey = "sk-WRONGCLI-4e11-not-the-key"
	wrong := []string{"--api-url", sim.url, "--api-key", wrongKey, "--client-id", "12"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stderr   []string
	}{
		{name: "success", args: sim.api("tables", "list"), wantCode: 0},
		{name: "no arguments shows help", args: nil, wantCode: 0},
		{name: "help", args: []string{"--help"}, wantCode: 0},
		{name: "command group without a subcommand shows help", args: []string{"exports"}, wantCode: 0},
		{
			name: "wrong key", args: append(wrong, "tables", "list"), wantCode: 1,
			stderr: []string{"HTTP 403", "invalid API key", "the API refused the request", "wrong or missing", "allow-list", "client id", "path or headers are malformed", "base URL"},
		},
		{
			name: "wrong client id", args: sim.api("--client-id", "13", "update-status"), wantCode: 1,
			stderr: []string{"HTTP 403", "not valid for client 13", "allow-list"},
		},
		{
			name: "wrong key on download", args: append(wrong, "exports", "download", "500", "-o", filepath.Join(t.TempDir(), "x.zip")), wantCode: 1,
			stderr: []string{"HTTP 403", "the API refused the request"},
		},
		{
			name: "plain http to a remote host", args: []string{"--api-url", "http://api.example.com/0.1", "--api-key", wrongKey, "tables", "list"}, wantCode: 1,
			stderr: []string{"plain http", "--insecure-http"},
		},
		{name: "missing argument", args: sim.api("tables", "describe"), wantCode: 2, stderr: []string{"tables describe: want exactly one table id or name, got 0"}},
		{name: "extra argument", args: sim.api("exports", "info", "1", "2"), wantCode: 2, stderr: []string{"want exactly one export id, got 2"}},
		{name: "missing -o", args: sim.api("exports", "download", "500"), wantCode: 2, stderr: []string{"exports download: -o FILE is required"}},
		{name: "-o without its value", args: sim.api("exports", "download", "500", "-o"), wantCode: 2, stderr: []string{"exports download: flag -o needs a value"}},
		{name: "unknown flag", args: sim.api("tables", "list", "--bogus"), wantCode: 2, stderr: []string{"flag provided but not defined: -bogus", "--help"}},
		{name: "unknown global flag", args: []string{"--bogus", "version"}, wantCode: 2, stderr: []string{"-bogus"}},
		{name: "bad log level", args: sim.api("--log-level", "loud", "tables", "list"), wantCode: 2, stderr: []string{`--log-level "loud"`}},
		{name: "bad log format", args: []string{"--log-format", "xml", "version"}, wantCode: 2, stderr: []string{`--log-format "xml"`}},
		{name: "bad format", args: sim.api("figures", "export", "360531", "--format", "xml"), wantCode: 2, stderr: []string{`format "xml"`}},
		{name: "machine time zone", args: sim.api("tables", "describe", "1", "--source-timezone", "Local"), wantCode: 2,
			stderr: []string{`--source-timezone "Local": the machine's own zone is not accepted`, "America/New_York", "UTC"}},
		{name: "unknown time zone", args: sim.api("tables", "describe", "1", "--source-timezone", "Mars/Olympus"), wantCode: 2,
			stderr: []string{`--source-timezone "Mars/Olympus": unknown time zone`, "IANA zone name"}},
		{name: "bad identifier mode", args: sim.api("tables", "describe", "1", "--identifiers", "camel"), wantCode: 2},
		{name: "unknown command", args: []string{"tabels", "list"}, wantCode: 2, stderr: []string{`no command "tabels"`, "tables"}},
		{name: "unknown subcommand", args: []string{"exports", "lst"}, wantCode: 2, stderr: []string{`exports: no command "lst"`}},
		{name: "api key twice", args: []string{"--api-key", wrongKey, "--api-key-file", "/nonexistent", "tables", "list"}, wantCode: 2, stderr: []string{"not both"}},
		{name: "simulate without a key", args: []string{"simulate", "--key", ""}, wantCode: 2, stderr: []string{"--key"}},
		{name: "simulate in an unknown time zone", args: []string{"simulate", "--key", "k", "--timezone", "Mars/Olympus"}, wantCode: 2,
			stderr: []string{`--timezone "Mars/Olympus": unknown time zone`, "IANA zone name"}},
		{name: "simulate in the machine's zone", args: []string{"simulate", "--key", "k", "--timezone", "Local"}, wantCode: 2,
			stderr: []string{`--timezone "Local": the machine's own zone is not accepted`}},
		{name: "simulate with a bad quirk", args: []string{"simulate", "--key", "k", "--quirks", "sideways"}, wantCode: 2, stderr: []string{`unknown quirk "sideways"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t.Context(), tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr: got %q, want it to hold %q", r.stderr, want)
				}
			}
			if tt.wantCode == 2 && !strings.Contains(r.stderr, "Run 'mbiload --help'") {
				t.Errorf("stderr: got %q, want a pointer to --help", r.stderr)
			}
			if tt.wantCode != 0 && strings.Count(r.stderr, "mbiload: ") != 1 {
				t.Errorf("stderr: got %q, want exactly one error line", r.stderr)
			}
			if strings.Contains(r.output(), wrongKey) || strings.Contains(r.output(), cliKey) {
				t.Errorf("an API key was printed: %q", r.output())
			}
		})
	}
}

// TestNoAPIKey checks the usage error when no key is configured at all.
func TestNoAPIKey(t *testing.T) {
	t.Setenv("MBILOAD_API_KEY", "")
	t.Setenv("MBILOAD_API_KEY_FILE", "")
	r := runCLI(t.Context(), "tables", "list")
	if r.code != 2 || !strings.Contains(r.stderr, "no API key: set MBILOAD_API_KEY or --api-key-file") {
		t.Errorf("got %d %q, want 2 and how to give the key", r.code, r.stderr)
	}
}
