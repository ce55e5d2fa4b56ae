package localpg_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/internal/localpg"
)

// TestBinDir starts the server from a directory of binaries given as
// Options.BinDir (the directory $MBILOAD_PG_BIN names when set, the one
// initdb is found in otherwise) and checks the server runs that version;
// a directory without them is ErrNoBinaries.
func TestBinDir(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := os.Getenv(localpg.BinDirEnv)
	if dir == "" {
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		if p, err := exec.LookPath("initdb"); err == nil {
			dirs = append([]string{filepath.Dir(p)}, dirs...)
		}
		if len(dirs) == 0 {
			t.Fatal("no PostgreSQL binaries installed")
		}
		dir = dirs[0]
	}
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		t.Fatalf("postgres --version: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 3 {
		t.Fatalf("postgres --version: %q", out)
	}
	want := fields[2] // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
	srv, err := localpg.Start(ctx, localpg.Options{BinDir: dir, Settings: map[string]string{"fsync": "off"}})
	if err != nil {
		t.Fatalf("start from %s: %v", dir, err)
	}
	defer srv.Stop(ctx)
	conn, err := pgx.Connect(ctx, srv.URL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var got string
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if strings.Fields(got)[0] != want {
		t.Errorf("server_version %q, want %q (the binaries of %s)", got, want, dir)
	}

	if _, err := localpg.Start(ctx, localpg.Options{BinDir: t.TempDir()}); !errors.Is(err, localpg.ErrNoBinaries) {
		t.Errorf("start from an empty directory: got %v, want ErrNoBinaries", err)
	}
}
