package transform

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// TestWarehouseRoundTrip zips every table of a small generated warehouse
// (hostile names, text with quotes, commas, CR LF and emoji, JSON, NULLs and
// empty strings), decodes it and checks every value against the generator's
// own record of what it wrote.
func TestWarehouseRoundTrip(t *testing.T) {
	for _, gt := range magentogen.Warehouse(3000, 7) {
		t.Run(gt.Name, func(t *testing.T) {
			tb, err := schema.NewTable(gt.ID, gt.Name, gt.Columns, schema.Options{})
			if err != nil {
				t.Fatalf("NewTable: %v", err)
			}
			path := filepath.Join(t.TempDir(), "export.zip")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := gt.WriteZip(context.Background(), f, gt.Name+".csv"); err != nil {
				t.Fatalf("WriteZip: %v", err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			e, err := OpenZip(path, ZipLimits{})
			if err != nil {
				t.Fatalf("OpenZip: %v", err)
			}
			defer e.Close()
			got := decodeReader(t, tb, e, Options{BatchRows: 1000})
			if got.err != nil {
				t.Fatalf("decode: %v", got.err)
			}
			if int64(len(got.rows)) != gt.Rows {
				t.Fatalf("rows: got %d, want %d", len(got.rows), gt.Rows)
			}
			for i, vals := range gt.All(context.Background()) {
				for j, v := range vals {
					typ := tb.Fields[j].Type
					g := got.rows[i][j]
					switch {
					case v.Null:
						if g != null {
							t.Fatalf("row %d column %q: got %q, want NULL", i, tb.Fields[j].Source.Name, g)
						}
					case typ.Kind == schema.KindText || typ.Kind == schema.KindJSON:
						if g != v.Text {
							t.Fatalf("row %d column %q: got %q, want %q", i, tb.Fields[j].Source.Name, g, v.Text)
						}
					default:
						if err := sameValue(typ, v.Text, true, g); err != nil {
							t.Fatalf("row %d column %q: %v", i, tb.Fields[j].Source.Name, err)
						}
					}
				}
			}
		})
	}
}
