package pipeline

import (
	"bytes"
	"compress/gzip"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/transform"
)

// TestOpenExportFileNotExport checks that a file named .zip that is neither
// a zip nor CSV text is refused as such, with its first bytes in hex (no
// raw binary in the message), and that text files, whatever their name,
// still open as CSV.
func TestOpenExportFileNotExport(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("id\n1\n"))
	zw.Close()
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i * 7)
	}
	// A text file whose 512th byte cuts a two-byte rune.
	cut := strings.Repeat("a", 511) + "é\n"
	tests := []struct {
		name, file string
		data       []byte
		want       []string // texts of the error; none: opens as CSV
	}{
		{name: "random bytes", file: "x.zip", data: junk, want: []string{"x.zip is not a zip archive", "nor CSV text", "starts with the bytes 00 07 0e 15"}},
		{name: "gzip", file: "x.zip", data: gz.Bytes(), want: []string{"it is a gzip file", "1f 8b"}},
		{name: "pdf", file: "x.zip", data: []byte("%PDF-1.7\n\x00\x01binary"), want: []string{"it is a PDF document"}},
		{name: "csv named zip", file: "x.zip", data: []byte("id,name\n1,é\n")},
		{name: "csv with a rune cut at the sniff", file: "x.csv", data: []byte(cut)},
		{name: "empty", file: "x.zip", data: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := mustWriteFile(t, t.TempDir(), tt.file, tt.data)
			e, err := openExportFile(path, transform.ZipLimits{})
			if e != nil {
				e.Close()
			}
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want it opened as CSV", err)
				}
				return
			}
			if !errors.Is(err, ErrNotExportFile) {
				t.Fatalf("error: got %v, want ErrNotExportFile", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), strings.Replace(w, "x.zip", filepath.Join(filepath.Dir(path), "x.zip"), 1)) {
					t.Errorf("message: got %q, want it to contain %q", err, w)
				}
			}
			for _, c := range err.Error() {
				if c < ' ' || c == 0xFFFD {
					t.Fatalf("message holds a control or replacement character: %q", err)
				}
			}
		})
	}
}
