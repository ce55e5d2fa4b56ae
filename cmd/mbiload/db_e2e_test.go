package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// e2eDB is a database login of its own for end-to-end runs of the CLI: a
// role with a password (so that leak checks have one to look for) and the
// names of the target and ledger schemas the CLI is to create.
type e2eDB struct {
	admin          *pgxpool.Pool // the test server's superuser
	role           string        // the login role
	url, password  string        // the role's connection string, with its password
	target, ledger string        // schemas, not created yet
}

// mustE2EDB creates a login role with a password and the right to create
// schemas, and drops it and everything it owns when the test ends.
func mustE2EDB(t *testing.T) *e2eDB {
	t.Helper()
	admin := pgtest.Pool(t)
	ctx := context.Background()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	role := pgtest.UniqueName(t, "r")
	db := &e2eDB{admin: admin, role: role, password: "pw-DBCANARY-" + hex.EncodeToString(b[:]),
		target: pgtest.UniqueName(t, "s"), ledger: pgtest.UniqueName(t, "l")}
	var dbName string
	if err := admin.QueryRow(ctx, "SELECT current_database()").Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"CREATE ROLE " + schema.Quote(role) + " LOGIN PASSWORD " + schema.QuoteLiteral(db.password),
		"GRANT CREATE ON DATABASE " + schema.Quote(dbName) + " TO " + schema.Quote(role),
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatalf("set up the test role: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, sql := range []string{
			"DROP SCHEMA IF EXISTS " + schema.Quote(db.target) + ", " + schema.Quote(db.ledger) + " CASCADE",
			"DROP OWNED BY " + schema.Quote(role),
			"DROP ROLE " + schema.Quote(role),
		} {
			if _, err := admin.Exec(ctx, sql); err != nil {
				t.Errorf("clean up the test role: %v", err)
			}
		}
	})
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatalf("parse the test database URL: %v", err)
	}
	u.User = url.UserPassword(role, db.password)
	db.url = u.String()
	return db
}

// env sets the CLI's database environment for the rest of the test.
func (db *e2eDB) env(t *testing.T) {
	t.Setenv("DATABASE_URL", db.url)
	t.Setenv("MBILOAD_SCHEMA", db.target)
	t.Setenv("MBILOAD_LEDGER_SCHEMA", db.ledger)
}

// scalar runs a query as the superuser.
func (db *e2eDB) scalar(t *testing.T, sql string, args ...any) string {
	t.Helper()
	var v any
	if err := db.admin.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return fmt.Sprint(v)
}

// schemaExists reports whether a schema exists.
func (db *e2eDB) schemaExists(t *testing.T, name string) bool {
	return db.scalar(t, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", name) == "1"
}

// count returns a target table's row count.
func (db *e2eDB) count(t *testing.T, table string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(db.scalar(t, "SELECT count(*) FROM "+schema.Quote(db.target, table)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// digest returns an order-independent digest of a table's rows, or
// "absent".
func (db *e2eDB) digest(t *testing.T, table string) string {
	t.Helper()
	q := schema.Quote(db.target, table)
	if db.scalar(t, "SELECT to_regclass($1) IS NULL", q) == "true" {
		return "absent"
	}
	return db.scalar(t, "SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') FROM "+q+" r")
}

// mustExportAll exports every table through the API with the test's fast
// client and waits for the exports, so that a sync with --reuse-exports
// does not poll at the CLI's production pace.
func (s *cliSim) mustExportAll(t *testing.T) {
	t.Helper()
	tables, err := s.c.Tables(context.Background())
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	for _, tb := range tables {
		s.mustExport(t, tb.ID, true)
	}
}

// badTable is a simulator table whose CSV has a non-integer in an integer
// column on line 3.
func badTable(id schema.ID, name string) simulator.Table {
	return simulator.Table{ID: id, Name: name, Rows: 2,
		Columns: []schema.Column{{ID: "1", Name: "id", Type: "Integer"}, {ID: "2", Name: "n", Type: "int(11)"}},
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			_, err := io.WriteString(w, "id,n\n1,1\n2,two\n")
			return err
		}}
}

// sampleLine matches a sample line of the Prometheus text format:
// name{label="value",...} value, label values escaped.
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? [-+]?([0-9.]+([eE][-+]?[0-9]+)?|NaN|Inf)$`)

// mustMetricsFile checks that every line of a metrics file is a HELP or
// TYPE comment or a well-formed sample, that no series appears twice, and
// returns the samples' values by their text before the value.
func mustMetricsFile(t *testing.T, path string) map[string]float64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read metrics: %v", err)
	}
	if !bytes.HasSuffix(data, []byte("\n")) {
		t.Errorf("metrics do not end with a line feed")
	}
	out := map[string]float64{}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") && strings.HasSuffix(line, " gauge"):
		case sampleLine.MatchString(line):
			k := strings.LastIndexByte(line, ' ')
			v, err := strconv.ParseFloat(line[k+1:], 64)
			if err != nil {
				t.Errorf("metrics line %d: %v", i+1, err)
			}
			if _, dup := out[line[:k]]; dup {
				t.Errorf("metrics line %d: series %s twice", i+1, line[:k])
			}
			out[line[:k]] = v
		default:
			t.Errorf("metrics line %d is not valid exposition format: %q", i+1, line)
		}
	}
	return out
}

// checkNoSecret fails when any text holds one of the secrets.
func checkNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds a secret:\n%s", what, text)
		}
	}
}
