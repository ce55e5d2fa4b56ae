package main

import (
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestNoClientID runs the commands whose API calls need the client id
// without one: each fails as a usage error (exit 2, like a missing key)
// that says where to set it, instead of a bare "no client id configured".
func TestNoClientID(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	db := mustE2EDB(t)
	db.env(t)
	t.Setenv("MBILOAD_CLIENT_ID", "")
	for _, args := range [][]string{
		{"tables", "list"},
		{"tables", "describe", "sales_order"},
		{"exports", "create", "sales_order"},
		{"update-status"},
		{"sync", "--progress", "none"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			all := append([]string{"--api-url", sim.url, "--api-key", cliKey}, args...)
			r := runCLI(t.Context(), all...)
			if r.code != 2 {
				t.Errorf("exit code %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			for _, want := range []string{"no client id", "set MBILOAD_CLIENT_ID or --client-id"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not hold %q:\n%s", want, r.stderr)
				}
			}
			checkNoSecret(t, "output", r.output(), cliKey, db.password)
		})
	}
}
