package magentogen

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zip"
)

// zipModified is the modification time stamped on zip entries, fixed so that
// the same table always gives the same zip bytes.
var zipModified = time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)

// WriteZip writes a zip archive to w holding one Deflate-compressed entry
// named entryName with the table's CSV (see [Table.WriteCSV]). It streams,
// compresses at flate's fastest level and stops with the context's error when
// ctx is done. entryName must be a plain relative name such as
// "sales_order.csv"; otherwise the error wraps [ErrBadEntryName].
func (t *Table) WriteZip(ctx context.Context, w io.Writer, entryName string) error {
	if !validEntryName(entryName) {
		return fmt.Errorf("zip entry %q: %w", entryName, ErrBadEntryName)
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	ew, err := zw.CreateHeader(&zip.FileHeader{
		Name:     entryName,
		Method:   zip.Deflate,
		Modified: zipModified,
	})
	if err != nil {
		return fmt.Errorf("create zip entry %q: %w", entryName, err)
	}
	if err := t.WriteCSV(ctx, ew); err != nil {
		return fmt.Errorf("zip entry %q: %w", entryName, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("close zip of %s: %w", t.Name, err)
	}
	return nil
}

// validEntryName reports whether name is a non-empty relative path that does
// not escape the archive.
func validEntryName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}
