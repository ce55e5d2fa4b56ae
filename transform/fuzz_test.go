package transform

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecode runs the whole decoder, with tiny chunks so records straddle
// them, on a header plus arbitrary bytes: it must never panic, leak Arrow
// memory or hang, and when it succeeds on text columns it must agree with
// encoding/csv (see FuzzScan for the normalised differences).
func FuzzDecode(f *testing.F) {
	for i, s := range scanSeeds {
		f.Add([]byte(s), byte(i), i%2 == 0)
	}
	geoms := []chunkGeom{{head: 1, size: 1}, {head: 4, size: 3}, {head: 16, size: 7}, {}}
	f.Fuzz(func(t *testing.T, data []byte, sel byte, typed bool) {
		tb := mustTable(t, "t", col{"a", "text"}, col{"b", "text"}, col{"c", "text"})
		if typed {
			tb = mustTable(t, "t", col{"a", "int(11)"}, col{"b", "decimal(12,4)"}, col{"c", "datetime"})
		}
		opts := Options{geom: geoms[sel%4], MaxBadRows: int(sel >> 6), BatchRows: 1 + int(sel>>4)%3}
		input := append([]byte("a,b,c\n"), data...)
		got := decodeString(t, tb, string(input), opts)
		if got.stats.Rows != int64(len(got.rows)) {
			t.Fatalf("stats rows: got %d, want %d", got.stats.Rows, len(got.rows))
		}
		if got.err == nil && got.stats.Bytes != int64(len(input)) {
			t.Fatalf("stats bytes: got %d, want %d", got.stats.Bytes, len(input))
		}
		if typed || opts.MaxBadRows > 0 {
			return
		}
		oracle, oerr := oracleCSV(input)
		if got.err == nil {
			if oerr != nil {
				t.Fatalf("decoder succeeded, encoding/csv failed: %v\ninput %q", oerr, input)
			}
			var rows [][]string
			for _, r := range got.rows {
				row := make([]string, len(r))
				for i, v := range r {
					if v == null {
						v = ""
					}
					row[i] = strings.ReplaceAll(v, "\r\n", "\n")
				}
				rows = append(rows, row)
			}
			if !slices.EqualFunc(rows, oracle[1:], slices.Equal) {
				t.Fatalf("rows differ:\n got %q\nwant %q\ninput %q", rows, oracle[1:], input)
			}
			return
		}
		if oerr != nil {
			return
		}
		threeFields := true
		for _, r := range oracle {
			threeFields = threeFields && len(r) == 3
		}
		explained := errors.Is(got.err, ErrRagged) || errors.Is(got.err, ErrInvalidUTF8) ||
			(errors.Is(got.err, ErrBadValue) && bytes.IndexByte(data, 0) >= 0) || errors.Is(got.err, ErrHeaderMismatch)
		if threeFields && utf8.Valid(data) && !explained {
			t.Fatalf("decoder failed where encoding/csv did not: %v\ninput %q", got.err, input)
		}
	})
}

// FuzzOpenZip opens arbitrary bytes as a zip and reads its CSV entry: it
// must never panic or hang, whatever the archive claims.
func FuzzOpenZip(f *testing.F) {
	for _, name := range []string{"export.zip", "stored.zip", "bad_crc.zip", "truncated_cd.zip", "two_csv.zip", "escape.zip", "bomb.zip", "longer.zip"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// OpenZip minus os.Open, to keep executions fast.
		e, err := openZipReader(bytes.NewReader(data), int64(len(data)), func() error { return nil }, ZipLimits{MaxUncompressed: 8 << 20})
		if err != nil {
			return
		}
		defer e.Close()
		n, _ := io.Copy(io.Discard, e)
		if n > 8<<20 {
			t.Fatalf("read %d bytes, over the 8 MiB limit", n)
		}
	})
}
