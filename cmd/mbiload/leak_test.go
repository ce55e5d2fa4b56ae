package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/urfave/cli/v2"
)

// TestKeyNeverPrinted gives the API key through the environment, a flag and
// a key file, runs commands that succeed, fail, log at debug level and print
// help, and checks the key appears in no output.
func TestKeyNeverPrinted(t *testing.T) {
	const (
		envKey  = "sk-ENVCANARY-7d1f-from-the-environment"
		flagKey = "sk-FLAGCANARY-93ab-from-a-flag"
		fileKey = "sk-FILECANARY-5c2e-from-a-file"
	)
	sim := mustCLISim(t, simulator.Config{Key: envKey})
	sim.mustExport(t, "4", true) // export 500
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte(fileKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MBILOAD_API_KEY", envKey)
	t.Setenv("MBILOAD_API_URL", sim.url)
	t.Setenv("MBILOAD_CLIENT_ID", "12")
	t.Setenv("MBILOAD_API_KEY_FILE", "")
	dir := t.TempDir()

	runs := [][]string{
		{"--log-level", "debug", "tables", "list"},
		{"--log-level", "debug", "tables", "describe", "sales_order", "--json"},
		{"--log-level", "debug", "--log-format", "json", "exports", "info", "500"},
		{"--log-level", "debug", "exports", "download", "500", "-o", filepath.Join(dir, "a.zip")},
		{"--log-level", "debug", "figures", "export", "360532", "--format", "json"},
		{"--log-level", "debug", "update-status", "--json"},
		{"--log-level", "debug", "--client-id", "13", "tables", "list"},
		{"--log-level", "debug", "--api-key", flagKey, "tables", "list"},
		{"--log-level", "debug", "--api-key", flagKey, "exports", "download", "500", "-o", filepath.Join(dir, "b.zip")},
		{"--log-level", "debug", "--api-key", flagKey, "--api-key-file", keyFile, "tables", "list"},
		{"--api-key", flagKey, "--help"},
		{"--api-key", flagKey, "tables", "list", "--help"},
		{"--api-key", flagKey, "tables", "describe", "1", "--api-key", flagKey},
		{"--api-key", flagKey, "--bogus", "tables", "list"},
		{"--log-level", "debug", "--api-url", sim.url + "/nowhere", "exports", "list"},
		{"--log-level", "loud", "tables", "list"},
		{"simulate", "--help"},
		{"simulate", "--quirks", "sideways"},
	}
	t.Run("key file", func(t *testing.T) {
		t.Setenv("MBILOAD_API_KEY", "")
		for _, args := range [][]string{
			{"--log-level", "debug", "--api-key-file", keyFile, "tables", "list"},
			{"--log-level", "debug", "--api-key-file", keyFile, "figures", "list"},
		} {
			r := runCLI(t.Context(), args...)
			if r.code != 1 || !strings.Contains(r.stderr, "HTTP 403") {
				t.Errorf("%q: got %d %q, want 1 and a 403 for the wrong key from the file", args, r.code, r.stderr)
			}
			checkNoKey(t, args, r.output(), envKey, flagKey, fileKey)
		}
	})
	// Help of every command and subcommand, with the key in the
	// environment and on the command line.
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(append([]string(nil), path...), c.Name)
			runs = append(runs, append(append([]string{"--api-key", flagKey}, p...), "--help"))
			walk(p, c.Subcommands)
		}
	}
	walk(nil, newApp(nil, nil, nil).Commands)

	failures := 0
	for _, args := range runs {
		r := runCLI(t.Context(), args...)
		if r.code != 0 {
			failures++
		}
		if r.output() == "" {
			t.Errorf("%q: printed nothing", args)
		}
		checkNoKey(t, args, r.output(), envKey, flagKey, fileKey)
	}
	if failures < 6 {
		t.Errorf("failures: got %d, want the failing runs to fail", failures)
	}
}

func checkNoKey(t *testing.T, args []string, output string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if strings.Contains(output, k) {
			t.Errorf("%q printed an API key:\n%s", args, output)
		}
	}
}
