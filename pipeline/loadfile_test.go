package pipeline

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// fileEnv is a loader and a runner on fresh schemas, without an API.
func fileEnv(t *testing.T) *env {
	t.Helper()
	pool := pgtest.Pool(t)
	e := &env{pool: pool, target: pgtest.Schema(t, pool), ledger: pgtest.Schema(t, pool), ref: pgtest.Schema(t, pool)}
	e.loader = e.newLoader(t, load.Config{})
	e.runner = &Runner{Loader: e.loader, Log: testLogger(t)}
	return e
}

// TestLoadFile loads the same table from a zip and from a plain CSV, each
// under the other's extension (the kind is told by the content): both
// equal the reference. Loading a file again is skipped; a corrupt zip
// fails and leaves the table as it was.
func TestLoadFile(t *testing.T) {
	t.Parallel()
	e := fileEnv(t)
	ctx := context.Background()
	gen := magentogen.Find(magentogen.Warehouse(500, 3), "sales_order")
	var csvData, zipData bytes.Buffer
	if err := gen.WriteCSV(ctx, &csvData); err != nil {
		t.Fatal(err)
	}
	if err := gen.WriteZip(ctx, &zipData, "sales_order 2026-11-27 02:00:00.csv"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zipPath := mustWriteFile(t, dir, "sales_order.csv", zipData.Bytes())
	csvPath := mustWriteFile(t, dir, "sales_order.zip", csvData.Bytes())
	resolve := func(name string) *schema.Table {
		tbl, err := schema.NewTable(gen.ID, gen.Name, gen.Columns, schema.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tbl.Name = name
		return tbl
	}
	ref := e.mustRef(t, resolve("x"), "ref", csvData.Bytes())
	opts := Options{}

	for _, f := range []struct{ path, table string }{{zipPath, "from_zip"}, {csvPath, "from_csv"}} {
		tr, err := e.runner.LoadFile(ctx, opts, FileJob{Path: f.path, Table: resolve(f.table)})
		if err != nil || tr.Status != StatusLoaded {
			t.Fatalf("LoadFile %s: got %q, %v", f.table, tr.Status, err)
		}
		if tr.Durations.Total <= 0 || tr.Durations.Load <= 0 || tr.FinishedAt.IsZero() {
			t.Errorf("%s: got durations %+v, finished at %v; want them set", f.table, tr.Durations, tr.FinishedAt)
		}
		if tr.RowsLoaded != gen.Rows || tr.Kind != "file" || tr.TargetTable != f.table || tr.Bytes <= 0 {
			t.Errorf("%s: got %d rows, kind %q, target %q, %d bytes; want %d rows of a file into %s",
				f.table, tr.RowsLoaded, tr.Kind, tr.TargetTable, tr.Bytes, gen.Rows, f.table)
		}
		mustSameRows(t, e.pool, f.table, "TABLE "+schema.Quote(e.target, f.table), "TABLE "+ref)
	}

	loads := e.ledgerCount(t, "")
	tr, err := e.runner.LoadFile(ctx, opts, FileJob{Path: zipPath, Table: resolve("from_zip")})
	if err != nil || tr.Status != StatusSkipped {
		t.Errorf("LoadFile again: got %q, %v; want skipped", tr.Status, err)
	}
	if got := e.ledgerCount(t, ""); got != loads {
		t.Errorf("ledger rows after a skipped load: got %d, want %d", got, loads)
	}

	corrupt := mustWriteFile(t, dir, "corrupt.zip", zipData.Bytes()[:zipData.Len()/2])
	tr, err = e.runner.LoadFile(ctx, opts, FileJob{Path: corrupt, Table: resolve("from_zip")})
	if err == nil || tr.Status != StatusFailed || !strings.Contains(tr.Error, "zip") {
		t.Errorf("LoadFile of a corrupt zip: got %q, %v; want failed with an error about the zip", tr.Status, err)
	}
	mustSameRows(t, e.pool, "after the corrupt zip", "TABLE "+schema.Quote(e.target, "from_zip"), "TABLE "+ref)

	missing := dir + "/missing.zip"
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("missing.zip exists")
	}
	tr, err = e.runner.LoadFile(ctx, opts, FileJob{Path: missing, Table: resolve("from_zip")})
	if err == nil || tr.Status != StatusFailed || !strings.Contains(err.Error(), "missing.zip") {
		t.Errorf("LoadFile of a missing file: got %q, %v; want failed naming the file", tr.Status, err)
	}
}
