// Command gen writes the transform package's test fixtures: small CSV files,
// broken and valid zips, and the fuzz seed corpora under testdata/fuzz. Run
// it from the package directory with `go generate` (see ../../generate.go);
// the output is deterministic and committed.
package main

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zip"
)

// modified is the fixed modification time of every zip entry.
var modified = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)

// goodCSV is a three-column sales_order extract (id, name, grand_total).
const goodCSV = "id,name,grand_total\r\n1,\"a, \"\"quoted\"\"\r\nname\",12.5000\r\n2,,\r\n3,\"\",-0.0100\r\n"

var csvFixtures = map[string]string{
	"bom_crlf.csv":           "\xef\xbb\xbf" + goodCSV,
	"reordered.csv":          "name,grand_total,id\nx,1,1\ny,2.25,2\n",
	"ragged.csv":             "id,name,grand_total\n1,a,1\n2,b,2\n3,c\n4,d,4\n",
	"bare_quote.csv":         "id,name,grand_total\n1,a,1\n2,5\" screen,2\n",
	"text_after_quote.csv":   "id,name,grand_total\n1,\"a\" b,1\n",
	"unterminated_quote.csv": "id,name,grand_total\n1,a,1\n2,\"b,2\n3,c,3\n",
	"invalid_utf8.csv":       "id,name,grand_total\n1,a,1\n2,\"multi\nline\",2\n3,caf\xe9,3\n",
}

// entry describes one zip entry; the override fields forge a broken one.
type entry struct {
	name     string
	data     []byte
	method   uint16
	crc      *uint32 // declared CRC-32 instead of the real one
	size     *uint64 // declared uncompressed size instead of the real one
	flags    uint16
	rawBytes []byte // compressed bytes to store instead of compressing data
}

func u32(v uint32) *uint32 { return &v }
func u64(v uint64) *uint64 { return &v }

func deflate(data []byte) []byte {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func buildZip(entries ...entry) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		fh := &zip.FileHeader{Name: e.name, Method: e.method, Modified: modified, Flags: e.flags}
		if strings.HasSuffix(e.name, "/") {
			fh.SetMode(0o755 | os.ModeDir)
			if _, err := zw.CreateHeader(fh); err != nil {
				log.Fatal(err)
			}
			continue
		}
		forged := e.crc != nil || e.size != nil || e.rawBytes != nil || e.flags != 0
		if !forged {
			w, err := zw.CreateHeader(fh)
			if err != nil {
				log.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		comp := e.rawBytes
		if comp == nil {
			comp = e.data
			if e.method == zip.Deflate {
				comp = deflate(e.data)
			}
		}
		fh.CRC32 = crc32.ChecksumIEEE(e.data)
		if e.crc != nil {
			fh.CRC32 = *e.crc
		}
		fh.UncompressedSize64 = uint64(len(e.data))
		if e.size != nil {
			fh.UncompressedSize64 = *e.size
		}
		fh.CompressedSize64 = uint64(len(comp))
		w, err := zw.CreateRaw(fh)
		if err != nil {
			log.Fatal(err)
		}
		w.Write(comp)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	return b.Bytes()
}

func zipFixtures() map[string][]byte {
	good := []byte(goodCSV)
	exportName := "sales_order 2026-11-26.csv"
	export := buildZip(
		entry{name: "__MACOSX/"},
		entry{name: "__MACOSX/._" + exportName, data: []byte("resource fork")},
		entry{name: ".hidden.csv", data: []byte("x\n")},
		entry{name: "docs/"},
		entry{name: "docs/readme.txt", data: []byte("not a csv"), method: zip.Deflate},
		entry{name: exportName, data: good, method: zip.Deflate},
	)
	// Cut the archive inside its central directory (the end record goes too).
	cdStart := bytes.LastIndex(export, []byte("PK\x01\x02"))
	truncated := export[:cdStart+20]

	var zeros bytes.Buffer
	zeros.WriteString("id,name,grand_total\n")
	for zeros.Len() < 4<<20 {
		zeros.WriteString("1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,1\n")
	}
	return map[string][]byte{
		"export.zip":       export,
		"stored.zip":       buildZip(entry{name: "export.csv", data: good, method: zip.Store}),
		"bad_crc.zip":      buildZip(entry{name: "export.csv", data: good, method: zip.Deflate, crc: u32(crc32.ChecksumIEEE(good) ^ 0x5a5a)}),
		"truncated_cd.zip": truncated,
		"no_csv.zip":       buildZip(entry{name: "readme.txt", data: []byte("hi"), method: zip.Deflate}, entry{name: "data.json", data: []byte("[]")}),
		"two_csv.zip":      buildZip(entry{name: "a.csv", data: good, method: zip.Deflate}, entry{name: "b/b.CSV", data: good, method: zip.Deflate}),
		"escape.zip":       buildZip(entry{name: "export.csv", data: good, method: zip.Deflate}, entry{name: "../evil.csv", data: good, method: zip.Deflate}),
		"bomb.zip":         buildZip(entry{name: "export.csv", data: good, method: zip.Deflate, size: u64(100 << 30)}),
		"ratio.zip":        buildZip(entry{name: "export.csv", data: zeros.Bytes(), method: zip.Deflate}),
		"longer.zip":       buildZip(entry{name: "export.csv", data: good, method: zip.Deflate, size: u64(20)}),
		"shorter.zip":      buildZip(entry{name: "export.csv", data: good, method: zip.Deflate, size: u64(uint64(len(good)) + 10)}),
		"corrupt_data.zip": buildZip(entry{name: "export.csv", data: good, method: zip.Deflate, rawBytes: []byte("\xff\xff\xff garbage")}),
		"bzip2.zip":        buildZip(entry{name: "export.csv", data: good, method: 12, rawBytes: []byte("BZh91AY&SY")}),
		"encrypted.zip":    buildZip(entry{name: "export.csv", data: good, method: zip.Store, flags: 0x1}),
	}
}

// Seeds for the fuzz targets (the targets add the same inline).
var csvSeeds = []string{
	"a,b\n1,2\n",
	"a,b\r\n1,2\r\n",
	"\"a,b\",\"c\"\"d\"\n\"e\nf\",g\n",
	"\"a\r\nb\",c\r\n",
	",,\n\"\",\"\"\n",
	"a\n\nb\n\n\n",
	"a\"b,c\n",
	"\"a\"b,c\n",
	"\"unterminated\n",
	"\xef\xbb\xbfh\n1\n",
	"1,\"x\",2.5\n2,,\n3,\"y\nz\",-1e3\n",
}

func corpusFile(args ...string) []byte {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		b.WriteString(a)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func write(path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func main() {
	for name, data := range csvFixtures {
		write(filepath.Join("testdata", name), []byte(data))
	}
	zips := zipFixtures()
	for name, data := range zips {
		write(filepath.Join("testdata", name), data)
	}
	for i, s := range csvSeeds {
		write(filepath.Join("testdata", "fuzz", "FuzzScan", fmt.Sprintf("seed%02d", i)),
			corpusFile(fmt.Sprintf("[]byte(%q)", s), fmt.Sprintf("uint16(%d)", i*7)))
		write(filepath.Join("testdata", "fuzz", "FuzzDecode", fmt.Sprintf("seed%02d", i)),
			corpusFile(fmt.Sprintf("[]byte(%q)", s), fmt.Sprintf("byte(%d)", i), fmt.Sprintf("bool(%v)", i%2 == 0)))
	}
	for i, s := range []string{"0", "-1.5e3", ".5", "12.34567", "1e-3", "99999999.9999", "+007.50", "1e1000", "-0e5"} {
		write(filepath.Join("testdata", "fuzz", "FuzzDecimal", fmt.Sprintf("seed%02d", i)),
			corpusFile(fmt.Sprintf("string(%q)", s), fmt.Sprintf("byte(%d)", 11+i*9), fmt.Sprintf("byte(%d)", i)))
	}
	for name, data := range zips {
		if len(data) > 64<<10 {
			continue
		}
		write(filepath.Join("testdata", "fuzz", "FuzzOpenZip", strings.TrimSuffix(name, ".zip")),
			corpusFile(fmt.Sprintf("[]byte(%q)", data)))
	}
}
