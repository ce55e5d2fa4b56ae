package extract

import (
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkDownload measures Download (stream, hash, write a temp file) of a
// 64 MiB export from a loopback server, whole and with two cuts resumed.
func BenchmarkDownload(b *testing.B) {
	payload := mustPayload(b, 64<<20)
	for _, bc := range []struct {
		name string
		cuts []int64
	}{
		{name: "whole"},
		{name: "two_cuts", cuts: []int64{20 << 20, 50 << 20}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := &exportServer{payload: payload}
			env := mustEnv(b, srv, func(c *Config) { c.Logger = nil })
			dir := b.TempDir()
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				srv.mu.Lock()
				srv.cuts = append([]int64(nil), bc.cuts...)
				srv.mu.Unlock()
				d, err := env.c.Download(context.Background(), "51", dir)
				if err != nil {
					b.Fatal(err)
				}
				if d.Size != int64(len(payload)) {
					b.Fatalf("size: got %d, want %d", d.Size, len(payload))
				}
				d.Remove()
			}
		})
	}
}

// BenchmarkOpenExportRead measures reading a exportBody into io.Discard, the
// client's own overhead without disk or hashing.
func BenchmarkOpenExportRead(b *testing.B) {
	payload := mustPayload(b, 64<<20)
	env := mustEnv(b, &exportServer{payload: payload}, func(c *Config) { c.Logger = nil })
	b.SetBytes(int64(len(payload)))
	buf := make([]byte, copyBufferSize)
	for b.Loop() {
		body, err := env.c.openExport(context.Background(), "51")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{body}, buf); err != nil {
			b.Fatal(err)
		}
		body.Close()
	}
}

var _ http.Handler = (*exportServer)(nil)
