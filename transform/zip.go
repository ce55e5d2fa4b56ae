package transform

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/zip"
)

// Default zip limits.
const (
	// defaultMaxUncompressed is the default [ZipLimits.MaxUncompressed]: 64 GiB.
	defaultMaxUncompressed = 64 << 30
	// defaultMaxRatio is the default [ZipLimits.MaxRatio].
	defaultMaxRatio = 1000
	// ratioGrace is how much an entry may expand before the ratio limit
	// applies: small, very repetitive files legitimately compress well.
	ratioGrace = 1 << 20
	// zipReadBuffer is the buffer between the file and the inflater.
	zipReadBuffer = 256 << 10
)

// ZipLimits bounds what a zip entry may expand to. The zero value means the
// defaults.
type ZipLimits struct {
	// MaxUncompressed is the largest uncompressed entry accepted, in bytes
	// (default 64 GiB).
	MaxUncompressed int64
	// MaxRatio is the largest uncompressed/compressed size ratio accepted
	// for an entry (default 1000). It is checked on the declared sizes and
	// enforced while reading, once the entry has produced more than 1 MiB.
	MaxRatio float64
}

func (l ZipLimits) withDefaults() (ZipLimits, error) {
	if l.MaxUncompressed < 0 || l.MaxRatio < 0 || math.IsNaN(l.MaxRatio) {
		return l, fmt.Errorf("%w: zip limits must not be negative", ErrInvalidOptions)
	}
	if l.MaxUncompressed == 0 {
		l.MaxUncompressed = defaultMaxUncompressed
	}
	if l.MaxRatio == 0 {
		l.MaxRatio = defaultMaxRatio
	}
	return l, nil
}

// OpenZip opens the single CSV entry of an export zip on disk (zip needs
// random access, so the caller spools a download to a file first).
//
// Directory entries, entries under `__MACOSX/` and entries whose base name
// starts with a dot are ignored; other entries not ending in ".csv" (any case)
// are ignored too. It fails with [ErrNoCSV] or [ErrMultipleCSV] unless exactly
// one CSV entry remains, with [ErrUnsafePath] if any entry's path escapes
// ("../", absolute, a drive letter, a backslash), [ErrZipBomb] over lim,
// [ErrCorruptZip] for an unreadable archive (such as a truncated central
// directory) and [ErrUnsupportedMethod] for anything but store or deflate.
// The returned [Entry] verifies the CRC-32 and length at EOF.
func OpenZip(path string, lim ZipLimits) (*Entry, error) {
	lim, err := lim.withDefaults()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open zip: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open zip: %w", err)
	}
	e, err := openZipReader(f, st.Size(), f.Close, lim)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open zip %q: %w", path, err)
	}
	return e, nil
}

// openZipReader opens the CSV entry of the zip in ra; closeFile releases ra
// when the entry is closed.
func openZipReader(ra io.ReaderAt, size int64, closeFile func() error, lim ZipLimits) (*Entry, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%w: %w", ErrCorruptZip, err)
	}
	zf, err := findCSV(zr.File)
	if err != nil {
		return nil, err
	}
	if err := checkDeclared(zf, lim); err != nil {
		return nil, err
	}
	raw, err := zf.OpenRaw()
	if err != nil {
		return nil, fmt.Errorf("entry %q: %w: %w", zf.Name, ErrCorruptZip, err)
	}
	vr := &verifyReader{
		name: zf.Name, crc: zf.CRC32, size: zf.UncompressedSize64,
		compressed: zf.CompressedSize64, lim: lim,
	}
	closer := closeFile
	switch zf.Method {
	case zip.Store:
		vr.r = raw
	case zip.Deflate:
		fr := newInflater(bufio.NewReaderSize(raw, zipReadBuffer))
		vr.r = fr
		closer = func() error {
			fr.Close()
			return closeFile()
		}
	default:
		return nil, fmt.Errorf("entry %q: %w %d", zf.Name, ErrUnsupportedMethod, zf.Method)
	}
	return &Entry{
		Name:           zf.Name,
		Size:           int64(zf.UncompressedSize64),
		CompressedSize: int64(zf.CompressedSize64),
		Modified:       zf.Modified,
		r:              vr,
		closer:         closer,
	}, nil
}

// findCSV checks every entry's path and returns the only CSV entry.
func findCSV(files []*zip.File) (*zip.File, error) {
	var found []*zip.File
	for _, zf := range files {
		if unsafePath(zf.Name) {
			return nil, fmt.Errorf("entry %q: %w", zf.Name, ErrUnsafePath)
		}
		if ignoredEntry(zf) {
			continue
		}
		if zf.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("entry %q: %w: a symbolic link", zf.Name, ErrUnsafePath)
		}
		if strings.HasSuffix(strings.ToLower(zf.Name), ".csv") {
			found = append(found, zf)
		}
	}
	switch len(found) {
	case 0:
		return nil, ErrNoCSV
	case 1:
		return found[0], nil
	default:
		names := make([]string, len(found))
		for i, zf := range found {
			names[i] = fmt.Sprintf("%q", zf.Name)
		}
		return nil, fmt.Errorf("%w: %s", ErrMultipleCSV, strings.Join(names, ", "))
	}
}

// unsafePath reports whether a zip entry name could escape a directory it
// were extracted to: absolute, a drive letter, a backslash, a NUL or any
// ".." element.
func unsafePath(name string) bool {
	if strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") {
		return true
	}
	if len(name) >= 2 && name[1] == ':' && (name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z') {
		return true
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return true
		}
	}
	return false
}

// ignoredEntry reports directories, macOS resource forks and dot-files.
func ignoredEntry(zf *zip.File) bool {
	name := zf.Name
	if name == "" || strings.HasSuffix(name, "/") || zf.FileInfo().IsDir() {
		return true
	}
	if name == "__MACOSX" || strings.HasPrefix(name, "__MACOSX/") {
		return true
	}
	return strings.HasPrefix(path.Base(name), ".")
}

// checkDeclared applies the limits to the central directory's sizes and
// refuses encryption and unknown methods.
func checkDeclared(zf *zip.File, lim ZipLimits) error {
	if zf.Flags&0x1 != 0 {
		return fmt.Errorf("entry %q: %w: encrypted", zf.Name, ErrUnsupportedMethod)
	}
	if zf.Method != zip.Store && zf.Method != zip.Deflate {
		return fmt.Errorf("entry %q: %w %d", zf.Name, ErrUnsupportedMethod, zf.Method)
	}
	if zf.UncompressedSize64 > uint64(lim.MaxUncompressed) {
		return fmt.Errorf("entry %q: %w: declares %d bytes, limit %d", zf.Name, ErrZipBomb, zf.UncompressedSize64, lim.MaxUncompressed)
	}
	if overRatio(zf.UncompressedSize64, zf.CompressedSize64, lim.MaxRatio) {
		return fmt.Errorf("entry %q: %w: declares %d bytes from %d compressed, ratio limit %g", zf.Name, ErrZipBomb, zf.UncompressedSize64, zf.CompressedSize64, lim.MaxRatio)
	}
	return nil
}

func overRatio(uncompressed, compressed uint64, limit float64) bool {
	if uncompressed <= ratioGrace {
		return false
	}
	return compressed == 0 || float64(uncompressed)/float64(compressed) > limit
}
