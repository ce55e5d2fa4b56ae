package load

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// Defaults for [Config].
const (
	// DefaultSchema is the default target schema.
	DefaultSchema = "mbi"
	// DefaultLedgerSchema is the default schema of the ledger, the reject
	// table and the staging tables.
	DefaultLedgerSchema = "mbiload"
	// DefaultLockTimeout is how long a load waits for another load of the
	// same table, and in total for the publish lock.
	DefaultLockTimeout = 10 * time.Minute
	// defaultPublishLockTry is how long one attempt at the publish lock
	// waits before giving way to the readers queued behind it.
	defaultPublishLockTry = 2 * time.Second
)

// Config configures a [Loader]. The zero value means the defaults.
type Config struct {
	// Schema is the target schema (default "mbi"), created if missing.
	Schema string
	// LedgerSchema holds the ledger (loads), the reject table (rejects) and,
	// for the length of a load's transaction, its staging table (default
	// "mbiload"); created if missing.
	LedgerSchema string
	// LockTimeout bounds the wait for another run's lock on the same table
	// (the per-table advisory lock) and, in total, for the publish lock
	// (default 10 minutes). Negative means do not wait: fail at once when
	// another load holds the table.
	LockTimeout time.Duration
	// PublishLockTry is how long one attempt at the ACCESS EXCLUSIVE lock of
	// the publish waits (default 2s). While an attempt waits, new readers of
	// the table queue behind it; between attempts they run. Attempts repeat
	// until LockTimeout.
	PublishLockTry time.Duration
	// MaxBadRows is the error budget: a source reporting more rejects than
	// this fails the load, whatever the decoder allowed.
	MaxBadRows int
	// Force reloads an export that is already published.
	Force bool
	// Logger receives progress; nil discards.
	Logger *slog.Logger
	// RefreshViews says when a load refreshes the materialized views that
	// read the table it changed; "" means [RefreshInTransaction].
	RefreshViews RefreshMode
	// Distribute makes the tables first loads create Citus distributed or
	// reference tables (see [DistributeRule]); the database must have
	// Citus ([ErrNoCitus]). Existing tables keep their distribution.
	Distribute []DistributeRule
}

func (c Config) withDefaults() (Config, error) {
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	if c.LedgerSchema == "" {
		c.LedgerSchema = DefaultLedgerSchema
	}
	if c.Schema == c.LedgerSchema {
		// A source table named loads or rejects would replace the ledger.
		return c, fmt.Errorf("%w: the target schema and the ledger schema are both %q: they must differ",
			ErrInvalidConfig, c.Schema)
	}
	for _, s := range []string{c.Schema, c.LedgerSchema} {
		if len(s) > schema.MaxIdentifierBytes || strings.ContainsRune(s, 0) {
			return c, fmt.Errorf("%w: schema name %q is not a valid PostgreSQL identifier", ErrInvalidConfig, s)
		}
	}
	if c.LockTimeout == 0 {
		c.LockTimeout = DefaultLockTimeout
	}
	if c.PublishLockTry <= 0 {
		c.PublishLockTry = defaultPublishLockTry
	}
	if c.MaxBadRows < 0 {
		return c, fmt.Errorf("%w: MaxBadRows %d is negative", ErrInvalidConfig, c.MaxBadRows)
	}
	m, err := ParseRefreshMode(string(c.RefreshViews))
	if err != nil {
		return c, err
	}
	c.RefreshViews = m
	for _, d := range c.Distribute {
		if err := d.check(); err != nil {
			return c, err
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
