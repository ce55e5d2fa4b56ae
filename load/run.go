package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

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
	plan    targetPlan   // see readTarget
	// notNull and types are the mechanism's record for the ledger (see
	// written).
	notNull     []string
	types       map[string]string
	fingerprint recordedLoad // the load's settings, for the ledger
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
		if skip, err := r.published(ctx); err != nil || skip {
			return err
		}
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

// published is the idempotency check (see checkPublished): skip says the
// export is published already; r.plan gets the last load's record.
func (r *loadRun) published(ctx context.Context) (skip bool, err error) {
	p, last, err := checkPublished(ctx, r.tx, r.l.ledger, r.l.cfg.Schema, r.target, r.job, r.fingerprint)
	if err != nil {
		return false, err
	}
	r.plan.last = last
	if p.err != nil {
		return false, p.err
	}
	if p.skip {
		r.res.Status, r.res.Note = StatusSkipped, p.note
		return true, nil
	}
	if p.warning != "" {
		r.res.Warnings = append(r.res.Warnings, p.warning)
		r.l.log.Warn(p.warning, "table", r.qtarget)
	}
	r.plan.replaceExport = p.replaceExport
	r.steps.done("published check")
	return false, nil
}

// settings sets application_name (so that lock holders and killed
// sessions can be told apart) and a search_path of pg_catalog only
// (catalog definitions come back schema-qualified). synchronous_commit is
// left alone: turning it off saved nothing (BenchmarkCopyOptions).
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

// afterCopy checks the row counts and collects the rejects.
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

// warn records msg in the result's warnings and logs it.
func (r *loadRun) warn(msg string) {
	r.res.Warnings = append(r.res.Warnings, msg)
	if r.log != nil {
		r.log.Warn(msg)
	}
}
