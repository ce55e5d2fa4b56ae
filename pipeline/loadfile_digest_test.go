package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// TestLoadFileDigest: the file's SHA-256, computed while the decoder
// starts, reaches the ledger with the file's size; a cancelled load-file
// fails with the context's error.
func TestLoadFileDigest(t *testing.T) {
	t.Parallel()
	e := fileEnv(t)
	gen := magentogen.Find(magentogen.Warehouse(300, 5), "sales_order")
	var zipData bytes.Buffer
	if err := gen.WriteZip(context.Background(), &zipData, "sales_order.csv"); err != nil {
		t.Fatal(err)
	}
	path := mustWriteFile(t, t.TempDir(), "sales_order.zip", zipData.Bytes())
	tbl, err := schema.NewTable(gen.ID, gen.Name, gen.Columns, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(zipData.Bytes())
	tests := []struct {
		name    string
		cancel  bool
		wantErr error
	}{
		{name: "loaded"},
		{name: "cancelled", cancel: true, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			tr, err := e.runner.LoadFile(ctx, Options{}, FileJob{Path: path, Table: tbl})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if tr.Status != StatusFailed {
					t.Errorf("got status %q, want %q", tr.Status, StatusFailed)
				}
				return
			}
			if tr.Bytes != int64(zipData.Len()) {
				t.Errorf("report bytes: got %d, want %d", tr.Bytes, zipData.Len())
			}
			var gotSum string
			var gotBytes int64
			if err := e.pool.QueryRow(context.Background(), "SELECT sha256, bytes FROM "+schema.Quote(e.ledger, "loads")+
				" WHERE status = 'loaded' ORDER BY id DESC LIMIT 1").Scan(&gotSum, &gotBytes); err != nil {
				t.Fatal(err)
			}
			if gotSum != hex.EncodeToString(sum[:]) || gotBytes != int64(zipData.Len()) {
				t.Errorf("ledger: got sha256 %s, %d bytes; want %x, %d", gotSum, gotBytes, sum, zipData.Len())
			}
		})
	}
}

// BenchmarkFileSHA256 is the digest pass of a load-file over a 55 MB file
// (the size of the 1M-row sales_order zip): the time it used to add before
// the decoding started, now overlapped with it.
func BenchmarkFileSHA256(b *testing.B) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 55<<20/16)
	path := mustWriteFile(b, b.TempDir(), "f.zip", data)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := fileSHA256(context.Background(), path); err != nil {
			b.Fatal(err)
		}
	}
}
