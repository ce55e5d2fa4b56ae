package bench

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/internal/localpg"
)

// Schemas the harness uses, so that it never touches a user's tables on a
// server given by MBILOAD_BENCH_DATABASE_URL: benchSchema holds the psql
// cases' table, mbiSchema and ledgerSchema are mbiload's --schema and
// --ledger-schema.
const (
	benchSchema  = "bench"
	mbiSchema    = "bench_mbi"
	ledgerSchema = "bench_mbiload"
)

// shownSettings are the server settings printed with the results: those
// that decide how fast a bulk load can be.
var shownSettings = []string{
	"server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_level",
	"wal_compression", "shared_buffers", "max_wal_size", "checkpoint_timeout",
	"maintenance_work_mem", "autovacuum",
}

// setting is one server setting as SHOW prints it.
type setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// database is the server every case loads into.
type database struct {
	// URL is the superuser connection string. It may hold a password: it
	// is never printed.
	URL string
	// Throwaway says the harness started the server (localpg).
	Throwaway bool
	Settings  []setting
	// CPUNote says how server CPU is measured, or why it is not.
	CPUNote string

	srv  *localpg.Server
	conn *pgx.Conn
	cpu  *serverCPU
}

// openDatabase starts a throwaway server with default settings, or
// connects to url when it is not empty, and clears the harness's schemas.
func openDatabase(ctx context.Context, url string) (*database, error) {
	db := &database{URL: url}
	if url == "" {
		srv, err := localpg.Start(ctx, localpg.Options{})
		if err != nil {
			return nil, fmt.Errorf("start throwaway PostgreSQL: %w", err)
		}
		db.srv, db.URL, db.Throwaway = srv, srv.URL, true
	}
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		db.Close(ctx)
		return nil, fmt.Errorf("connect to the benchmark server: %w", err)
	}
	db.conn = conn
	for _, name := range shownSettings {
		var v string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			db.Close(ctx)
			return nil, fmt.Errorf("read setting %s: %w", name, err)
		}
		db.Settings = append(db.Settings, setting{Name: name, Value: v})
	}
	db.meterCPU(ctx)
	if err := db.exec(ctx, "DROP SCHEMA IF EXISTS "+benchSchema+", "+mbiSchema+", "+ledgerSchema+" CASCADE",
		"CREATE SCHEMA "+benchSchema); err != nil {
		db.Close(ctx)
		return nil, err
	}
	return db, nil
}

// meterCPU sets up the server CPU meter: the throwaway server's
// postmaster; for a given server on this machine, its postmaster when its
// data directory is readable, else the postgres user's processes.
func (db *database) meterCPU(ctx context.Context) {
	var dataDir string
	switch {
	case db.srv != nil:
		dataDir = filepath.Join(db.srv.Dir, "data")
	case !loopback(db.conn.Config().Host):
		db.CPUNote = "server CPU not measured: the server is not on this machine"
		return
	default:
		_ = db.conn.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir)
	}
	m, err := serverCPUForDataDir(dataDir)
	note := "server CPU: the postmaster and its children, from /proc"
	if err != nil {
		m, err = serverCPUForUser("postgres")
		note = "server CPU: every process of the postgres user, from /proc (other servers of that user count too)"
	}
	if err == nil {
		_, err = m.Seconds()
	}
	if err != nil {
		db.CPUNote = "server CPU not measured: " + err.Error()
		return
	}
	db.cpu, db.CPUNote = &m, note
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" || filepath.IsAbs(host) { // a Unix socket directory
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cpuSeconds reads the server CPU meter; ok is false when there is none.
func (db *database) cpuSeconds() (float64, bool) {
	if db.cpu == nil {
		return 0, false
	}
	s, err := db.cpu.Seconds()
	return s, err == nil
}

// exec runs statements on the harness's own connection.
func (db *database) exec(ctx context.Context, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("exec %.80q: %w", s, err)
		}
	}
	return nil
}

// settle checkpoints, so that every timed run starts with no dirty buffers
// and no WAL left to flush from the one before (not timed).
func (db *database) settle(ctx context.Context) error {
	return db.exec(ctx, "CHECKPOINT")
}

// count returns the rows of a table.
func (db *database) count(ctx context.Context, table string) (int64, error) {
	var n int64
	if err := db.conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// Close drops the harness's schemas on a given server, and stops a
// throwaway one.
func (db *database) Close(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	var err error
	if db.conn != nil {
		if !db.Throwaway {
			err = db.exec(ctx, "DROP SCHEMA IF EXISTS "+benchSchema+", "+mbiSchema+", "+ledgerSchema+" CASCADE")
		}
		db.conn.Close(ctx)
	}
	if db.srv != nil {
		if stopErr := db.srv.Stop(ctx); err == nil {
			err = stopErr
		}
	}
	return err
}
