package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
	"golang.org/x/sync/errgroup"
)

// zipSignatures start zip files: a local file header, an empty archive's
// end of central directory, or a spanned archive's marker.
var zipSignatures = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06"), []byte("PK\x07\x08")}

// openExportFile opens a zip export or a plain CSV file, told apart by the
// zip signature rather than the file name.
func openExportFile(path string, lim transform.ZipLimits) (*transform.Entry, error) {
	isZip, err := isZipFile(path)
	if err != nil {
		return nil, err
	}
	if isZip {
		return transform.OpenZip(path, lim)
	}
	return transform.OpenCSV(path)
}

// isZipFile reports whether the file starts with a zip signature. A file
// that is neither a zip nor text (a gzip, a PDF, random bytes) is an
// [ErrNotExportFile] that says what its first bytes are.
func isZipFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	for _, sig := range zipSignatures {
		if bytes.HasPrefix(head, sig) {
			return true, nil
		}
	}
	if what, binary := sniffBinary(head); binary {
		return false, fmt.Errorf("%w: %s is not a zip archive (no PK signature) nor CSV text: %s", ErrNotExportFile, path, what)
	}
	return false, nil
}

// binaryMagics name common non-text formats by their first bytes.
var binaryMagics = []struct {
	magic, name string
}{
	{"\x1f\x8b", "a gzip file"}, {"BZh", "a bzip2 file"}, {"\xfd7zXZ\x00", "an xz file"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"}, {"Rar!", "a RAR archive"}, {"%PDF", "a PDF document"},
	{"\x28\xb5\x2f\xfd", "a zstd file"}, {"SQLite format 3\x00", "an SQLite database"},
	{"\xd0\xcf\x11\xe0", "an old Microsoft Office document"},
}

// sniffBinary reports whether head, a file's first bytes, is not text (it
// holds a NUL or is not UTF-8, a rune cut at the end aside), and describes
// it safely: a known format's name and the first bytes in hex.
func sniffBinary(head []byte) (string, bool) {
	if bytes.IndexByte(head, 0) < 0 {
		for k := 0; k < utf8.UTFMax && k <= len(head); k++ { // a rune cut at the end
			if utf8.Valid(head[:len(head)-k]) {
				return "", false
			}
		}
	}
	first := head[:min(len(head), 16)]
	what := fmt.Sprintf("it starts with the bytes % x", first)
	for _, m := range binaryMagics {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			what = "it is " + m.name + " (" + what[3:] + ")"
			break
		}
	}
	return what, true
}

// fileSHA256 returns the hex SHA-256 and size of a file.
func fileSHA256(ctx context.Context, path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var size int64
	for {
		if err := ctx.Err(); err != nil {
			return "", 0, err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		size += int64(n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", 0, fmt.Errorf("read %s: %w", path, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// FileJob describes a local export file to load.
type FileJob struct {
	// Path is the zip (or plain CSV) file.
	Path string
	// Table is the resolved table (from its column metadata).
	Table *schema.Table
	// ExportID, when known, makes the load idempotent per export id
	// instead of per file digest.
	ExportID string
	// ExportedAt is the export's time, if known.
	ExportedAt time.Time
}

// LoadFile loads one local export file through the same path as a sync:
// decode, COPY, publish, ledger. A file already published (same SHA-256, or
// same export id when given, with the same settings: see load.Job.Decode)
// is skipped unless the loader forces.
func (r *Runner) LoadFile(ctx context.Context, opts Options, fj FileJob) (TableReport, error) {
	opts = opts.withDefaults()
	tr := r.fileEntry(opts, fj)
	tr.Warnings = append(tr.Warnings, fj.Table.Warnings...)
	rn := r.begin(ctx, tr, fj.Table.SourceName, nil)
	// The digest (for the ledger and the already-published check) is
	// computed while the decoder starts on the other core.
	var sum string
	var size int64
	var digest errgroup.Group
	digest.Go(func() (err error) {
		sum, size, err = fileSHA256(ctx, fj.Path)
		return err
	})
	src, openErr := r.openSource(ctx, opts, fj.Table, fj.Path)
	if err := digest.Wait(); err != nil {
		if src != nil {
			src.close()
		}
		rn.failed(err)
		return rn.finish(func(*TableReport) {}), fmt.Errorf("load %s: %w", fj.Path, err)
	}
	rn.tr.Bytes = size
	job := load.Job{RunID: opts.RunID, Table: fj.Table, Mode: opts.Mode, Key: opts.Key, ExportID: fj.ExportID,
		ExportedAt: fj.ExportedAt, SHA256: sum, Bytes: size, ExpectedRows: -1, Decode: decodeSettings(opts.Decode)}
	r.obs().Stage(rn.key, StageLoad)
	err := r.loadSource(ctx, job, src, openErr, nil, &rn.tr)
	if err != nil {
		rn.failed(err)
	}
	return rn.finish(func(*TableReport) {}), err
}

// fileEntry is the start of a local file's report entry.
func (r *Runner) fileEntry(opts Options, fj FileJob) TableReport {
	tr := TableReport{Kind: "file", Source: fj.Table.SourceName, SourceID: string(fj.Table.SourceID),
		Mode: string(opts.Mode), ExportID: fj.ExportID, File: fj.Path}
	r.setTarget(&tr, "", fj.Table.Name)
	return tr
}
