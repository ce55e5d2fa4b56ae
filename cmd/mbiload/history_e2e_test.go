package main

import (
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/internal/simulator"
)

// TestHistoryReadsTheLedgerOfEverySchema syncs into a target schema other
// than the one history is given (a user's `sync --schema warehouse`
// followed by a plain `history`): history reads the ledger, which records
// the loads of every target schema, finds them, names their schema, and
// creates nothing; --json uses the report's snake_case keys.
func TestHistoryReadsTheLedgerOfEverySchema(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	db := mustE2EDB(t)
	db.env(t)
	other := pgtest.UniqueName(t, "h") // never created
	if r := runCLI(t.Context(), sim.api("sync", "--tables", "sales_order", "--progress", "none")...); r.code != 0 {
		t.Fatalf("sync: exit code %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "the schema synced", args: []string{"history"}, want: []string{db.target + ".sales_order", "loaded"}},
		{name: "another schema", args: []string{"history", "--schema", other}, want: []string{db.target + ".sales_order", "loaded"}},
		{name: "another schema, by table", args: []string{"history", "--schema", other, "--table", "sales_order"},
			want: []string{db.target + ".sales_order"}},
		{name: "json", args: []string{"history", "--schema", other, "--json"},
			want: []string{`"run_id": "`, `"target_schema": "` + db.target + `"`, `"target_table": "sales_order"`, `"rows_loaded": 200`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t.Context(), tt.args...)
			if r.code != 0 {
				t.Fatalf("%q: exit code %d\nstdout: %s\nstderr: %s", tt.args, r.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("%q: stdout does not hold %q:\n%s", tt.args, w, r.stdout)
				}
			}
		})
	}
	t.Run("no ledger", func(t *testing.T) {
		r := runCLI(t.Context(), "history", "--ledger-schema", other)
		if r.code != 0 || !strings.Contains(r.stdout, "no ledger in schema "+other) {
			t.Errorf("history in a schema without a ledger: exit %d, stdout %q", r.code, r.stdout)
		}
	})
	if db.schemaExists(t, other) {
		t.Errorf("history created schema %s", other)
	}
}
