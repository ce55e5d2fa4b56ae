package transform

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// sampleDir holds real Magento CSV exports with their column metadata,
// shared beside the repository (never copied into it).
const sampleDir = "../../shared/data/magento-sample"

// TestMagentoSample decodes every sample CSV with its .columns.json and
// checks the row counts from the sample's README and every value against
// the raw CSV as encoding/csv reads it, NULL (unquoted empty) and the empty
// string (quoted) told apart.
func TestMagentoSample(t *testing.T) {
	wantRows := map[string]int{
		"products": 1994, "products_reviews": 500, "products_gear_bags": 14, "pages": 4,
		"sales_rules": 4, "orders": 2, "customer_profile": 1, "tax_rate": 1,
	}
	files, err := filepath.Glob(filepath.Join(sampleDir, "*.csv"))
	if err != nil || len(files) != len(wantRows) {
		t.Fatalf("sample files in %s: got %d (%v), want %d", sampleDir, len(files), err, len(wantRows))
	}
	nulls, empties := 0, 0
	defer func() {
		if nulls == 0 || empties == 0 {
			t.Errorf("sample exercised %d NULLs and %d empty strings, want both", nulls, empties)
		}
	}()
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		t.Run(name, func(t *testing.T) {
			cols, err := schema.ReadColumnsFile(strings.TrimSuffix(path, ".csv") + ".columns.json")
			if err != nil {
				t.Fatalf("ReadColumnsFile: %v", err)
			}
			tb, err := schema.NewTable("", name, cols, schema.Options{})
			if err != nil {
				t.Fatalf("NewTable: %v", err)
			}
			e, err := OpenCSV(path)
			if err != nil {
				t.Fatalf("OpenCSV: %v", err)
			}
			defer e.Close()
			got := decodeReader(t, tb, e, Options{BatchRows: 500})
			if got.err != nil {
				t.Fatalf("decode: %v", got.err)
			}
			if len(got.rows) != wantRows[name] || got.stats.Rows != int64(wantRows[name]) {
				t.Fatalf("rows: got %d (stats %d), want %d", len(got.rows), got.stats.Rows, wantRows[name])
			}
			raw, quoted := mustReadRawCSV(t, path)
			if len(raw) != len(got.rows)+1 {
				t.Fatalf("encoding/csv records: got %d, want %d", len(raw), len(got.rows)+1)
			}
			colOf := make([]int, len(raw[0]))
			for i, h := range raw[0] {
				if colOf[i] = tb.FieldIndex(h); colOf[i] < 0 {
					t.Fatalf("header %q not in metadata", h)
				}
			}
			checked := 0
			for r, rec := range raw[1:] {
				for i, v := range rec {
					j := colOf[i]
					if err := sameValue(tb.Fields[j].Type, v, quoted[r+1][i], got.rows[r][j]); err != nil {
						t.Fatalf("row %d column %q: %v", r+1, tb.Fields[j].Source.Name, err)
					}
					checked++
					switch {
					case got.rows[r][j] == null:
						nulls++
					case got.rows[r][j] == "":
						empties++
					}
				}
			}
			if want := len(got.rows) * len(tb.Fields); checked != want {
				t.Errorf("values checked: got %d, want %d", checked, want)
			}
		})
	}
}

// mustReadRawCSV reads a CSV with encoding/csv and reports which fields
// were quoted, from each field's position in the raw bytes.
func mustReadRawCSV(t testing.TB, path string) ([][]string, [][]bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lineStart := []int{0}
	for i, c := range data {
		if c == '\n' {
			lineStart = append(lineStart, i+1)
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	var recs [][]string
	var quoted [][]bool
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, quoted
		}
		if err != nil {
			t.Fatalf("encoding/csv: %v", err)
		}
		q := make([]bool, len(rec))
		for i := range rec {
			line, column := r.FieldPos(i)
			at := lineStart[line-1] + column - 1
			q[i] = at < len(data) && data[at] == '"'
		}
		recs = append(recs, rec)
		quoted = append(quoted, q)
	}
}

// sameValue checks a decoded value against the raw field, parsing the raw
// text with the standard library rather than the decoder's parsers.
func sameValue(typ schema.Type, raw string, quoted bool, got string) error {
	mismatch := func() error { return errors.New("got " + strconv.Quote(got) + ", want " + strconv.Quote(raw)) }
	if raw == "" && !quoted {
		if got != null {
			return mismatch()
		}
		return nil
	}
	switch typ.Kind {
	case schema.KindText, schema.KindJSON:
		// encoding/csv turns CR LF inside quotes into LF; the decoder keeps it.
		if strings.ReplaceAll(got, "\r\n", "\n") != raw {
			return mismatch()
		}
	case schema.KindInt16, schema.KindInt32, schema.KindInt64:
		if n, err := strconv.ParseInt(raw, 10, 64); err != nil || strconv.FormatInt(n, 10) != got {
			return mismatch()
		}
	case schema.KindNumeric:
		w, ok1 := new(big.Rat).SetString(raw)
		g, ok2 := new(big.Rat).SetString(got)
		if !ok1 || !ok2 || w.Cmp(g) != 0 {
			return mismatch()
		}
	case schema.KindBool:
		b, err := strconv.ParseBool(raw)
		if err != nil || strconv.FormatBool(b) != got {
			return mismatch()
		}
	case schema.KindFloat32, schema.KindFloat64:
		size := 64
		if typ.Kind == schema.KindFloat32 {
			size = 32
		}
		f, err := strconv.ParseFloat(raw, size)
		if err != nil || strconv.FormatFloat(f, 'g', -1, size) != got {
			return mismatch()
		}
	case schema.KindDate:
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil || d.Format(time.DateOnly) != got {
			return mismatch()
		}
	case schema.KindTimestamp:
		d, err := time.Parse(time.DateTime, raw)
		if err != nil || d.Format("2006-01-02 15:04:05.000000") != got {
			return mismatch()
		}
	default:
		return errors.New("unexpected kind " + typ.Kind.String())
	}
	return nil
}
