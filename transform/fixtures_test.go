package transform

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		file    string
		rows    int
		wantErr error
		line    int64
	}{
		{file: "bom_crlf.csv", rows: 3},
		{file: "reordered.csv", rows: 2},
		{file: "ragged.csv", wantErr: ErrRagged, line: 4},
		{file: "bare_quote.csv", wantErr: ErrBadQuote, line: 3},
		{file: "text_after_quote.csv", wantErr: ErrBadQuote, line: 2},
		{file: "unterminated_quote.csv", wantErr: ErrBadQuote, line: 3},
		{file: "invalid_utf8.csv", wantErr: ErrInvalidUTF8, line: 5},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e, err := OpenCSV(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatalf("OpenCSV: %v", err)
			}
			defer e.Close()
			got := decodeReader(t, threeCols(t), e, Options{})
			if tt.wantErr == nil {
				if got.err != nil || len(got.rows) != tt.rows {
					t.Fatalf("got %d rows, %v; want %d rows", len(got.rows), got.err, tt.rows)
				}
				return
			}
			var re *RowError
			if !errors.Is(got.err, tt.wantErr) || !errors.As(got.err, &re) || re.Line != tt.line {
				t.Fatalf("error: got %v, want %v at line %d", got.err, tt.wantErr, tt.line)
			}
		})
	}
}

func TestOpenCSV(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(p, []byte("a\n1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := OpenCSV(p)
	if err != nil {
		t.Fatalf("OpenCSV: %v", err)
	}
	b, err := io.ReadAll(e)
	if err != nil || string(b) != "a\n1\n" || e.Size != 4 || e.Name != "x.csv" {
		t.Errorf("got %q, %v, size %d, name %q", b, err, e.Size, e.Name)
	}
	if err := e.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := OpenCSV(filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: got %v, want ErrNotExist", err)
	}
	if _, err := OpenCSV(dir); err == nil {
		t.Errorf("directory: got nil error")
	}
}
