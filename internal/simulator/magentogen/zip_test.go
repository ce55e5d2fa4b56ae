package magentogen

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"testing"
)

func TestWriteZip(t *testing.T) {
	for _, tb := range Warehouse(1500, 2) {
		t.Run(tb.Name, func(t *testing.T) {
			name := tb.Name + " 2026-01-01.csv"
			var buf bytes.Buffer
			if err := tb.WriteZip(context.Background(), &buf, name); err != nil {
				t.Fatalf("WriteZip: %v", err)
			}
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatalf("open zip: %v", err)
			}
			if got, want := len(zr.File), 1; got != want {
				t.Fatalf("entries: got %d, want %d", got, want)
			}
			f := zr.File[0]
			if got, want := f.Name, name; got != want {
				t.Fatalf("entry name: got %q, want %q", got, want)
			}
			if got, want := f.Method, zip.Deflate; got != want {
				t.Fatalf("method: got %d, want %d", got, want)
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatalf("open entry: %v", err)
			}
			got, err := io.ReadAll(rc) // archive/zip checks the CRC at EOF
			rc.Close()
			if err != nil {
				t.Fatalf("read entry: %v", err)
			}
			want := mustCSV(t, tb)
			if !bytes.Equal(got, want) {
				t.Fatalf("entry content: got %d bytes, want the %d of WriteCSV", len(got), len(want))
			}
			if got, want := f.CRC32, crc32.ChecksumIEEE(want); got != want {
				t.Fatalf("CRC-32: got %08x, want %08x", got, want)
			}
			if got, want := f.UncompressedSize64, uint64(len(want)); got != want {
				t.Fatalf("size: got %d, want %d", got, want)
			}
			var again bytes.Buffer
			if err := tb.WriteZip(context.Background(), &again, name); err != nil {
				t.Fatalf("WriteZip again: %v", err)
			}
			if !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Fatalf("second zip: got different bytes, want identical")
			}
		})
	}
}

func TestWriteZipEntryName(t *testing.T) {
	tb := mustTable(t, Warehouse(10, 1), "sales_order")
	tests := []struct {
		name  string
		entry string
		err   error
	}{
		{name: "plain", entry: "sales_order.csv"},
		{name: "spaces", entry: "sales_order 2026-11-26.csv"},
		{name: "hostile table", entry: "orders_~_line_items-mps.csv"},
		{name: "empty", entry: "", err: ErrBadEntryName},
		{name: "parent", entry: "../sales_order.csv", err: ErrBadEntryName},
		{name: "absolute", entry: "/tmp/x.csv", err: ErrBadEntryName},
		{name: "backslash", entry: `..\x.csv`, err: ErrBadEntryName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tb.WriteZip(context.Background(), io.Discard, tt.entry)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error: got %v, want %v", err, tt.err)
			}
		})
	}
}

func TestWriteZipCancel(t *testing.T) {
	tb := mustTable(t, Warehouse(50_000, 1), "sales_order")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tb.WriteZip(ctx, io.Discard, "sales_order.csv"); !errors.Is(err, context.Canceled) {
		t.Fatalf("error: got %v, want context.Canceled", err)
	}
}
