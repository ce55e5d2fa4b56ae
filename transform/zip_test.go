package transform

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zip"
)

const fixtureCSV = "id,name,grand_total\r\n1,\"a, \"\"quoted\"\"\r\nname\",12.5000\r\n2,,\r\n3,\"\",-0.0100\r\n"

func TestOpenZip(t *testing.T) {
	tests := []struct {
		file    string
		lim     ZipLimits
		openErr error  // from OpenZip
		readErr error  // from reading the entry to EOF
		name    string // entry name when it opens
		msg     string
	}{
		{file: "export.zip", name: "sales_order 2026-11-26.csv"},
		{file: "stored.zip", name: "export.csv"},
		{file: "bad_crc.zip", readErr: ErrChecksum, msg: `entry "export.csv"`},
		{file: "truncated_cd.zip", openErr: ErrCorruptZip},
		{file: "no_csv.zip", openErr: ErrNoCSV},
		{file: "two_csv.zip", openErr: ErrMultipleCSV, msg: `"a.csv", "b/b.CSV"`},
		{file: "escape.zip", openErr: ErrUnsafePath, msg: `"../evil.csv"`},
		{file: "bomb.zip", openErr: ErrZipBomb, msg: "declares 107374182400 bytes"},
		{file: "export.zip", lim: ZipLimits{MaxUncompressed: 10}, openErr: ErrZipBomb},
		{file: "ratio.zip", lim: ZipLimits{MaxRatio: 100}, openErr: ErrZipBomb, msg: "ratio limit 100"},
		{file: "ratio.zip", name: "export.csv"},
		{file: "longer.zip", readErr: ErrTruncated, msg: "more than the declared 20 bytes"},
		{file: "shorter.zip", readErr: ErrTruncated},
		{file: "corrupt_data.zip", readErr: ErrCorruptZip},
		{file: "bzip2.zip", openErr: ErrUnsupportedMethod},
		{file: "encrypted.zip", openErr: ErrUnsupportedMethod, msg: "encrypted"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e, err := OpenZip(filepath.Join("testdata", tt.file), tt.lim)
			if tt.openErr != nil {
				if !errors.Is(err, tt.openErr) {
					t.Fatalf("OpenZip: got %v, want %v", err, tt.openErr)
				}
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("message: got %q, want it to contain %q", err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenZip: got %v, want no error", err)
			}
			defer e.Close()
			data, err := io.ReadAll(e)
			if tt.readErr != nil {
				if !errors.Is(err, tt.readErr) {
					t.Fatalf("read: got %v, want %v", err, tt.readErr)
				}
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("message: got %q, want it to contain %q", err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("read: got %v, want no error", err)
			}
			if e.Name != tt.name || e.Size != int64(len(data)) {
				t.Errorf("entry: got %q size %d, want %q size %d", e.Name, e.Size, tt.name, len(data))
			}
			if tt.file != "ratio.zip" && string(data) != fixtureCSV {
				t.Errorf("data: got %q, want %q", data, fixtureCSV)
			}
		})
	}
}

// writeZip writes a zip with the given entries (name → data) to a temp file.
func writeZip(t testing.TB, names ...string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Unix(0, 0)})
		if err != nil {
			t.Fatalf("create %q: %v", n, err)
		}
		io.WriteString(w, "a\n1\n")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "x.zip")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenZipNames(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		wantErr error
		want    string
	}{
		{name: "absolute", entries: []string{"/etc/x.csv"}, wantErr: ErrUnsafePath},
		{name: "backslash", entries: []string{`..\x.csv`}, wantErr: ErrUnsafePath},
		{name: "drive letter", entries: []string{"C:x.csv"}, wantErr: ErrUnsafePath},
		{name: "dot dot inside", entries: []string{"a/../../x.csv"}, wantErr: ErrUnsafePath},
		{name: "escape in an ignored entry", entries: []string{"x.csv", "../readme.txt"}, wantErr: ErrUnsafePath},
		{name: "nested csv", entries: []string{"dir/", "dir/x.csv"}, want: "dir/x.csv"},
		{name: "upper case extension", entries: []string{"X.CSV"}, want: "X.CSV"},
		{name: "macosx and dot files ignored", entries: []string{"__MACOSX/x.csv", "dir/.x.csv", "y.csv"}, want: "y.csv"},
		{name: "dots in a name are fine", entries: []string{"a..b.csv"}, want: "a..b.csv"},
		{name: "empty zip", entries: nil, wantErr: ErrNoCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := OpenZip(writeZip(t, tt.entries...), ZipLimits{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			defer e.Close()
			if e.Name != tt.want {
				t.Errorf("entry: got %q, want %q", e.Name, tt.want)
			}
		})
	}
}

func TestOpenZipErrors(t *testing.T) {
	if _, err := OpenZip(filepath.Join(t.TempDir(), "missing.zip"), ZipLimits{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want ErrNotExist", err)
	}
	p := filepath.Join(t.TempDir(), "not.zip")
	os.WriteFile(p, []byte("id,name\n1,2\n"), 0o600)
	if _, err := OpenZip(p, ZipLimits{}); !errors.Is(err, ErrCorruptZip) {
		t.Errorf("not a zip: got %v, want ErrCorruptZip", err)
	}
	for _, lim := range []ZipLimits{{MaxUncompressed: -1}, {MaxRatio: -2}} {
		if _, err := OpenZip(p, lim); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("limits %+v: got %v, want ErrInvalidOptions", lim, err)
		}
	}
}

// TestVerifyReaderRatio checks the ratio limit while reading, for an entry
// whose declared sizes passed.
func TestVerifyReaderRatio(t *testing.T) {
	data := bytes.Repeat([]byte("0\n"), 2<<20)
	v := &verifyReader{
		r: bytes.NewReader(data), name: "x.csv", crc: crc32.ChecksumIEEE(data), size: uint64(len(data)),
		compressed: 1000, lim: ZipLimits{MaxUncompressed: 1 << 40, MaxRatio: 1000},
	}
	_, err := io.Copy(io.Discard, v)
	if !errors.Is(err, ErrZipBomb) {
		t.Errorf("got %v, want ErrZipBomb", err)
	}
	v = &verifyReader{
		r: bytes.NewReader(data), name: "x.csv", crc: crc32.ChecksumIEEE(data), size: uint64(len(data)),
		compressed: 1000, lim: ZipLimits{MaxUncompressed: 1 << 20, MaxRatio: 1e9},
	}
	if _, err := io.Copy(io.Discard, v); !errors.Is(err, ErrZipBomb) {
		t.Errorf("size: got %v, want ErrZipBomb", err)
	}
}

// TestDecodeZip runs the whole path: zip on disk → entry → decoder.
func TestDecodeZip(t *testing.T) {
	e, err := OpenZip(filepath.Join("testdata", "export.zip"), ZipLimits{})
	if err != nil {
		t.Fatalf("OpenZip: %v", err)
	}
	defer e.Close()
	got := decodeReader(t, threeCols(t), e, Options{})
	if got.err != nil {
		t.Fatalf("decode: %v", got.err)
	}
	want := `"1|a, \"quoted\"\r\nname|12.5000" "2|<NULL>|<NULL>" "3||-0.0100" `
	if rowsString(got.rows) != want {
		t.Errorf("rows: got %s, want %s", rowsString(got.rows), want)
	}

	e2, err := OpenZip(filepath.Join("testdata", "bad_crc.zip"), ZipLimits{})
	if err != nil {
		t.Fatalf("OpenZip: %v", err)
	}
	defer e2.Close()
	if got := decodeReader(t, threeCols(t), e2, Options{}); !errors.Is(got.err, ErrChecksum) || len(got.rows) != 0 {
		t.Errorf("bad crc: got %d rows, %v; want no rows and ErrChecksum", len(got.rows), got.err)
	}
}

func TestOpenZipSymlink(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	fh := &zip.FileHeader{Name: "export.csv", Method: zip.Store}
	fh.SetMode(os.ModeSymlink | 0o777)
	w, err := zw.CreateHeader(fh)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "/etc/passwd")
	zw.Close()
	p := filepath.Join(t.TempDir(), "link.zip")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenZip(p, ZipLimits{}); !errors.Is(err, ErrUnsafePath) {
		t.Errorf("got %v, want ErrUnsafePath", err)
	}
}
