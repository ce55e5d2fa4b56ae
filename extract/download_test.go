package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDownload(t *testing.T) {
	payload := mustPayload(t, 500_000)
	sum := sha256.Sum256(payload)
	wantSHA := hex.EncodeToString(sum[:])
	tests := []struct {
		name        string
		handler     http.Handler
		wantResumes int
	}{
		{name: "whole", handler: &exportServer{payload: payload}},
		{name: "cut and resumed", handler: &exportServer{payload: payload, etag: `"z"`, cuts: []int64{123_457, 400_000}}, wantResumes: 2},
		{name: "cut, Range ignored", handler: &exportServer{payload: payload, ignoreRange: true, cuts: []int64{250_000}}, wantResumes: 1},
		{name: "unknown length", handler: &exportServer{payload: payload, noLength: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, tt.handler, nil)
			dir := t.TempDir()
			d, err := env.c.Download(context.Background(), "51", dir)
			if err != nil {
				t.Fatalf("Download: %v", err)
			}
			got, err := os.ReadFile(d.Path)
			if err != nil {
				t.Fatalf("read download: %v", err)
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("content: got %d bytes differing from the %d-byte payload", len(got), len(payload))
			}
			if d.SHA256 != wantSHA || d.Size != int64(len(payload)) || d.ExportID != "51" || d.Resumes != tt.wantResumes {
				t.Errorf("download: got %+v, want sha %s size %d resumes %d", d, wantSHA, len(payload), tt.wantResumes)
			}
			if filepath.Dir(d.Path) != dir || !strings.HasPrefix(filepath.Base(d.Path), "mbiload-export-51-") {
				t.Errorf("path: got %s, want mbiload-export-51-* in %s", d.Path, dir)
			}
			fi, err := os.Stat(d.Path)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("mode: got %v, %v, want 0600", fi.Mode().Perm(), err)
			}
			if err := d.Remove(); err != nil {
				t.Errorf("Remove: %v", err)
			}
			if err := d.Remove(); err != nil {
				t.Errorf("second Remove: got %v, want nil", err)
			}
			if _, err := os.Stat(d.Path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after Remove: got %v, want not exist", err)
			}
		})
	}
}

// TestDownloadCleansUp checks that no temp file survives a failed download.
func TestDownloadCleansUp(t *testing.T) {
	payload := mustPayload(t, 100_000)
	tests := []struct {
		name    string
		handler http.Handler
		wantErr error
	}{
		{name: "410 at open", handler: reply(410, ""), wantErr: ErrExpired},
		{name: "404 at open", handler: reply(404, ""), wantErr: ErrNotFound},
		{name: "expired mid-download", handler: sequence((&exportServer{payload: payload, cuts: []int64{50_000}}).ServeHTTP, reply(410, "")), wantErr: ErrExpired},
		{name: "always cut short", handler: &exportServer{payload: payload, cuts: []int64{1000, 2000, 3000, 3000, 3000, 3000}}, wantErr: ErrLengthMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, tt.handler, nil)
			dir := t.TempDir()
			d, err := env.c.Download(context.Background(), "51", dir)
			if !errors.Is(err, tt.wantErr) || d != nil {
				t.Fatalf("got %+v, %v, want nil and %v", d, err, tt.wantErr)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Errorf("files left behind: %v", left)
			}
		})
	}
}

func TestDownloadDefaultDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	env := mustEnv(t, &exportServer{payload: []byte("PK\x05\x06")}, nil)
	d, err := env.c.Download(context.Background(), "51", "")
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	defer d.Remove()
	if filepath.Dir(d.Path) != dir {
		t.Errorf("dir: got %s, want %s", filepath.Dir(d.Path), dir)
	}
}

func TestDownloadBadDir(t *testing.T) {
	env := mustEnv(t, &exportServer{payload: []byte("PK")}, nil)
	_, err := env.c.Download(context.Background(), "51", filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err: got %v, want not exist", err)
	}
}
