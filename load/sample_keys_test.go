package load

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// sampleRecords reads a sample CSV and returns its bytes with, for each
// record after the header, where it starts and ends in them and the line
// it starts on.
func sampleRecords(t testing.TB, path string) (raw []byte, starts, ends []int64, lines []int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(raw))
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	for {
		start := r.InputOffset()
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		line, _ := r.FieldPos(0)
		starts, ends, lines = append(starts, start), append(ends, r.InputOffset()), append(lines, line)
	}
	return raw, starts, ends, lines
}

// TestSampleBadKeys: the real Magento products export (1,994 records, 1,946
// quoted line breaks) with one of its records repeated at the end, and
// with the key of a record emptied (its metadata then not saying NOT
// NULL), fails a replace naming the lines csv.Reader finds for them.
func TestSampleBadKeys(t *testing.T) {
	t.Parallel()
	path := filepath.Join(sampleDir, "products.csv")
	cols, err := schema.ReadColumnsFile(filepath.Join(sampleDir, "products.columns.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw, starts, ends, lines := sampleRecords(t, path)
	const k = 1500 // a record far past many quoted line breaks
	if lines[k] <= k+2 {
		t.Fatalf("record %d starts on line %d: want a sample with line breaks before it", k+1, lines[k])
	}
	rec := raw[starts[k]:ends[k]]
	sku, _, _ := strings.Cut(string(rec), ",")
	sku = strings.Trim(sku, `"`)
	lastLine := int64(bytes.Count(raw, []byte("\n")) + 1)
	tests := []struct {
		name     string
		csv      []byte
		nullable bool // drop the key's NOT NULL from the metadata
		want     error
		msg      string
	}{
		{name: "a record repeated at the end", csv: append(slices.Clip(raw), rec...), want: ErrDuplicateKey,
			msg: fmt.Sprintf(`replace products: lines %d and %d: primary key (sku) value %q appears more than once in the export (SQLSTATE 23505)`, lines[k], lastLine, sku)},
		{name: "a record's key emptied", nullable: true,
			csv:  slices.Concat(raw[:starts[k]], bytes.TrimPrefix(bytes.TrimPrefix(rec, []byte(sku)), []byte(`"`+sku+`"`)), raw[ends[k]:]),
			want: ErrNullKey, msg: fmt.Sprintf(`replace products: line %d, column "sku": primary key value is empty (NULL)`, lines[k])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cc := slices.Clone(cols)
			if tt.nullable {
				for i := range cc {
					if cc[i].IsPrimaryKey {
						cc[i].Nullable = nil
					}
				}
			}
			tbl, err := schema.NewTable("", "products", cc, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t)
			l := e.loader(t, Config{})
			e.mustLoad(t, l, tbl, string(raw), Job{ExportID: "good"})
			before := warehouseState(t, e, "products")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			src := csvSource(t, tbl, string(tt.csv), transform.Options{BatchRows: 256})
			res, err := l.Load(ctx, Job{Table: tbl, Source: src, ExportID: "bad", ExpectedRows: -1})
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if want := "load " + schema.Quote(e.schema, "products") + ": " + tt.msg; err.Error() != want {
				t.Errorf("message:\ngot  %q\nwant %q", err.Error(), want)
			}
			mustFailCleanly(t, e, "products", before, res, "bad", tt.msg, ModeReplace)
		})
	}
}
