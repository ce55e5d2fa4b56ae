package simulator

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// Table is one table of the simulated warehouse.
type Table struct {
	// ID is the table's id in the API; unique within a warehouse.
	ID schema.ID
	// Name is the table's name; unique within a warehouse.
	Name string
	// Columns is the column metadata served for the table, in CSV order.
	Columns []schema.Column
	// Rows is the number of data rows, or -1 when unknown (it is then
	// learned when the first export is built).
	Rows int64
	// WriteCSV writes the table's CSV (header row first) to w, honouring ctx.
	// Exports call it once (the compressed result is cached) and the figures
	// once more for sales_order; every call must write the same bytes.
	WriteCSV func(ctx context.Context, w io.Writer) error
}

// LoadDir reads a warehouse from dir: every "<table>.csv" is a table whose
// column metadata is "<table>.columns.json" beside it (the API's shape, see
// [schema.ReadColumnsFile]). Tables are sorted by name and numbered 1, 2, ...
// in that order, so ids are stable. The CSV bytes are served exactly as they
// are on disk; LoadDir counts their records once to know each row count.
func LoadDir(dir string) ([]Table, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read warehouse directory: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		names = append(names, strings.TrimSuffix(e.Name(), ".csv"))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no .csv files in %s", ErrNoTables, dir)
	}
	slices.Sort(names)
	tables := make([]Table, 0, len(names))
	for i, name := range names {
		t, err := loadTable(dir, name)
		if err != nil {
			return nil, err
		}
		t.ID = schema.ID(strconv.Itoa(i + 1))
		tables = append(tables, t)
	}
	return tables, nil
}

func loadTable(dir, name string) (Table, error) {
	csvPath := filepath.Join(dir, name+".csv")
	metaPath := filepath.Join(dir, name+".columns.json")
	if _, err := os.Stat(metaPath); err != nil {
		if os.IsNotExist(err) {
			return Table{}, fmt.Errorf("table %q: %w: %s not found", name, ErrNoMetadata, metaPath)
		}
		return Table{}, fmt.Errorf("table %q: stat column metadata: %w", name, err)
	}
	cols, err := schema.ReadColumnsFile(metaPath)
	if err != nil {
		return Table{}, fmt.Errorf("table %q: %w", name, err)
	}
	rows, err := countFileRows(csvPath)
	if err != nil {
		return Table{}, fmt.Errorf("table %q: %w", name, err)
	}
	return Table{Name: name, Columns: cols, Rows: rows, WriteCSV: fileWriter(csvPath)}, nil
}

func countFileRows(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open csv: %w", err)
	}
	defer f.Close()
	var c recordCounter
	buf := make([]byte, 256<<10)
	for {
		n, err := f.Read(buf)
		c.scan(buf[:n])
		if err == io.EOF {
			return c.rows(), nil
		}
		if err != nil {
			return 0, fmt.Errorf("read csv %s: %w", path, err)
		}
	}
}

// fileWriter returns a WriteCSV that copies the file at path.
func fileWriter(path string) func(ctx context.Context, w io.Writer) error {
	return func(ctx context.Context, w io.Writer) error {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open csv: %w", err)
		}
		defer f.Close()
		if _, err := io.Copy(w, ctxReader{ctx, f}); err != nil {
			return fmt.Errorf("copy %s: %w", path, err)
		}
		return nil
	}
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Combine merges table sets into one warehouse. A set whose ids do not
// collide with those of earlier sets keeps them; a set with a collision has
// its numeric ids shifted past the largest id so far (so [LoadDir]'s 1..n
// after [Generated]'s 1..5 become 6..n+5, in the same order), and any id
// still taken gets a fresh one. Two tables with the same name are an error.
func Combine(sets ...[]Table) ([]Table, error) {
	var all []Table
	names := map[string]bool{}
	ids := map[schema.ID]bool{}
	var maxID int64
	for _, set := range sets {
		collides := false
		for _, t := range set {
			if names[t.Name] {
				return nil, fmt.Errorf("%w: two tables named %q", ErrBadConfig, t.Name)
			}
			names[t.Name] = true
			collides = collides || ids[t.ID] || t.ID == ""
		}
		shift := int64(0)
		if collides {
			shift = maxID
		}
		for _, t := range set {
			if n, err := strconv.ParseInt(string(t.ID), 10, 64); err == nil && n > 0 {
				t.ID = schema.ID(strconv.FormatInt(n+shift, 10))
			}
			if t.ID == "" || ids[t.ID] {
				t.ID = schema.ID(strconv.FormatInt(maxID+1, 10))
			}
			if n, err := strconv.ParseInt(string(t.ID), 10, 64); err == nil {
				maxID = max(maxID, n)
			}
			ids[t.ID] = true
			all = append(all, t)
		}
	}
	return all, nil
}

// validateTables checks ids, names and writers of a warehouse.
func validateTables(tables []Table) error {
	ids := map[schema.ID]bool{}
	names := map[string]bool{}
	for i, t := range tables {
		switch {
		case t.ID == "" || strings.ContainsAny(string(t.ID), "/?#"):
			return fmt.Errorf("%w: table %d (%q) has an empty or unusable id %q", ErrBadConfig, i+1, t.Name, t.ID)
		case t.Name == "":
			return fmt.Errorf("%w: table %s has no name", ErrBadConfig, t.ID)
		case ids[t.ID]:
			return fmt.Errorf("%w: duplicate table id %s (use Combine)", ErrBadConfig, t.ID)
		case names[t.Name]:
			return fmt.Errorf("%w: duplicate table name %q", ErrBadConfig, t.Name)
		case t.WriteCSV == nil:
			return fmt.Errorf("%w: table %q has no WriteCSV", ErrBadConfig, t.Name)
		}
		ids[t.ID] = true
		names[t.Name] = true
	}
	return nil
}
