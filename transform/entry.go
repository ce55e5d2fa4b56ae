package transform

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Entry is the CSV inside an export (see [OpenZip]) or a plain CSV file (see
// [OpenCSV]), read as a stream. Reading a zip entry verifies its CRC-32 and
// length at EOF and enforces [ZipLimits] while decompressing; those errors
// name the entry. Close releases the underlying file.
type Entry struct {
	// Name is the entry's name inside the zip, or the file's base name.
	Name string
	// Size is the declared uncompressed size in bytes.
	Size int64
	// CompressedSize is the entry's compressed size (Size for a plain file).
	CompressedSize int64
	// Modified is the entry's modification time as the zip records it (the
	// export's time, for the API's exports), or a plain file's; zero when
	// unknown.
	Modified time.Time

	r      io.Reader
	closer func() error
	closed bool
}

var _ io.ReadCloser = (*Entry)(nil)

// Read reads uncompressed CSV bytes.
func (e *Entry) Read(p []byte) (int, error) {
	if e.closed {
		return 0, fmt.Errorf("read %q: %w", e.Name, os.ErrClosed)
	}
	return e.r.Read(p)
}

// Close releases the file; calling it again does nothing.
func (e *Entry) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if e.closer != nil {
		if err := e.closer(); err != nil {
			return fmt.Errorf("close %q: %w", e.Name, err)
		}
	}
	return nil
}

// OpenCSV opens a plain CSV file (for `mbiload load-file FILE.csv`) as an
// [Entry]; Size is the file's size.
func OpenCSV(path string) (*Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open csv: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open csv: %w", err)
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open csv %q: is a directory", path)
	}
	return &Entry{
		Name:           filepath.Base(path),
		Size:           st.Size(),
		CompressedSize: st.Size(),
		Modified:       st.ModTime(),
		r:              f,
		closer:         f.Close,
	}, nil
}
