package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadColumnsFileCapped checks that column metadata is read only up to
// maxColumnsBytes: a larger file (here valid JSON padded with spaces, as a
// wrong file or /dev/zero would be) is refused with ErrBadMetadata instead
// of being read whole into memory; one at the cap is read.
func TestReadColumnsFileCapped(t *testing.T) {
	const cols = `[{"name":"a","type":"Integer"}]`
	const capBytes = 32 << 20 // maxColumnsBytes
	tests := []struct {
		name    string
		size    int
		wantErr string
	}{
		{name: "at the cap", size: capBytes},
		{name: "one byte over", size: capBytes + 1, wantErr: "over 32 MiB, too large for column metadata"},
		{name: "far over", size: 3 * capBytes, wantErr: "over 32 MiB, too large for column metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "big.columns.json")
			data := cols + strings.Repeat(" ", tt.size-len(cols))
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadColumnsFile(path)
			if tt.wantErr == "" {
				if err != nil || len(got) != 1 {
					t.Fatalf("got %d columns, %v; want 1 column, no error", len(got), err)
				}
				return
			}
			if !errors.Is(err, ErrBadMetadata) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error: got %v, want ErrBadMetadata naming %s and saying %q", err, path, tt.wantErr)
			}
			got, err = readColumns(strings.NewReader(data))
			if !errors.Is(err, ErrBadMetadata) || got != nil {
				t.Fatalf("readColumns: got %d columns, %v; want ErrBadMetadata", len(got), err)
			}
		})
	}
}

// TestReadColumnsFileDevZero reads an endless input: it must stop at the cap.
func TestReadColumnsFileDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Fatalf("no /dev/zero: %v", err)
	}
	_, err := ReadColumnsFile("/dev/zero")
	if !errors.Is(err, ErrBadMetadata) {
		t.Fatalf("error: got %v, want ErrBadMetadata", err)
	}
}
