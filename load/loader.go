package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/schema"
)

// Batches is a stream of Arrow record batches of one table, as
// transform.Decoder provides: Next returns batches of the table's
// [schema.Table.ArrowSchema] and io.EOF at the end; the caller owns each
// batch and releases it. Rejects returns the records refused within the
// error budget so far.
type Batches interface {
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Rejects() []schema.Reject
}

// LineSource is implemented by a [Batches] source that knows where its
// rows are in the CSV, as transform.Decoder does: a [RowError] then names
// the row's line rather than its number in the export.
type LineSource interface {
	// Line returns the physical line of the CSV (1-based, the header is
	// line 1) on which row i of the batch last returned by Next starts, or
	// 0 when unknown. It is called from the goroutine calling Next.
	Line(i int) int64
}

// Job is one table load.
type Job struct {
	// RunID identifies the mbiload run; empty means a random one.
	RunID string
	// Table is the resolved source table: target name, columns, types.
	Table *schema.Table
	// Mode is the load mode; empty means [ModeReplace].
	Mode Mode
	// Key overrides the merge key: target or source column names.
	Key []string
	// ExportID is the API's export id, "" for a local file.
	ExportID string
	// ExportedAt is the export's time (zero when unknown).
	ExportedAt time.Time
	// SHA256 is the hex digest of the export file (zip or CSV).
	SHA256 string
	// Bytes is the size of the export file.
	Bytes int64
	// Decode names the decoder's settings that shape the rows besides the
	// table (the NULL marker, zero dates: name → value), for the load's
	// fingerprint: a file loaded again with other settings is not
	// skipped (see checkPublished).
	Decode map[string]string
	// ExpectedRows is the export's row count as the API reports it, or -1
	// when unknown. Good rows plus rejected rows must equal it.
	ExpectedRows int64
	// Source yields the rows. A skipped load does not read it; the caller
	// closes it either way.
	Source Batches
	// Progress, when set, is called with the row count of each batch as the
	// COPY takes it (from the COPY's goroutine: it must be quick and safe
	// for concurrent use), for progress displays.
	Progress func(rows int64)
	// OtherTargets names the other tables (of the target schema) the run
	// loads: a materialized view reading one of them as well as this
	// table is not refreshed by this load but left to the caller
	// ([ViewDeferred], [Loader.RefreshViews]), to refresh once after the
	// last of them.
	OtherTargets []string
}

// Mechanisms: how a load wrote its rows (see [Result.Mechanism]).
const (
	// MechanismCreate is a first load: the table was created in the load's
	// transaction and filled.
	MechanismCreate = "create"
	// MechanismSwap is a replace that renamed a fully built staging table
	// into place of the old one.
	MechanismSwap = "swap"
	// MechanismInPlace is a replace that deleted the table's rows and
	// inserted the staged rows, because the table has dependents a swap
	// cannot carry.
	MechanismInPlace = "in-place"
	// MechanismInPlaceKeyed is an in-place replace matched on a key: of a
	// table other tables reference, rows whose key left the export are
	// deleted and the others upserted, so referencing rows keep their
	// targets; of a table with columns a user added, each new row gets
	// those columns' values from the old row of its key.
	MechanismInPlaceKeyed = "in-place-keyed"
	// MechanismCopy is an append that COPYed straight into the table.
	MechanismCopy = "copy"
	// MechanismStagedInsert is an append that staged the rows, added the new
	// columns and inserted them.
	MechanismStagedInsert = "staged-insert"
	// MechanismMerge is a merge through PostgreSQL's MERGE.
	MechanismMerge = "merge"
)

// Result describes a load.
type Result struct {
	// Status is StatusLoaded, StatusSkipped or StatusFailed.
	Status string
	// Schema and Table name the table written (for snapshot, <table>_history).
	Schema, Table string
	// Mode is the load mode.
	Mode Mode
	// RowsRead counts the good rows the source yielded, RowsRejected the
	// records it refused, RowsLoaded the rows written to the target (for
	// merge: inserted plus updated).
	RowsRead, RowsRejected, RowsLoaded int64
	// Mechanism says how the rows were published (the Mechanism* constants);
	// MechanismReason why, when it is not the mode's usual one.
	Mechanism       string
	MechanismReason string
	// SchemaChanges lists the differences found against the existing table
	// ("added column ...", "dropped column ...", "retyped column ...").
	SchemaChanges []string
	// Warnings lists things done that a user may want to know, such as an
	// index on a dropped column that was not re-created.
	Warnings []string
	// CopyDuration is the time spent streaming rows; PublishDuration the
	// time from the end of the COPY to the commit.
	CopyDuration, PublishDuration time.Duration
	// Duration is the whole load.
	Duration time.Duration
	// LedgerID is the id of the ledger row written.
	LedgerID int64
	// Note says why a skipped load was skipped: which earlier load
	// published the same content with the same settings, and when.
	Note string
	// Distribution says how Citus spreads the table written
	// ([DistributionHash] by a column, [DistributionReference]), "" for a
	// table it does not.
	Distribution string
	// QuickStatistics says the ANALYZE before the publish sampled a tenth
	// of the usual rows (statistics target 10), because autovacuum analyzes
	// the table fully soon after the commit anyway (see load/README.md).
	QuickStatistics bool
	// Views are the materialized views reading the table (directly or
	// through views) and what became of each: refreshed, failed (the
	// table is published all the same) or deferred (see
	// [Config.RefreshViews]).
	Views []ViewRefresh
}

// Loader loads tables into PostgreSQL. It is safe for concurrent use: each
// Load takes its own connection from the pool, and loads of the same table
// are serialised by an advisory lock.
type Loader struct {
	pool   *pgxpool.Pool
	cfg    Config
	ledger ledger
	log    *slog.Logger
	// version is the server's server_version_num (see ServerVersion):
	// what differs between majors is chosen by it.
	version int
	// unrecorded are failed loads the ledger could not take yet.
	unrecorded unrecorded
	// citus says the database has the Citus extension (see citus.go).
	citus bool
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

// loadRun is the state of one Load.
type loadRun struct {
	l       *Loader
	job     Job
	res     *Result
	started time.Time
	target  string // unquoted target table
	qtarget string // quoted, schema-qualified
	tx      pgx.Tx
	rejects []schema.Reject
	copyEnd time.Time
	steps   *steps
	log     *slog.Logger // names the table, mode and export
	lines   *lineMap     // the CSV lines of the rows COPYed, once the COPY is over
	// plan is what the load knows of its target, read before it writes
	// (see readTarget) and read-only from then on.
	plan targetPlan
	// notNull are the columns the published table has NOT NULL by the
	// metadata's doing, and types the columns whose type is mbiload's
	// doing, for the ledger (see madeNotNull, madeTypes): what the
	// mechanism wrote.
	notNull []string
	types   map[string]string
	// fingerprint is the load's settings and fingerprint, for the ledger.
	fingerprint recordedLoad
	// pending are the materialized views to refresh after the commit
	// (RefreshConcurrently).
	pending []matView
	// seqStage is the staging table (quoted) that numbers its rows in
	// seqColumn on a Citus cluster, where ctid order is no COPY order
	// (see findDuplicateCitus).
	seqStage string
}

// run is the load's transaction: lock, idempotency check, the mode's work,
// the ledger row, commit.
func (r *loadRun) run(ctx context.Context) error {
	l := r.l
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	r.tx = tx
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = tx.Rollback(rctx) // after a commit this does nothing
	}()
	if err := r.settings(ctx); err != nil {
		return err
	}
	if err := lockTable(ctx, tx, r.qtarget, l.cfg.LockTimeout); err != nil {
		return err
	}
	// Later lock waits (the publish, a COPY into a table someone holds)
	// are bounded too; "do not wait" still allows one publish attempt.
	wait := l.cfg.LockTimeout
	if wait < 0 {
		wait = l.cfg.PublishLockTry
	}
	if err := setLockTimeout(ctx, tx, wait); err != nil {
		return err
	}
	r.steps.done("begin and load lock")
	if err := r.checkOwner(ctx); err != nil {
		return err
	}
	if r.fingerprint, err = jobSettings(r.job); err != nil {
		return err
	}
	if !l.cfg.Force {
		p, last, err := checkPublished(ctx, tx, l.ledger, l.cfg.Schema, r.target, r.job, r.fingerprint)
		if err != nil {
			return err
		}
		r.plan.last = last
		if p.err != nil {
			return p.err
		}
		if p.skip {
			r.res.Status, r.res.Note = StatusSkipped, p.note
			return nil
		}
		if p.warning != "" {
			r.res.Warnings = append(r.res.Warnings, p.warning)
			l.log.Warn(p.warning, "table", r.qtarget)
		}
		r.plan.replaceExport = p.replaceExport
		r.steps.done("published check")
	}
	if err := r.write(ctx); err != nil {
		return err
	}
	if err := r.refreshViews(ctx); err != nil {
		return err
	}
	id, err := l.ledger.write(ctx, tx, l.cfg.Schema, ledgerRow{job: &r.job, res: r.res, target: r.target,
		started: r.started, finished: time.Now(), status: StatusLoaded, rejects: r.rejects, notNull: r.notNull,
		types: r.types, settings: &r.fingerprint})
	if err != nil {
		return err
	}
	r.steps.done("ledger")
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	r.steps.done("commit")
	r.res.LedgerID = id
	r.res.Status = StatusLoaded
	if !r.copyEnd.IsZero() {
		r.res.PublishDuration = time.Since(r.copyEnd)
	}
	r.refreshAfterCommit(ctx, conn.Conn())
	l.recordActions(ctx, r.job.RunID, viewActions(r.res.Views))
	return nil
}

// settings configures the transaction: application_name (so that lock
// holders and killed sessions can be told apart), a search_path of
// pg_catalog only (catalog definitions come back schema-qualified; every
// statement of ours qualifies its names anyway). synchronous_commit is left
// alone: turning it off saved nothing measurable (BenchmarkCopyOptions).
func (r *loadRun) settings(ctx context.Context) error {
	app := "mbiload " + r.l.cfg.Schema + "." + r.target
	if len(app) > 63 {
		app = strings.ToValidUTF8(app[:63], "")
	}
	sql := "SELECT set_config('application_name', $1, true), set_config('search_path', 'pg_catalog', true)"
	if _, err := r.tx.Exec(ctx, sql, app); err != nil {
		return fmt.Errorf("configure the session: %w", err)
	}
	if r.l.citus {
		if _, err := r.tx.Exec(ctx, citusSettings); err != nil {
			return fmt.Errorf("configure the session: %w", err)
		}
	}
	return nil
}

// recordFailure writes a failed ledger row with the rejects, in its own
// transaction after the rollback; it only logs its own errors.
func (r *loadRun) recordFailure(ctx context.Context, loadErr error) {
	if errors.Is(loadErr, ErrInvalidJob) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	rejects := r.rejects
	if rejects == nil {
		rejects = r.job.Source.Rejects()
	}
	r.res.RowsRejected = int64(len(rejects))
	msg := ErrorText(loadErr)
	if len(msg) > 4000 {
		msg = strings.ToValidUTF8(msg[:4000], "")
	}
	finished := time.Now()
	res := *r.res // as it is now: the Result goes on to its caller
	write := func(ctx context.Context) (id int64, err error) {
		err = pgx.BeginFunc(ctx, r.l.pool, func(tx pgx.Tx) error {
			id, err = r.l.ledger.write(ctx, tx, r.l.cfg.Schema, ledgerRow{job: &r.job, res: &res, target: r.target,
				started: r.started, finished: finished, status: StatusFailed, errText: cleanText(msg), rejects: rejects})
			return err
		})
		return id, err
	}
	id, err := write(ctx)
	if err == nil {
		r.res.LedgerID = id
		return
	}
	// Most often the database is gone, which is the failure itself: the
	// run writes it when the database answers again, or says once that it
	// could not (see RecordUnrecorded).
	r.l.unrecorded.keep(r.l.cfg.Schema+"."+r.target, func(ctx context.Context) error { _, err := write(ctx); return err }, err)
	r.l.log.Debug("could not record the failed load in the ledger yet", "table", r.l.cfg.Schema+"."+r.target,
		"err", ErrorText(err))
}

// afterCopy checks the row counts once the COPY is done and collects the
// rejects.
func (r *loadRun) afterCopy(cr copyResult) error {
	r.copyEnd = time.Now()
	r.rejects = r.job.Source.Rejects()
	r.res.RowsRead = cr.Sent
	r.res.RowsRejected = int64(len(r.rejects))
	if cr.Rows != cr.Sent {
		return &RowCountError{What: "rows COPYed versus rows decoded", Got: cr.Rows, Want: cr.Sent}
	}
	if len(r.rejects) > r.l.cfg.MaxBadRows {
		return fmt.Errorf("%d rejected rows exceed the budget of %d (first: line %d: %s)",
			len(r.rejects), r.l.cfg.MaxBadRows, r.rejects[0].Line, r.rejects[0].Reason)
	}
	if cr.Sent == 0 && len(r.rejects) > 0 {
		return allRejected(r.rejects)
	}
	if r.job.ExpectedRows >= 0 && cr.Sent+int64(len(r.rejects)) != r.job.ExpectedRows {
		return &RowCountError{What: "rows decoded plus rejected versus the export's row count",
			Got: cr.Sent + int64(len(r.rejects)), Want: r.job.ExpectedRows}
	}
	return nil
}

// warn records msg in the result's warnings (the run report) and logs it
// at warning level (the console).
func (r *loadRun) warn(msg string) {
	r.res.Warnings = append(r.res.Warnings, msg)
	if r.log != nil {
		r.log.Warn(msg)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
