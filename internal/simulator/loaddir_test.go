package simulator_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// sampleDir is the Magento sample warehouse beside the repository
// (../shared/data/magento-sample from the repository root).
func sampleDir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := filepath.Join(root, "..", "shared", "data", "magento-sample")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the Magento sample data is missing: %v", err)
	}
	return dir
}

func TestLoadDirMagentoSample(t *testing.T) {
	dir := sampleDir(t)
	tables, err := simulator.LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	want := []struct {
		id, name string
		rows     int64
		cols     int
	}{
		{"1", "customer_profile", 1, 12},
		{"2", "orders", 2, 6},
		{"3", "pages", 4, 15},
		{"4", "products", 1994, 70},
		{"5", "products_gear_bags", 14, 19},
		{"6", "products_reviews", 500, 7},
		{"7", "sales_rules", 4, 15},
		{"8", "tax_rate", 1, 5},
	}
	if len(tables) != len(want) {
		t.Fatalf("got %d tables, want %d", len(tables), len(want))
	}
	for i, w := range want {
		t.Run(w.name, func(t *testing.T) {
			got := tables[i]
			if string(got.ID) != w.id || got.Name != w.name || got.Rows != w.rows || len(got.Columns) != w.cols {
				t.Errorf("got %s %s rows=%d cols=%d, want %s %s rows=%d cols=%d",
					got.ID, got.Name, got.Rows, len(got.Columns), w.id, w.name, w.rows, w.cols)
			}
			var buf bytes.Buffer
			if err := got.WriteCSV(context.Background(), &buf); err != nil {
				t.Fatalf("WriteCSV: %v", err)
			}
			disk, err := os.ReadFile(filepath.Join(dir, w.name+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), disk) {
				t.Errorf("got %d bytes, want the %d bytes on disk", buf.Len(), len(disk))
			}
		})
	}
}

func TestLoadDirErrors(t *testing.T) {
	tests := []struct {
		name     string
		dir      string
		wantErr  error
		wantText string
	}{
		{name: "missing metadata", dir: "testdata/nometa", wantErr: simulator.ErrNoMetadata, wantText: filepath.Join("testdata", "nometa", "without_meta.columns.json")},
		{name: "no csv files", dir: t.TempDir(), wantErr: simulator.ErrNoTables},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := simulator.LoadDir(tt.dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("got %q, want it to name %q", err, tt.wantText)
			}
		})
	}
	if _, err := simulator.LoadDir("testdata/does-not-exist"); err == nil {
		t.Error("got no error for a missing directory")
	}
}

func TestCombine(t *testing.T) {
	sample, err := simulator.LoadDir(sampleDir(t))
	if err != nil {
		t.Fatal(err)
	}
	generated := simulator.Generated(10, 1)
	all, err := simulator.Combine(generated, sample)
	if err != nil {
		t.Fatalf("Combine: %v", err)
	}
	var ids []string
	for _, tb := range all {
		if slices.Contains(ids, string(tb.ID)) {
			t.Errorf("got id %s twice", tb.ID)
		}
		ids = append(ids, string(tb.ID))
	}
	if len(all) != len(generated)+len(sample) {
		t.Fatalf("got %d tables, want %d", len(all), len(generated)+len(sample))
	}
	for i, tb := range all {
		if want := strconv.Itoa(i + 1); string(tb.ID) != want {
			t.Errorf("got %s with id %s, want %s (sample ids shifted past the generated ones)", tb.Name, tb.ID, want)
		}
	}
	if _, err := simulator.Combine(sample, sample); !errors.Is(err, simulator.ErrBadConfig) {
		t.Errorf("got %v for duplicate names, want ErrBadConfig", err)
	}
	sim, err := simulator.New(simulator.Config{Key: "k", ClientID: "1", Tables: all, WorkDir: t.TempDir()})
	if err != nil {
		t.Fatalf("New with combined tables: %v", err)
	}
	if err := sim.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
