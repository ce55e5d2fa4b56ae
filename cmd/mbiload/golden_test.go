package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// transcript collects commands and what they printed, as a golden file
// shows them.
type transcript struct{ strings.Builder }

// add records one command and its stdout.
func (tr *transcript) add(args []string, stdout string) {
	tr.WriteString("$ mbiload " + strings.Join(args, " ") + "\n" + stdout)
}

// checkGolden compares got with testdata/name (rewritten under -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the golden file (go test -run %s -update writes it): %v", t.Name(), err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
