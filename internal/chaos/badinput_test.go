//go:build chaos

package chaos

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// badFile is a broken fixture in testdata and what the error must say.
type badFile struct {
	file, fault string
	want        []string // in the output, case-insensitive
}

// The defect of every CSV fixture is at line 90 (testdata/gen).
var badCSVs = []badFile{
	{"ragged.csv", "CSV: ragged row", []string{"line 90", "wrong number of fields"}},
	{"unterminated_quote.csv", "CSV: unterminated quote", []string{"line 90", `column "email"`, "never closed"}},
	{"invalid_utf8.csv", "CSV: invalid UTF-8", []string{"line 90", `column "firstname"`, "utf-8"}},
	{"bad_value.csv", "CSV: value not of its type (1x in an integer column)", []string{"line 90", `column "website_id"`, "1x"}},
	{"overflow.csv", "CSV: value too large for its type", []string{"line 90", `column "group_id"`, "99999999999999999999"}},
	{"null_in_not_null.csv", "CSV: NULL in a NOT NULL column", []string{"line 90", `column "group_id"`, "null"}},
	{"bad_header.csv", "CSV: header does not match the metadata", []string{"header", "e_mail"}},
}

var badZips = []badFile{
	{"bad_crc.zip", "zip: bad CRC", []string{"checksum"}},
	{"truncated_cd.zip", "zip: truncated central directory", []string{"corrupt zip"}},
	{"no_csv.zip", "zip: no CSV entry", []string{"no csv"}},
	{"two_csv.zip", "zip: two CSV entries", []string{"several csv"}},
	{"dotdot.zip", "zip: a ../ entry", []string{"escapes"}},
	{"bomb.zip", "zip: decompression bomb (64 MiB in 64 KiB)", []string{"decompression limits"}},
}

// customers is the good data the broken fixtures are made from (v1, seed
// 1) and a second version (v2, seed 2), as CSV and zip files, with their
// references.
type customers struct {
	cols         string // the columns file
	v1, v2       string // CSV files
	v1zip, v2zip string
	refV1, refV2 *version
	colsList     []schema.Column
}

var (
	custOnce sync.Once
	cust     *customers
)

// customerData writes the two good versions once per suite run.
func customerData(t *testing.T) *customers {
	t.Helper()
	custOnce.Do(func() {
		dir := filepath.Join(st.root, "customers")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("create %s: %v", dir, err)
		}
		c := &customers{cols: mustAbs(t, "testdata/customers.columns.json")}
		for i, seed := range []int64{1, 2} {
			g := magentogen.Find(magentogen.Warehouse(400, seed), "customer_entity")
			path := filepath.Join(dir, "v"+strconv.Itoa(i+1)+".csv")
			f, err := os.Create(path)
			if err != nil {
				t.Fatalf("create %s: %v", path, err)
			}
			err = g.WriteCSV(context.Background(), f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatalf("write %s: %v", path, err)
			}
			if i == 0 {
				c.v1, c.colsList = path, g.Columns
			} else {
				c.v2 = path
			}
		}
		c.v1zip = mustZipFile(t, c.v1, filepath.Join(dir, "v1.zip"))
		c.v2zip = mustZipFile(t, c.v2, filepath.Join(dir, "v2.zip"))
		c.refV1 = st.fromFiles(t, "customers v1", []fileTable{{source: "customers", cols: c.colsList, csv: c.v1, target: "customers"}})
		c.refV2 = st.fromFiles(t, "customers v2", []fileTable{{source: "customers", cols: c.colsList, csv: c.v2, target: "customers"}})
		cust = c
	})
	if cust == nil {
		t.Fatalf("customer data could not be prepared (see the first test that tried)")
	}
	return cust
}

// loadFile runs `mbiload load-file` of path into the table customers.
func (sc *scn) loadFile(c *customers, path string, extra ...string) result {
	sc.t.Helper()
	args := append([]string{"load-file", "--progress", "plain", "--table", "customers", "--columns", c.cols}, extra...)
	return sc.run(sc.env(nil), append(args, path)...)
}

// TestBadFiles loads each broken fixture with `mbiload load-file` (the
// CSV ones also zipped) over a published version: the load must fail with
// a message naming the table and, for a row, its line and column; the
// published table must be intact; the next clean load must succeed.
func TestBadFiles(t *testing.T) {
	c := customerData(t)
	type tcase struct {
		name string
		bad  badFile
		path string
	}
	var cases []tcase
	for _, b := range badCSVs {
		cases = append(cases, tcase{"csv_" + b.file, b, mustAbs(t, "testdata/"+b.file)})
		cases = append(cases, tcase{"zipped_" + b.file, b, ""})
	}
	for _, b := range badZips {
		cases = append(cases, tcase{b.file, b, mustAbs(t, "testdata/"+b.file)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScn(t, kindFailSafe, tc.bad.fault)
			path := tc.path
			if path == "" {
				path = mustZipFile(t, mustAbs(t, "testdata/"+tc.bad.file), filepath.Join(sc.dir, "customers.zip"))
			}
			sc.expectOK(sc.loadFile(c, c.v1zip))
			sc.expectVersion(c.refV1)

			r := sc.loadFile(c, path)
			sc.expectFailure(r, append([]string{"customers"}, tc.bad.want...)...)
			sc.expectPrevOrNew(c.refV1, c.refV1)
			sc.expectNoDebris()
			sc.expectNoTempFiles()

			sc.expectOK(sc.loadFile(c, c.v2))
			sc.expectVersion(c.refV2)
		})
	}
}

// TestBadCSVSync serves each broken CSV from a `simulate --dir` warehouse
// and syncs it over a published good version: the table fails with the
// same clear message, keeps its published version, and the next clean
// sync loads the new version.
func TestBadCSVSync(t *testing.T) {
	c := customerData(t)
	base := newBase(t)
	dirs := map[string]string{}
	for _, v := range []string{"good1", "bad", "good2"} {
		dir := filepath.Join(base.dir, v)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("create %s: %v", dir, err)
		}
		for _, b := range badCSVs {
			name := b.file[:len(b.file)-len(".csv")]
			src := map[string]string{"good1": c.v1, "good2": c.v2, "bad": mustAbs(t, "testdata/"+b.file)}[v]
			mustCopy(t, src, filepath.Join(dir, name+".csv"))
			mustCopy(t, c.cols, filepath.Join(dir, name+".columns.json"))
		}
		dirs[v] = dir
	}
	sims := map[string]*sim{}
	for v, dir := range dirs {
		sims[v] = base.startSim(simArgs{dirs: []string{dir}})
	}
	for _, b := range badCSVs {
		name := b.file[:len(b.file)-len(".csv")]
		t.Run(name, func(t *testing.T) {
			sc := base.sub(t, kindFailSafe, b.fault)
			v1 := &version{name: "customers v1", tables: []refTable{{source: name, target: name, ref: c.refV1.tables[0].ref, rows: c.refV1.tables[0].rows}}}
			v2 := &version{name: "customers v2", tables: []refTable{{source: name, target: name, ref: c.refV2.tables[0].ref, rows: c.refV2.tables[0].rows}}}
			sc.expectOK(sc.sync(sims["good1"], "--tables", name))
			sc.expectVersion(v1)

			r := sc.sync(sims["bad"], "--tables", name)
			sc.expectFailure(r, append([]string{name}, b.want...)...)
			sc.expectPrevOrNew(v1, v1)
			sc.expectNoDebris()
			sc.expectNoTempFiles()

			sc.expectOK(sc.sync(sims["good2"], "--tables", name))
			sc.expectVersion(v2)
		})
	}
}

// mustZipFile zips the file src as one entry "customers.csv" into dst.
func mustZipFile(t testing.TB, src, dst string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read %s: %v", src, err)
	}
	f, err := os.Create(dst)
	if err != nil {
		t.Fatalf("create %s: %v", dst, err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.Create("customers.csv")
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("write %s: %v", dst, err)
	}
	return dst
}

func mustCopy(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read %s: %v", src, err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatalf("write %s: %v", dst, err)
	}
}

func mustAbs(t testing.TB, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatalf("abs %s: %v", path, err)
	}
	return abs
}
