package transform

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/flate"
)

// newInflater returns a raw-deflate reader over r.
func newInflater(r io.Reader) io.ReadCloser { return flate.NewReader(r) }

// verifyReader counts and checksums an entry's uncompressed bytes, enforcing
// the limits while reading and the declared length and CRC-32 at EOF.
type verifyReader struct {
	r          io.Reader
	name       string
	crc        uint32
	size       uint64
	compressed uint64
	lim        ZipLimits

	n    uint64
	hash uint32
	err  error
}

var _ io.Reader = (*verifyReader)(nil)

func (v *verifyReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	if n > 0 {
		v.n += uint64(n)
		v.hash = crc32.Update(v.hash, crc32.IEEETable, p[:n])
		if lerr := v.checkLimits(); lerr != nil {
			v.err = lerr
			return 0, lerr
		}
	}
	switch {
	case err == io.EOF:
		if v.n != v.size {
			v.err = fmt.Errorf("entry %q: %w: %d bytes, declared %d", v.name, ErrTruncated, v.n, v.size)
			return n, v.err
		}
		if v.hash != v.crc {
			v.err = fmt.Errorf("entry %q: %w: crc32 %08x, declared %08x", v.name, ErrChecksum, v.hash, v.crc)
			return n, v.err
		}
		v.err = io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		v.err = fmt.Errorf("entry %q: %w: compressed data ends early after %d bytes", v.name, ErrTruncated, v.n)
	case err != nil:
		v.err = fmt.Errorf("entry %q: %w: %w", v.name, ErrCorruptZip, err)
	}
	if v.err != nil && v.err != io.EOF {
		return n, v.err
	}
	return n, err
}

func (v *verifyReader) checkLimits() error {
	switch {
	case v.n > uint64(v.lim.MaxUncompressed):
		return fmt.Errorf("entry %q: %w: more than %d bytes", v.name, ErrZipBomb, v.lim.MaxUncompressed)
	case overRatio(v.n, v.compressed, v.lim.MaxRatio):
		return fmt.Errorf("entry %q: %w: %d bytes from %d compressed, ratio limit %g", v.name, ErrZipBomb, v.n, v.compressed, v.lim.MaxRatio)
	case v.n > v.size:
		return fmt.Errorf("entry %q: %w: more than the declared %d bytes", v.name, ErrTruncated, v.size)
	}
	return nil
}
