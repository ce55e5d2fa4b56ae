package main

import (
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestLedgerSchemaEqualsSchema checks that every database command refuses
// a target schema equal to the ledger schema as a usage error (exit 2),
// before connecting: a source table named loads would replace the ledger.
func TestLedgerSchemaEqualsSchema(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	t.Setenv("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none?sslmode=disable")
	for _, args := range [][]string{
		{"--schema", "mbiload", "sync"},
		{"--ledger-schema", "mbi", "sync", "--dry-run"},
		{"--schema", "x", "--ledger-schema", "x", "history"},
		{"--schema", "x", "--ledger-schema", "x", "load-file", "--table", "t", "--columns", "c.json", "t.csv"},
	} {
		r := runCLI(t.Context(), sim.api(args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "must differ") {
			t.Errorf("%q: got exit %d, stderr %q; want 2 saying the schemas must differ", args, r.code, r.stderr)
		}
	}
}
