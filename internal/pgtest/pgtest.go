// Package pgtest connects tests to the real PostgreSQL server that `make test`
// starts, and gives each test its own schemas so packages can run in
// parallel.
//
// The server's URL comes from MBILOAD_TEST_DATABASE_URL (never from
// DATABASE_URL, so a developer's production database is never used by
// accident). When it is unset the test is skipped — unless
// MBILOAD_REQUIRE_DB=1, which `make test` and CI set, in which case the test
// fails: database tests never silently skip there.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment variables read by this package.
const (
	// EnvURL holds the test server's connection string.
	EnvURL = "MBILOAD_TEST_DATABASE_URL"
	// EnvRequire, when "1", turns a missing EnvURL into a test failure.
	EnvRequire = "MBILOAD_REQUIRE_DB"
)

// URL returns the test database URL, or skips (fails under EnvRequire) when
// none is configured.
func URL(t testing.TB) string {
	t.Helper()
	return RequiredEnv(t, EnvURL, "database tests must run (use make test)",
		"run make test to start a throwaway PostgreSQL")
}

// RequiredEnv returns the server URL in the environment variable env. When
// it is unset the test fails under EnvRequire (saying must) and is skipped
// otherwise (saying how to run it).
func RequiredEnv(t testing.TB, env, must, how string) string {
	t.Helper()
	url := os.Getenv(env)
	if url == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: %s", env, EnvRequire, must)
		}
		t.Skipf("%s not set; %s", env, how)
	}
	return url
}

// Pool returns a connection pool to the test database, closed when the test
// ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, URL(t))
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		t.Fatalf("ping test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Conn returns a single connection to the test database, closed when the
// test ends.
func Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, URL(t))
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// Schema creates a fresh, uniquely named schema for the test (based on the
// test's name) and drops it with everything in it when the test ends. It
// returns the schema's name (unquoted; it needs no quoting).
func Schema(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	name := UniqueName(t, "t")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", name, err)
		}
	})
	return name
}

// UniqueName returns a lower-case identifier made of prefix, a slug of the
// test's name and random hex, at most 63 bytes, needing no quoting.
func UniqueName(t testing.TB, prefix string) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random name: %v", err)
	}
	slug := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_")
	if len(slug) > 40 {
		slug = slug[len(slug)-40:]
	}
	return prefix + "_" + slug + "_" + hex.EncodeToString(b[:])
}
