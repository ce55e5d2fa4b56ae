package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// mustDatabase creates a database with the given encoding on the test
// server and returns its URL; it is dropped when the test ends.
func mustDatabase(t *testing.T, encoding string) (dbURL string, pool *pgxpool.Pool) {
	t.Helper()
	admin := pgtest.Pool(t)
	name := pgtest.UniqueName(t, "db")
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+schema.Quote(name)+" ENCODING "+schema.QuoteLiteral(encoding)+
		" LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"); err != nil {
		t.Fatalf("create a %s database: %v", encoding, err)
	}
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	pool, err = pgxpool.New(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE "+schema.Quote(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("drop the test database: %v", err)
		}
	})
	return u.String(), pool
}

// TestSyncRefusesSQLASCII runs sync (and its dry run, and load-file)
// against a SQL_ASCII database: each fails at once, before any export or
// schema is made, saying what the encoding is and what to do, rather than
// failing each table's COPY with "conversion between UTF8 and SQL_ASCII is
// not supported". A UTF8 database with the same settings loads.
func TestSyncRefusesSQLASCII(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	asciiURL, ascii := mustDatabase(t, "SQL_ASCII")
	tests := []struct {
		name string
		args []string
	}{
		{name: "sync", args: []string{"sync", "--progress", "none"}},
		{name: "dry run", args: []string{"sync", "--dry-run", "--progress", "none"}},
		{name: "load-file", args: []string{"load-file", "--table", "t", "--columns", "../../../shared/data/magento-sample/products.columns.json", "--progress", "none", "../../../shared/data/magento-sample/products.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DATABASE_URL", asciiURL)
			r := runCLI(t.Context(), sim.api(tt.args...)...)
			if r.code != 1 {
				t.Fatalf("exit code %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
			}
			for _, want := range []string{"has encoding SQL_ASCII", "CREATE DATABASE warehouse ENCODING 'UTF8' TEMPLATE template0"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not hold %q:\n%s", want, r.stderr)
				}
			}
		})
	}
	var schemas int
	if err := ascii.QueryRow(t.Context(), "SELECT count(*) FROM pg_namespace WHERE nspname IN ('mbi', 'mbiload')").Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 {
		t.Errorf("the SQL_ASCII database got %d of the schemas mbi and mbiload, want none", schemas)
	}
	if exps, err := sim.c.Exports(t.Context()); err != nil || len(exps) != 0 {
		t.Errorf("exports created: %d (err %v), want none", len(exps), err)
	}

	utf8URL, _ := mustDatabase(t, "UTF8")
	t.Setenv("DATABASE_URL", utf8URL)
	if r := runCLI(t.Context(), sim.api("sync", "--tables", "sales_order", "--progress", "none")...); r.code != 0 {
		t.Errorf("sync into a UTF8 database: exit code %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}
