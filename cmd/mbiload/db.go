package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/transform"
	"github.com/urfave/cli/v2"
)

// loadFlags configure the loader, shared by sync, backfill and load-file.
func loadFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "mode", Value: string(load.ModeReplace), Usage: "replace, append, merge or snapshot"},
		&cli.StringSliceFlag{Name: "key", Usage: "merge key columns (default: the primary key from the metadata)"},
		&cli.IntFlag{Name: "max-bad-rows", Usage: "error budget: reject up to N bad rows per table into the reject table instead of failing"},
		&cli.BoolFlag{Name: "force", Usage: "reload an export that is already published"},
		&cli.DurationFlag{Name: "lock-timeout", Value: load.DefaultLockTimeout, Usage: "how long to wait for another run loading the same table (0: fail at once)"},
		&cli.StringFlag{Name: "null-string", Usage: "CSV NULL marker (default: an unquoted empty field)"},
		&cli.IntFlag{Name: "max-record-mib", Value: transform.DefaultMaxRecordBytes >> 20,
			Usage: "the largest CSV record (one row) accepted, in MiB: a larger one (or an unterminated quote) fails the table; peak memory is about 50 MB plus 12 times this"},
		&cli.StringFlag{Name: "zero-dates", Value: "null", Usage: "MySQL zero dates (0000-00-00, and partial ones such as 2023-00-10): null (-infinity in a NOT NULL column) or error"},
		&cli.StringFlag{Name: "temp-dir", EnvVars: []string{"MBILOAD_TEMP_DIR"}, Usage: "where exports are downloaded (default the system temp dir)"},
		refreshViewsFlag(),
	}, distributeFlags()...)
}

// checkSchemas refuses a target schema equal to the ledger schema (a
// usage error): a source table named loads or rejects would replace the
// ledger.
func checkSchemas(c *cli.Context) error {
	if c.String("schema") == c.String("ledger-schema") {
		return usagef("--schema and --ledger-schema are both %q: they must differ, or a source table named "+
			"loads or rejects would replace the ledger", c.String("schema"))
	}
	return nil
}

// openPool connects to DATABASE_URL and refuses a server older than
// PostgreSQL 14 (load.ServerVersion). The URL, which may hold a password,
// never appears in an error.
func openPool(ctx context.Context, c *cli.Context, conns int) (*pgxpool.Pool, error) {
	if err := checkSchemas(c); err != nil {
		return nil, err
	}
	url := c.String("database-url")
	if url == "" {
		return nil, usagef("no database: set DATABASE_URL or --database-url (e.g. postgres://loader@db/warehouse)")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, usagef("DATABASE_URL is not a valid PostgreSQL connection string (not shown: it may hold a password)")
	}
	if file := c.String("database-password-file"); file != "" {
		pw, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read --database-password-file: %w", err)
		}
		cfg.ConnConfig.Password = strings.TrimRight(string(pw), "\r\n")
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "mbiload"
	}
	cfg.MaxConns = int32(max(conns, 4))
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
		}
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %w (is the server running and DATABASE_URL right?)",
			cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	// A server too old is refused here, before any command reads or
	// writes anything.
	if _, _, err := load.ServerVersion(pctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// newLoader builds the loader from the global and load flags and, unless
// readOnly, creates what is missing of the schemas and the ledger
// (load.Loader.Setup). A read-only caller asks loader.Ready instead.
func newLoader(ctx context.Context, c *cli.Context, env *appEnv, pool *pgxpool.Pool, readOnly bool) (*load.Loader, error) {
	lockTimeout := c.Duration("lock-timeout")
	if lockTimeout == 0 {
		lockTimeout = -1 // load.Config: negative means do not wait
	}
	refresh, err := refreshMode(c)
	if err != nil {
		return nil, err
	}
	rules, err := distributeRules(c)
	if err != nil {
		return nil, err
	}
	loader, err := load.New(ctx, pool, load.Config{
		RefreshViews: refresh,
		Distribute:   rules,
		Schema:       c.String("schema"),
		LedgerSchema: c.String("ledger-schema"),
		LockTimeout:  lockTimeout,
		MaxBadRows:   c.Int("max-bad-rows"),
		Force:        c.Bool("force"),
		Logger:       env.log,
	})
	if err != nil {
		return nil, fmt.Errorf("prepare the warehouse: %w", err)
	}
	if readOnly {
		return loader, nil
	}
	if err := loader.Setup(ctx); err != nil {
		return nil, fmt.Errorf("prepare the warehouse: %w", err)
	}
	return loader, nil
}
