package load

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Script is one SQL file of a run's --after-sync hook.
type Script struct {
	// Name names it in errors and the ledger (the file's path).
	Name string
	// SQL is its text: any statements, separated by semicolons, except
	// transaction control (they all run in one transaction).
	SQL string
}

// AfterSyncResult is the outcome of a run's --after-sync hook.
type AfterSyncResult struct {
	// Files are the scripts' names, in the order they ran.
	Files []string `json:"files"`
	// Status is one of the AfterSync* statuses.
	Status string `json:"status"`
	// Seconds is the time the hook took, to its commit or rollback.
	Seconds float64 `json:"seconds"`
	// Error is the failure's message, naming the file and, where the
	// server says, the line.
	Error string `json:"error,omitempty"`
}

// After-sync statuses.
const (
	// AfterSyncSucceeded is a hook that committed.
	AfterSyncSucceeded = "succeeded"
	// AfterSyncFailed is a hook that failed and was rolled back.
	AfterSyncFailed = "failed"
	// AfterSyncSkipped is a hook not run: the run loaded nothing.
	AfterSyncSkipped = "skipped"
	// AfterSyncPlanned is a hook a dry run would run.
	AfterSyncPlanned = "planned"
)

// AfterSync runs scripts, in order, in one transaction on a connection of
// the loader's pool (the session's own search_path, application_name
// "mbiload after-sync"), and records the outcome in the ledger (runID).
// A failure rolls the whole hook back and is in the result; nothing the
// loads published is touched.
func (l *Loader) AfterSync(ctx context.Context, runID string, scripts []Script) AfterSyncResult {
	res := AfterSyncResult{Status: AfterSyncSucceeded}
	for _, s := range scripts {
		res.Files = append(res.Files, s.Name)
	}
	start := time.Now()
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_catalog.set_config('application_name', 'mbiload after-sync', true)"); err != nil {
			return fmt.Errorf("after-sync: %w", err)
		}
		for _, s := range scripts {
			// No arguments: the simple protocol, which takes several
			// statements at once.
			if _, err := tx.Exec(ctx, s.SQL); err != nil {
				return fmt.Errorf("after-sync %s%s: %w", s.Name, scriptLine(s.SQL, err), err)
			}
		}
		return nil
	})
	end := time.Now()
	res.Seconds = end.Sub(start).Seconds()
	if err != nil {
		res.Status, res.Error = AfterSyncFailed, cleanText(err.Error())
		l.log.Warn("after-sync hook failed; the loaded tables stay published", "err", err)
	} else {
		l.log.Info("after-sync hook done", "files", len(scripts), "seconds", round3(res.Seconds))
	}
	l.recordActions(ctx, runID, []action{{kind: actionAfterSync, name: strings.Join(res.Files, ", "),
		status: res.Status, err: res.Error, started: start, finished: end}})
	return res
}

// scriptLine is " line N" for a server error whose position falls in sql,
// else "".
func scriptLine(sql string, err error) string {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Position <= 0 {
		return ""
	}
	runes := []rune(sql)
	if int(pe.Position) > len(runes) {
		return ""
	}
	return fmt.Sprintf(" line %d", strings.Count(string(runes[:pe.Position-1]), "\n")+1)
}
