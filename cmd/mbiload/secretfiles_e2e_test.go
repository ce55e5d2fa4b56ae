package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSecretFiles checks the files containers mount secrets as: the
// database password from --database-password-file (MBILOAD_DATABASE_PASSWORD_FILE),
// which replaces the URL's (the password a server asking for one receives
// is the file's; the test server trusts local logins, so a fake one asks),
// and the simulator's key from MBILOAD_API_KEY_FILE. Neither secret is
// printed.
func TestSecretFiles(t *testing.T) {
	db := mustE2EDB(t)
	db.env(t)
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "db-password")
	if err := os.WriteFile(pwFile, []byte("pw-FILECANARY-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url, file string
		wantCode        int
		wantPassword    string
	}{
		{name: "the file's password", url: "postgres://loader@%s/warehouse?sslmode=disable", file: pwFile, wantCode: 1, wantPassword: "pw-FILECANARY-1"},
		{name: "it replaces the URL's", url: "postgres://loader:pw-URL@%s/warehouse?sslmode=disable", file: pwFile, wantCode: 1, wantPassword: "pw-FILECANARY-1"},
		{name: "the URL's without a file", url: "postgres://loader:pw-URL@%s/warehouse?sslmode=disable", wantCode: 1, wantPassword: "pw-URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, got := fakePasswordServer(t)
			args := []string{"--database-url", fmt.Sprintf(tt.url, addr), "history"}
			if tt.file != "" {
				args = append([]string{"--database-password-file", tt.file}, args...)
			}
			r := runCLI(t.Context(), args...)
			if r.code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstderr: %s", r.code, tt.wantCode, r.stderr)
			}
			select {
			case pw := <-got:
				if pw != tt.wantPassword {
					t.Errorf("the server received password %q, want %q", pw, tt.wantPassword)
				}
			case <-time.After(5 * time.Second):
				t.Errorf("the server received no password")
			}
			checkNoSecret(t, "output", r.output(), "pw-FILECANARY-1", "pw-URL")
		})
	}
	t.Run("a real login", func(t *testing.T) {
		u, err := url.Parse(db.url)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.User(db.role)
		if err := os.WriteFile(pwFile, []byte(db.password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t.Context(), "--database-url", u.String(), "--database-password-file", pwFile, "history")
		if r.code != 0 || !strings.Contains(r.stdout, "no loads yet") {
			t.Errorf("exit code %d, stdout %q\nstderr: %s", r.code, r.stdout, r.stderr)
		}
		checkNoSecret(t, "output", r.output(), db.password)
	})
	t.Run("missing file", func(t *testing.T) {
		r := runCLI(t.Context(), "--database-password-file", filepath.Join(dir, "none"), "history")
		if r.code != 1 || !strings.Contains(r.stderr, "read --database-password-file") {
			t.Errorf("exit code %d, stderr %q; want 1 and the file named", r.code, r.stderr)
		}
	})

	t.Run("simulator key file", func(t *testing.T) {
		keyFile := filepath.Join(dir, "api-key")
		if err := os.WriteFile(keyFile, []byte(cliKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("MBILOAD_API_KEY", "")
		t.Setenv("MBILOAD_API_KEY_FILE", keyFile)
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		r := runCLI(ctx, "simulate", "--listen", "127.0.0.1:0", "--scale", "10", "--work-dir", dir)
		if !strings.Contains(r.stderr, "simulated Export API listening") {
			t.Errorf("simulate with MBILOAD_API_KEY_FILE did not start: exit %d\n%s", r.code, r.stderr)
		}
		checkNoSecret(t, "simulate output", r.output(), cliKey)
		t.Setenv("MBILOAD_API_KEY_FILE", "")
		if r := runCLI(t.Context(), "simulate", "--listen", "127.0.0.1:0"); r.code != 2 {
			t.Errorf("simulate without a key: exit code %d, want 2\n%s", r.code, r.stderr)
		}
	})
}

// fakePasswordServer listens for one PostgreSQL connection, asks it for a
// cleartext password, sends what it received on the channel and refuses
// the login.
func fakePasswordServer(t *testing.T) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		var n uint32
		if binary.Read(conn, binary.BigEndian, &n) != nil || n < 8 || n > 10000 {
			return
		}
		if _, err := io.CopyN(io.Discard, conn, int64(n-4)); err != nil { // the startup message
			return
		}
		conn.Write([]byte{'R', 0, 0, 0, 8, 0, 0, 0, 3}) // AuthenticationCleartextPassword
		var typ byte
		if binary.Read(conn, binary.BigEndian, &typ) != nil || typ != 'p' || binary.Read(conn, binary.BigEndian, &n) != nil || n < 5 || n > 10000 {
			return
		}
		pw := make([]byte, n-4)
		if _, err := io.ReadFull(conn, pw); err != nil {
			return
		}
		got <- strings.TrimSuffix(string(pw), "\x00")
		msg := "SFATAL\x00C28P01\x00Mpassword authentication failed\x00\x00"
		conn.Write(append([]byte{'E', 0, 0, 0, byte(4 + len(msg))}, msg...))
	}()
	return ln.Addr().String(), got
}
