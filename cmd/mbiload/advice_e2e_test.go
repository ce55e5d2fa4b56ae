package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagAdviceEndToEnd runs load-file into refusals of the loader: the
// error printed names the flags that would change the outcome, while the
// ledger keeps the loader's own text, which names none.
func TestFlagAdviceEndToEnd(t *testing.T) {
	db := mustE2EDB(t)
	db.env(t)
	dir := t.TempDir()
	cols := filepath.Join(dir, "items.columns.json")
	if err := os.WriteFile(cols, []byte(`[{"name":"id","type":"Integer"},{"name":"v","type":"String"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "items.csv")
	if err := os.WriteFile(csv, []byte("id,v\n1,a\n2,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loadFile := func(extra ...string) result {
		args := append([]string{"load-file", "--table", "items", "--columns", cols, "--progress", "none"}, extra...)
		return runCLI(t.Context(), append(args, csv)...)
	}
	if r := loadFile("--mode", "append"); r.code != 0 {
		t.Fatalf("first append: exit %d\n%s", r.code, r.output())
	}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{name: "appended again with other settings", args: []string{"--mode", "append", "--null-string", "NULL"},
			stderr: "or force the append: load: already loaded with other settings (--mode replace reloads the table; --force appends anyway)"},
		{name: "merge without a key", args: []string{"--mode", "merge"},
			stderr: "name the key columns (--key names the merge key)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadFile(tt.args...)
			if r.code != 1 || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.code, r.stderr, tt.stderr)
			}
		})
	}
	var ledger string
	if err := db.admin.QueryRow(t.Context(), "SELECT string_agg(error, E'\\n') FROM "+db.ledger+".loads WHERE status = 'failed'").Scan(&ledger); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ledger, "already loaded with other settings") || strings.Contains(ledger, "--") {
		t.Errorf("ledger errors: got\n%s\nwant the loader's text without flags", ledger)
	}
}
