package load

import (
	"context"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// sampleDir is the Magento sample data beside the repository.
const sampleDir = "../../shared/data/magento-sample"

// TestMagentoSample loads every sample file as a local file would be and
// compares the table with the CSV cell for cell: NULL for an unquoted
// empty field, the empty string for "", values equal as their types.
func TestMagentoSample(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(sampleDir, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample files in %s (%v); the suite needs ../shared next to the repository", sampleDir, err)
	}
	e := newEnv(t)
	l := e.loader(t, Config{})
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cols, err := schema.ReadColumnsFile(filepath.Join(sampleDir, name+".columns.json"))
			if err != nil {
				t.Fatal(err)
			}
			tbl, err := schema.NewTable("", name, cols, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			entry, err := transform.OpenCSV(path)
			if err != nil {
				t.Fatal(err)
			}
			defer entry.Close()
			ctx := context.Background()
			d, err := transform.NewDecoder(ctx, entry, tbl, transform.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			res, err := l.Load(ctx, Job{Table: tbl, Source: d, SHA256: name, ExpectedRows: -1})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			records := parseCSV(t, raw)
			header, records := records[0], records[1:]
			if res.RowsLoaded != int64(len(records)) {
				t.Errorf("got %d rows loaded, want %d", res.RowsLoaded, len(records))
			}
			// Rows come back in CSV order: the table has no key to sort by,
			// so number them by their physical order after a fresh load.
			got := queryText(t, e.pool, "SELECT * FROM "+schema.Quote(e.schema, tbl.Name)+" ORDER BY ctid")
			if len(got) != len(records) {
				t.Fatalf("got %d rows, want %d", len(got), len(records))
			}
			pos := make([]int, len(header))
			for k, h := range header {
				pos[k] = tbl.FieldIndex(h.text)
			}
			bad := 0
			for i, rec := range records {
				for k, cell := range rec {
					f := tbl.Fields[pos[k]]
					if msg := sameCell(f.Type.Kind, cell, got[i][pos[k]]); msg != "" && bad < 10 {
						bad++
						t.Errorf("line of record %d, column %q: %s", i+1, f.Source.Name, msg)
					}
				}
			}
		})
	}
}

// csvField is a parsed CSV field and whether it was quoted.
type csvField struct {
	text   string
	quoted bool
}

// parseCSV splits RFC 4180 CSV, keeping quotedness and line breaks inside
// quotes exactly (encoding/csv turns CRLF inside quotes into LF and
// cannot tell "" from an empty field).
func parseCSV(t *testing.T, b []byte) [][]csvField {
	t.Helper()
	s := strings.TrimPrefix(string(b), "\ufeff")
	var out [][]csvField
	var rec []csvField
	i := 0
	for i < len(s) {
		var f csvField
		if s[i] == '"' {
			f.quoted = true
			i++
			var sb strings.Builder
			for {
				if i >= len(s) {
					t.Fatal("unterminated quote")
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						sb.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				sb.WriteByte(s[i])
				i++
			}
			f.text = sb.String()
		} else {
			j := i
			for j < len(s) && s[j] != ',' && s[j] != '\n' && s[j] != '\r' {
				j++
			}
			f.text, i = s[i:j], j
		}
		rec = append(rec, f)
		switch {
		case i >= len(s):
			out = append(out, rec)
		case s[i] == ',':
			i++
			if i == len(s) {
				out = append(out, append(rec, csvField{}))
			}
			continue
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
			i += 2
			out = append(out, rec)
		case s[i] == '\n':
			i++
			out = append(out, rec)
		default:
			t.Fatalf("text after a closing quote at byte %d", i)
		}
		rec = nil
	}
	return out
}

// sameCell compares a CSV cell with PostgreSQL's text output of the
// loaded value, by the column's kind; it returns "" when they agree.
func sameCell(kind schema.Kind, cell csvField, got string) string {
	if !cell.quoted && cell.text == "" {
		if got != "<nil>" {
			return "got " + strconv.Quote(got) + ", want NULL"
		}
		return ""
	}
	if got == "<nil>" {
		return "got NULL, want " + strconv.Quote(cell.text)
	}
	want := cell.text
	equal := got == want
	switch kind {
	case schema.KindBool:
		equal = (got == "t") == (want == "1" || strings.EqualFold(want, "true") || strings.EqualFold(want, "t"))
	case schema.KindInt16, schema.KindInt32, schema.KindInt64, schema.KindNumeric:
		g, ok1 := new(big.Rat).SetString(got)
		w, ok2 := new(big.Rat).SetString(want)
		equal = ok1 && ok2 && g.Cmp(w) == 0
	case schema.KindFloat32, schema.KindFloat64:
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if kind == schema.KindFloat32 {
			w = float64(float32(w))
		}
		equal = err1 == nil && err2 == nil && g == w
	case schema.KindDate, schema.KindTimestamp:
		g, err1 := parseWhen(got)
		w, err2 := parseWhen(want)
		equal = err1 == nil && err2 == nil && g.Equal(w)
	case schema.KindJSON:
		var g, w any
		equal = json.Unmarshal([]byte(got), &g) == nil && json.Unmarshal([]byte(want), &w) == nil && reflect.DeepEqual(g, w)
	}
	if !equal {
		if len(got) > 120 {
			got = got[:120] + "..."
		}
		if len(want) > 120 {
			want = want[:120] + "..."
		}
		return "got " + strconv.Quote(got) + ", want " + strconv.Quote(want)
	}
	return ""
}

func parseWhen(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999", "2006-01-02T15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.DateTime, s)
}
