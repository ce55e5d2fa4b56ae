package magentogen

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt")

// goldenFile holds the SHA-256 of each table's CSV at scale 1000, seed 1:
// the output must be the same on every machine and in every release, or the
// simulator's exports (and the expectations built on them) silently change.
const goldenFile = "testdata/golden.txt"

func TestGolden(t *testing.T) {
	var b strings.Builder
	for _, tb := range Warehouse(1000, 1) {
		sum := sha256.Sum256(mustCSV(t, tb))
		b.WriteString(tb.Name + " " + hex.EncodeToString(sum[:]) + "\n")
	}
	got := b.String()
	if *update {
		if err := os.WriteFile(filepath.FromSlash(goldenFile), []byte(got), 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
	}
	want, err := os.ReadFile(filepath.FromSlash(goldenFile))
	if err != nil {
		t.Fatalf("read golden (run go test -run TestGolden -update to create it): %v", err)
	}
	if got != string(want) {
		t.Fatalf("CSV hashes:\ngot\n%swant\n%s(if the change is intended, run go test -run TestGolden -update)", got, want)
	}
}
