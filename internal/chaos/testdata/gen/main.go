// Command gen writes the chaos suite's broken fixtures: a customer table
// (magentogen's customer_entity: 100 rows, seed 1) as CSV files with one
// defect at line 90, zips broken in each way the suite tests, and the
// table's column metadata. Run `go generate ./internal/chaos` (see
// ../../doc.go); the output is deterministic and committed.
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// modified is the fixed modification time of every zip entry.
var modified = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

// badLine is the line (1-based, the header is line 1) that holds the defect.
const badLine = 90

func main() {
	if err := run("testdata"); err != nil {
		log.Fatal(err)
	}
}

func run(dir string) error {
	tbl := magentogen.Find(magentogen.Warehouse(400, 1), "customer_entity")
	var buf bytes.Buffer
	if err := tbl.WriteCSV(context.Background(), &buf); err != nil {
		return err
	}
	good := buf.String()
	cols, err := schema.MarshalColumns(tbl.Columns)
	if err != nil {
		return err
	}
	files := map[string][]byte{"customers.columns.json": append(cols, '\n')}

	lines := strings.SplitAfter(good, "\n")
	header := strings.Split(strings.TrimSuffix(lines[0], "\n"), ",")
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		log.Fatalf("no column %q", name)
		return -1
	}
	// withField replaces one field of the bad line (fields there hold no
	// quoted commas before the ones replaced).
	withField := func(name, value string) string {
		out := append([]string(nil), lines...)
		f := strings.Split(strings.TrimSuffix(out[badLine-1], "\n"), ",")
		f[col(name)] = value
		out[badLine-1] = strings.Join(f, ",") + "\n"
		return strings.Join(out, "")
	}
	withLine := func(line string) string {
		out := append([]string(nil), lines...)
		out[badLine-1] = line
		return strings.Join(out, "")
	}
	files["ragged.csv"] = []byte(withLine("90,1\n"))
	files["unterminated_quote.csv"] = []byte(withField("email", `"never.closed@example.com`))
	files["invalid_utf8.csv"] = []byte(withField("firstname", "Jos\xe9\xff"))
	files["bad_value.csv"] = []byte(withField("website_id", "1x"))
	files["overflow.csv"] = []byte(withField("group_id", "99999999999999999999"))
	files["null_in_not_null.csv"] = []byte(withField("group_id", ""))
	files["bad_header.csv"] = []byte(strings.Replace(good, "email", "e_mail", 1))

	csvName := "customers 2026-11-27 02:00:00.csv"
	files["bad_crc.zip"] = mustZip(entry{name: csvName, data: []byte(good), corruptCRC: true})
	okZip := mustZip(entry{name: csvName, data: []byte(good)})
	files["truncated_cd.zip"] = okZip[:len(okZip)-30]
	files["no_csv.zip"] = mustZip(entry{name: "README.txt", data: []byte("no data here\n")})
	files["two_csv.zip"] = mustZip(entry{name: csvName, data: []byte(good)}, entry{name: "other.csv", data: []byte(good)})
	files["dotdot.zip"] = mustZip(entry{name: "../customers.csv", data: []byte(good)})
	// 64 MiB of one field: deflate shrinks it about 1000 times.
	bomb := lines[0] + strings.Repeat("0", 64<<20) + "\n"
	files["bomb.zip"] = mustZip(entry{name: csvName, data: []byte(bomb)})

	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// entry is one zip entry; corruptCRC stores it uncompressed with a wrong
// CRC-32 in both headers.
type entry struct {
	name       string
	data       []byte
	corruptCRC bool
}

func mustZip(entries ...entry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, e := range entries {
		if e.corruptCRC {
			h := &zip.FileHeader{Name: e.name, Method: zip.Store, Modified: modified,
				CRC32:            crc32.ChecksumIEEE(e.data) ^ 0xdeadbeef,
				CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data))}
			w, err := zw.CreateRaw(h)
			if err != nil {
				log.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			log.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			log.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		log.Fatal(fmt.Errorf("close zip: %w", err))
	}
	return buf.Bytes()
}
