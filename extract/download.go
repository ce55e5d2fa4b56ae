package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// Download is an export spooled to a local temp file by [Client.Download].
type Download struct {
	// ExportID is the export's id.
	ExportID schema.ID
	// Path is the temp file (mode 0600). The caller removes it with
	// [Download.Remove] when done.
	Path string
	// Size is the file's length in bytes, checked against the length the
	// server announced when it announced one.
	Size int64
	// SHA256 is the hex SHA-256 of the file's content.
	SHA256 string
	// Resumes is how many times the transfer was resumed after a failure.
	Resumes int
}

// Remove deletes the downloaded file; a file already gone is not an error.
func (d *Download) Remove() error {
	if err := os.Remove(d.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove download of export %s: %w", d.ExportID, err)
	}
	return nil
}

// copyBufferSize is the copy buffer of Download: large enough that the
// per-read overhead of the resumable body and the hash is negligible.
const copyBufferSize = 256 << 10

// Download streams a completed export ([Client.openExport], so a dropped
// connection is resumed) to a new temp file in dir (os.TempDir() when dir
// is ""), created with mode 0600. It checks the length against the one the
// server announced and computes the SHA-256 while writing. On every error
// the temp file is removed.
func (c *Client) Download(ctx context.Context, id schema.ID, dir string) (*Download, error) {
	return c.DownloadProgress(ctx, id, dir, nil)
}

// DownloadProgress is [Client.Download] that also reports progress: after
// each chunk written it calls progress (when non-nil) with the bytes written
// so far and the announced total (-1 when unknown), from the calling
// goroutine.
func (c *Client) DownloadProgress(ctx context.Context, id schema.ID, dir string, progress func(done, total int64)) (*Download, error) {
	start := c.now()
	body, err := c.openExport(ctx, id)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "mbiload-export-"+fileSafe(string(id))+"-*.zip")
	if err != nil {
		return nil, fmt.Errorf("download export %s: create temp file: %w", id, err)
	}
	d, err := spool(f, body, progress)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	d.ExportID = id
	elapsed := c.now().Sub(start)
	c.log.Debug("export downloaded", "export_id", id, "bytes", d.Size, "resumes", d.Resumes,
		"duration", elapsed, "mib_per_s", float64(d.Size)/(1<<20)/max(elapsed.Seconds(), 1e-9))
	return d, nil
}

// spool copies body into f, hashing on the way, and closes f. Read errors
// come from the [exportBody] and already name the export.
func spool(f *os.File, body *exportBody, progress func(done, total int64)) (*Download, error) {
	h := sha256.New()
	buf := make([]byte, copyBufferSize)
	var n int64
	for {
		m, rerr := body.Read(buf)
		if m > 0 {
			if _, err := f.Write(buf[:m]); err != nil {
				return nil, fmt.Errorf("download export %s: %w", body.id, err)
			}
			h.Write(buf[:m])
			n += int64(m)
			if progress != nil {
				progress(n, body.Size())
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return nil, rerr
		}
	}
	if size := body.Size(); size >= 0 && n != size {
		return nil, fmt.Errorf("download export %s: %w: wrote %d bytes, %d announced", body.id, ErrLengthMismatch, n, size)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("download export %s: %w", body.id, err)
	}
	return &Download{Path: f.Name(), Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Resumes: body.Resumes()}, nil
}

// fileSafe keeps letters, digits, '-' and '_' of s (at most 32), for a file
// name.
func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return r
		}
		return -1
	}, s)
	if len(s) > 32 {
		s = s[:32]
	}
	return s
}
