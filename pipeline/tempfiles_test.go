package pipeline

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRemoveStaleTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	files := []struct {
		name   string
		age    time.Duration
		remove bool
	}{
		{"mbiload-export-51-123.zip", 48 * time.Hour, true},
		{"mbiload-figure-9.csv", 25 * time.Hour, true},
		{"mbiload-export-52-456.zip", time.Hour, false}, // a run in progress may own it
		{"someone-else.zip", 72 * time.Hour, false},
		{"mbiload-chart-1.csv", 30 * time.Hour, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := now.Add(-f.age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "mbiload-export-dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	removeStaleTemp(dir, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if gone := os.IsNotExist(err); gone != f.remove {
			t.Errorf("%s (age %v): got removed=%v, want %v", f.name, f.age, gone, f.remove)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "mbiload-export-dir")); err != nil {
		t.Errorf("a directory matching the pattern was touched: %v", err)
	}
}
