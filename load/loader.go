package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/schema"
)

// Loader loads tables into PostgreSQL. It is safe for concurrent use: each
// Load takes its own connection from the pool, and loads of the same table
// are serialised by an advisory lock.
type Loader struct {
	pool       *pgxpool.Pool
	cfg        Config
	ledger     ledger
	log        *slog.Logger
	version    int        // server_version_num (see ServerVersion)
	unrecorded unrecorded // failed loads the ledger could not take yet
	citus      bool       // the database has the Citus extension
}

// New validates cfg and refuses a server older than PostgreSQL 14
// ([ErrServerVersion]), a database that cannot store the exports' text
// ([checkEncoding]) and distribution rules without Citus ([ErrNoCitus]). It
// creates and changes nothing: [Loader.Setup] creates the schemas and the
// ledger before a first load, and [Loader.Ready] tells a read-only caller
// whether they exist.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*Loader, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: nil pool", ErrInvalidConfig)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	l := &Loader{pool: pool, cfg: cfg, ledger: ledger{schema: cfg.LedgerSchema}, log: cfg.Logger}
	if l.version, _, err = ServerVersion(ctx, pool); err != nil {
		return nil, err
	}
	if err := checkEncoding(ctx, pool); err != nil {
		return nil, err
	}
	if l.citus, err = citusInstalled(ctx, pool); err != nil {
		return nil, err
	}
	if len(cfg.Distribute) > 0 && !l.citus {
		return nil, ruleErrorf(cfg.Distribute[:1], "%w: %s needs the Citus extension, which this database does not have (CREATE EXTENSION citus on a Citus coordinator)",
			ErrNoCitus, cfg.Distribute[0].describe())
	}
	return l, nil
}

// Setup creates the target and ledger schemas and the ledger tables when
// they are missing, before a first load (under an advisory lock, so that
// concurrent first runs do not collide). Nothing is created when
// everything exists ([Loader.Ready]), so a role without CREATE privileges
// can load once they do.
func (l *Loader) Setup(ctx context.Context) error {
	if ok, err := l.Ready(ctx); err != nil || ok {
		return err
	}
	return pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext('mbiload setup'))", int32(advisoryClass)); err != nil {
			return fmt.Errorf("lock for setup: %w", err)
		}
		for _, s := range []string{l.cfg.Schema, l.cfg.LedgerSchema} {
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", s).Scan(&exists); err != nil {
				return fmt.Errorf("look up schema %s: %w", schema.Quote(s), err)
			}
			if !exists {
				if _, err := tx.Exec(ctx, "CREATE SCHEMA "+schema.Quote(s)); err != nil {
					return fmt.Errorf("create schema %s: %w", schema.Quote(s), err)
				}
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname IN ('loads', 'rejects')`, l.cfg.LedgerSchema).Scan(&n); err != nil {
			return fmt.Errorf("look up the ledger: %w", err)
		}
		if n < 2 {
			if _, err := tx.Exec(ctx, fmt.Sprintf(ledgerDDL, schema.Quote(l.cfg.LedgerSchema))); err != nil {
				return fmt.Errorf("create the ledger in %s: %w", schema.Quote(l.cfg.LedgerSchema), err)
			}
		}
		return nil
	})
}

// Ready reports whether the target schema, the ledger schema and the
// ledger tables all exist, creating nothing: what a command that must not
// change the database (a dry run) checks instead of calling [Loader.Setup].
func (l *Loader) Ready(ctx context.Context) (bool, error) {
	var n int
	err := l.pool.QueryRow(ctx, `
SELECT (SELECT count(*) FROM pg_namespace WHERE nspname IN ($1, $2)) +
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $2 AND c.relname IN ('loads', 'rejects') AND c.relkind IN ('r', 'p'))`,
		l.cfg.Schema, l.cfg.LedgerSchema).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up the ledger: %w", err)
	}
	return n == 4, nil
}

// Schema returns the target schema.
func (l *Loader) Schema() string { return l.cfg.Schema }

// HistoryTableName returns the name of the table a snapshot load of a
// table named name appends to: name + "_history", cut to 63 bytes by the
// identifier rules.
func HistoryTableName(name string) string {
	return schema.Identifier(name+"_history", schema.IdentifiersPreserve, "history")
}

// TargetTable returns the table a load of t in mode writes: t.Name, or for
// snapshot t.HistoryName (HistoryTableName(t.Name) when that is empty).
func TargetTable(t *schema.Table, mode Mode) string {
	if mode != ModeSnapshot {
		return t.Name
	}
	if t.HistoryName != "" {
		return t.HistoryName
	}
	return HistoryTableName(t.Name)
}

// Load loads one table. It returns the Result and, when the status is
// StatusFailed, an error naming the table; nothing is published then (the
// previously published table is intact) and a failed ledger row records the
// error and the rejects. A load whose export is already published is
// skipped unless [Config.Force].
func (l *Loader) Load(ctx context.Context, job Job) (Result, error) {
	started := time.Now()
	res := Result{Status: StatusFailed, Schema: l.cfg.Schema, Mode: job.Mode}
	name := "?"
	if job.Table != nil {
		name = schema.Quote(l.cfg.Schema, job.Table.Name)
	}
	if err := l.checkJob(&job); err != nil {
		return res, fmt.Errorf("load %s: %w", name, err)
	}
	r := &loadRun{l: l, job: job, res: &res, started: started}
	r.target = TargetTable(job.Table, job.Mode)
	r.qtarget = schema.Quote(l.cfg.Schema, r.target)
	res.Mode, res.Table = job.Mode, r.target
	res.Warnings = append(res.Warnings, job.Table.Warnings...)
	// The table's plain name (a log quotes what needs it): the pipeline
	// logs each table's outcome once; the loader's own lines are details.
	log := l.log.With("table", l.cfg.Schema+"."+r.target, "mode", string(job.Mode), "export", job.ExportID)
	log.Debug("load started")
	r.steps = newSteps(log, started)
	r.log = log
	err := r.run(ctx)
	res.Duration = time.Since(started)
	if err != nil {
		res.Status = StatusFailed
		r.recordFailure(ctx, err)
		log.Debug("load failed", "err", err, "took", res.Duration.Round(time.Millisecond))
		return res, fmt.Errorf("load %s: %w", r.qtarget, err)
	}
	log.Debug("load done", "status", res.Status, "rows", res.RowsLoaded, "mechanism", res.Mechanism,
		"copy", res.CopyDuration.Round(time.Millisecond), "publish", res.PublishDuration.Round(time.Millisecond))
	return res, nil
}

// checkJob validates a job and fills in its defaults.
func (l *Loader) checkJob(job *Job) error {
	if job.Table == nil || len(job.Table.Fields) == 0 {
		return fmt.Errorf("%w: no table", ErrInvalidJob)
	}
	if job.Source == nil {
		return fmt.Errorf("%w: no source", ErrInvalidJob)
	}
	m, err := ParseMode(string(job.Mode))
	if err != nil {
		return err
	}
	job.Mode = m
	if job.RunID == "" {
		job.RunID = randomHex(8)
	}
	if job.ExpectedRows < -1 {
		return fmt.Errorf("%w: ExpectedRows %d (use -1 for unknown)", ErrInvalidJob, job.ExpectedRows)
	}
	if m == ModeMerge {
		if _, err := mergeKey(*job); err != nil {
			return err
		}
	}
	if m == ModeSnapshot && job.ExportID == "" && job.SHA256 == "" {
		return fmt.Errorf("%w: a snapshot load needs an export id or the file's SHA-256", ErrInvalidJob)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
