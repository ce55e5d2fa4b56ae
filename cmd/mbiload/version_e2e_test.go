package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/load"
)

// TestServerVersionGate runs load-file against the test server: a server
// older than PostgreSQL 14 (make pgmatrix runs this test on 13) is refused
// with exit 1 and the message naming its version, before anything is
// created; 14 and later load the file.
func TestServerVersionGate(t *testing.T) {
	db := mustE2EDB(t)
	db.env(t)
	dir := t.TempDir()
	csvPath, colsPath := filepath.Join(dir, "orders.csv"), filepath.Join(dir, "orders.columns.json")
	files := map[string]string{
		csvPath:  "id,note\n1,a\n2,b\n",
		colsPath: `{"columns":[{"name":"id","type":"Integer","is_primary_key":true,"nullable":false},{"name":"note","type":"String","nullable":true}]}`,
	}
	for path, data := range files {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	num, printed, err := load.ServerVersion(context.Background(), db.admin)
	if num == 0 || printed == "" {
		t.Fatalf("ServerVersion: %d %q %v", num, printed, err)
	}
	r := runCLI(context.Background(), "load-file", csvPath, "--table", "orders", "--columns", colsPath, "--progress", "none")
	if num < load.MinServerVersion {
		want := "mbiload needs PostgreSQL 14 or later; this server is " + printed
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("load-file on %s: exit %d, stderr %q; want exit 1 and %q", printed, r.code, r.stderr, want)
		}
		if db.schemaExists(t, db.target) || db.schemaExists(t, db.ledger) {
			t.Errorf("load-file on %s created a schema before refusing the server", printed)
		}
		return
	}
	if err != nil {
		t.Errorf("ServerVersion on %s: %v", printed, err)
	}
	if r.code != 0 || db.count(t, "orders") != 2 {
		t.Errorf("load-file on %s: exit %d, stderr %q; want 2 rows loaded", printed, r.code, r.stderr)
	}
}
