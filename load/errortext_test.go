package load

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// refusingServer listens like a PostgreSQL server without TLS that is
// going away: it answers a TLS request 'N' (no TLS) and closes every plain
// connection at once, as a server shutting down would.
func refusingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var msg [8]byte
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := c.Read(msg[:]); err != nil {
					return
				}
				if msg[4] == 0x04 && msg[5] == 0xd2 && msg[6] == 0x16 && msg[7] == 0x2f { // SSLRequest
					c.Write([]byte("N"))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestErrorText checks that a failed connection is said once, on one line,
// without the TLS fallback's refusal (sslmode prefer, the default, tries
// TLS first), and that other errors are left as they are.
func TestErrorText(t *testing.T) {
	t.Parallel()
	addr := refusingServer(t)
	host, port, _ := net.SplitHostPort(addr)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	connect := func(url string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgconn.Connect(ctx, url)
		if err == nil {
			c.Close(ctx)
			t.Fatalf("connect %s: got a connection, want an error", url)
		}
		return fmt.Errorf("load \"mbi\".\"sales_order\": connect: %w", err)
	}
	tests := []struct {
		name     string
		err      error
		want     string // the text's start
		contains string
		rawHas   string // what the raw error holds (the scenario happened)
	}{
		{name: "TLS refused, then the plain attempt fails", err: connect(fmt.Sprintf("postgres://loader:pw-SECRET@%s:%s/warehouse", host, port)),
			want:   `load "mbi"."sales_order": connect: cannot connect to PostgreSQL (user=loader database=warehouse): ` + addr + " (" + host + "): ",
			rawHas: "tls error: server refused TLS connection\n"},
		{name: "connection refused", err: connect("postgres://loader:pw-SECRET@" + closedAddr + "/warehouse"),
			want: `load "mbi"."sales_order": connect: cannot connect to PostgreSQL (user=loader database=warehouse): `, contains: "connection refused"},
		{name: "not a connection error", err: fmt.Errorf("header:\n  line 2"), want: "header:\n  line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.err.Error()
			if !strings.Contains(raw, tt.rawHas) {
				t.Fatalf("raw error %q: want it to hold %q", raw, tt.rawHas)
			}
			got := ErrorText(tt.err)
			if !strings.HasPrefix(got, tt.want) || !strings.Contains(got, tt.contains) {
				t.Errorf("got %q (from %q), want it to start %q and hold %q", got, raw, tt.want, tt.contains)
			}
			if strings.HasPrefix(raw, "load") && strings.Contains(raw, "failed to connect") {
				if strings.ContainsAny(got, "\n\t") || strings.Contains(got, "tls error") || strings.Count(got, "dial error")+strings.Count(got, "failed to") > 1 {
					t.Errorf("got %q (from %q), want one line, one attempt, no TLS refusal", got, raw)
				}
				if strings.Contains(got, "pw-SECRET") {
					t.Errorf("got %q: holds the password", got)
				}
			}
		})
	}
}
