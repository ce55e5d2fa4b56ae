package bench

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mbiload/mbiload/internal/atomicfile"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
	"golang.org/x/sync/errgroup"
)

// benchTable is the generated table every case loads.
const benchTable = "sales_order"

// multiTables is how many copies of the table the four-table case loads.
const multiTables = 4

// dataset is one generated sales_order table on disk, cached by (rows,
// seed): a zip holding sales_order.csv, its column metadata and, when asked
// for, the plain CSV. The directories and files are world-readable so that
// the server (the postgres user) can read the CSV itself.
type dataset struct {
	Rows, Seed int64
	Dir        string
	Zip        string
	CSV        string // "" when only the zip was asked for
	Columns    string
	ColumnList []schema.Column
	CSVBytes   int64 // uncompressed CSV
	ZipBytes   int64
	// Generated is how long generation took; 0 when it came from the cache.
	Generated time.Duration
}

// prepareDataset returns the data set of (rows, seed) under cacheDir,
// generating what is missing. Each file is written under a temporary name
// and renamed when complete, so an interrupted run never leaves a truncated
// file in the cache.
func prepareDataset(ctx context.Context, cacheDir string, rows, seed int64, withCSV bool) (*dataset, error) {
	tbl := magentogen.Find(magentogen.Warehouse(rows, seed), benchTable)
	if tbl == nil {
		return nil, fmt.Errorf("generator has no %s table", benchTable)
	}
	dir := filepath.Join(cacheDir, fmt.Sprintf("%s-%d-seed%d", benchTable, rows, seed))
	for _, d := range []string{cacheDir, dir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create cache directory: %w", err)
		}
		if err := os.Chmod(d, 0o755); err != nil {
			return nil, fmt.Errorf("make cache directory readable by the server: %w", err)
		}
	}
	ds := &dataset{
		Rows: rows, Seed: seed, Dir: dir, ColumnList: tbl.Columns,
		Zip:     filepath.Join(dir, benchTable+".zip"),
		Columns: filepath.Join(dir, benchTable+".columns.json"),
	}
	if withCSV {
		ds.CSV = filepath.Join(dir, benchTable+".csv")
	}
	cols, err := schema.MarshalColumns(tbl.Columns)
	if err != nil {
		return nil, fmt.Errorf("marshal columns: %w", err)
	}
	if err := atomicfile.Write(ds.Columns, 0o644, func(w io.Writer) error { _, err := w.Write(cols); return err }); err != nil {
		return nil, err
	}
	needZip, needCSV := !exists(ds.Zip), withCSV && !exists(ds.CSV)
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	if needZip {
		g.Go(func() error {
			return atomicfile.Write(ds.Zip, 0o644, func(w io.Writer) error { return tbl.WriteZip(gctx, w, benchTable+".csv") })
		})
	}
	if needCSV {
		g.Go(func() error {
			return atomicfile.Write(ds.CSV, 0o644, func(w io.Writer) error { return tbl.WriteCSV(gctx, w) })
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("generate %s of %d rows: %w", benchTable, rows, err)
	}
	if needZip || needCSV {
		ds.Generated = time.Since(start)
	}
	if ds.CSVBytes, ds.ZipBytes, err = zipSizes(ds.Zip); err != nil {
		return nil, err
	}
	if withCSV {
		fi, err := os.Stat(ds.CSV)
		if err != nil {
			return nil, fmt.Errorf("stat generated csv: %w", err)
		}
		if fi.Size() != ds.CSVBytes {
			return nil, fmt.Errorf("cached %s holds %d bytes, its zip %d: delete %s to regenerate", ds.CSV, fi.Size(), ds.CSVBytes, dir)
		}
	}
	return ds, nil
}

// multiDir makes a directory the simulator serves as four tables,
// sales_order_1 .. sales_order_4, each a hard link of the data set's CSV
// with its own copy of the column metadata, and returns the directory and
// the table names.
func (ds *dataset) multiDir() (string, []string, error) {
	if ds.CSV == "" {
		return "", nil, fmt.Errorf("multi-table directory: the data set has no CSV")
	}
	dir := filepath.Join(ds.Dir, "multi")
	if err := os.RemoveAll(dir); err != nil {
		return "", nil, fmt.Errorf("clear multi-table directory: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("create multi-table directory: %w", err)
	}
	cols, err := os.ReadFile(ds.Columns)
	if err != nil {
		return "", nil, fmt.Errorf("read columns: %w", err)
	}
	names := make([]string, multiTables)
	for i := range names {
		names[i] = benchTable + "_" + strconv.Itoa(i+1)
		if err := os.Link(ds.CSV, filepath.Join(dir, names[i]+".csv")); err != nil {
			return "", nil, fmt.Errorf("link table %s: %w", names[i], err)
		}
		if err := os.WriteFile(filepath.Join(dir, names[i]+".columns.json"), cols, 0o644); err != nil {
			return "", nil, fmt.Errorf("write columns of %s: %w", names[i], err)
		}
	}
	return dir, names, nil
}

// zipSizes returns the uncompressed size of the zip's one entry and the
// zip's size.
func zipSizes(path string) (csvBytes, zipBytes int64, err error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return 0, 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		return 0, 0, fmt.Errorf("zip %s: got %d entries, want 1", path, len(zr.File))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("stat %s: %w", path, err)
	}
	return int64(zr.File[0].UncompressedSize64), fi.Size(), nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
