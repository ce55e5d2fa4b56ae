package main

import (
	"os"
	"path/filepath"
	"regexp"
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
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
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

// timeStamp is a date and time as the commands print them.
var timeStamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?UTC|Z|[+-]\d{2}:?\d{2})?`)

// normalise replaces what changes from one run to the next in a command's
// output: the digits of dates and times (with #, keeping the columns
// aligned) and the API's address (<api>).
func normalise(out, api string) string {
	return timeStamp.ReplaceAllStringFunc(strings.ReplaceAll(out, api, "<api>"), func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '#'
			}
			return r
		}, s)
	})
}
