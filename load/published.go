package load

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// When a load is already published — skipped, unless [Config.Force]:
//
//   - replace and merge: the target's latest successful load has the
//     same fingerprint (the same content, mode, key and settings). The
//     same content loaded last with other settings (or by a version that
//     did not record them) is loaded again, with a warning naming what
//     changed: a replace or merge of the same rows is safe to repeat.
//   - append and snapshot, which keep every load's rows: a successful
//     load of the same mode and content since the target's latest
//     successful replace (which threw earlier rows away) has the same
//     fingerprint, or recorded none (an earlier version's load: its rows
//     are in the table). One with other settings: a snapshot replaces
//     the export's rows in the history table (as a forced one does, see
//     dropForcedExport); an append fails ([ErrAlreadyLoaded]): appending
//     the content again would hold its rows twice, and an append cannot
//     tell the old ones from the table's other rows.

// published is the already-published check's answer: skip (note says
// when and by which run), a refusal (err), or a load that goes on with a
// warning, a snapshot replacing its export's rows (replaceExport).
type published struct {
	skip          bool
	note          string
	err           error
	warning       string
	replaceExport bool
}

// pastLoad is a ledger row the check compares with.
type pastLoad struct {
	runID    string
	finished time.Time
	load     *recordedLoad // nil when not recorded
}

// when is the load as a message names it.
func (p pastLoad) when() string {
	return fmt.Sprintf("at %s (run %s)", p.finished.UTC().Format("2006-01-02 15:04:05 UTC"), p.runID)
}

// checkPublished is the idempotency check of job, whose settings are rec,
// into pgSchema.table, and readLastNames, in one round trip: the load
// makes both reads under its lock.
func checkPublished(ctx context.Context, q querier, lg ledger, pgSchema, table string, job Job, rec recordedLoad) (published, *lastNames, error) {
	col, val := "export_id", job.ExportID
	if val == "" {
		col, val = "sha256", job.SHA256
	}
	val = cleanText(val) // as the ledger stores it
	loads := lg.table("loads")
	sql := `SELECT l.source_table, l.source_columns, coalesce(l.mode, ''), coalesce(l.` + col + `, ''),
  coalesce(l.run_id, ''), l.finished_at`
	from := ` FROM (VALUES (1)) AS one (x) LEFT JOIN (SELECT * FROM ` + loads + `
 WHERE target_schema = $1 AND target_table = $2 AND status = 'loaded' ORDER BY id DESC LIMIT 1) l ON true`
	args := []any{pgSchema, table}
	acc := rec.Settings.Mode.accumulates() && val != ""
	if acc {
		// The best match among this mode's loads of the content since the
		// latest replace: the same fingerprint, else none recorded, else
		// the latest.
		sql += `, a.source_columns, coalesce(a.run_id, ''), a.finished_at`
		from += ` LEFT JOIN LATERAL (SELECT * FROM ` + loads + ` a
 WHERE a.target_schema = $1 AND a.target_table = $2 AND a.status = 'loaded' AND a.mode = $3 AND a.` + col + ` = $4
   AND a.id > coalesce((SELECT max(r.id) FROM ` + loads + ` r
     WHERE r.target_schema = $1 AND r.target_table = $2 AND r.status = 'loaded' AND r.mode = 'replace'), 0)
 ORDER BY CASE coalesce(a.source_columns -> '' -> 'load' ->> 'fingerprint', '') WHEN $5 THEN 0 WHEN '' THEN 1 ELSE 2 END, a.id DESC
 LIMIT 1) a ON true`
		args = append(args, string(rec.Settings.Mode), val, rec.Fingerprint)
	}
	var src *string
	var cols, accCols []byte
	var mode, content, runID, accRun string
	var finished, accFinished *time.Time
	dst := []any{&src, &cols, &mode, &content, &runID, &finished}
	if acc {
		dst = append(dst, &accCols, &accRun, &accFinished)
	}
	if err := q.QueryRow(ctx, sql+from, args...).Scan(dst...); err != nil {
		return published{}, nil, fmt.Errorf("check the ledger for %s: %w", schema.Quote(pgSchema, table), err)
	}
	last := parseLastNames(src, cols)
	if acc {
		if accFinished == nil {
			return published{}, last, nil
		}
		past := pastLoad{runID: accRun, finished: *accFinished, load: parseLastNames(nil, accCols).load}
		return accumulated(job, rec, past), last, nil
	}
	if finished == nil || val == "" || Mode(mode) != rec.Settings.Mode || content != val {
		return published{}, last, nil
	}
	return reloaded(job, rec, pastLoad{runID: runID, finished: *finished, load: last.load}), last, nil
}

// what names the content for a message.
func what(job Job) string {
	if job.ExportID != "" {
		return "the same export (" + job.ExportID + ")"
	}
	return "the same file"
}

// reloaded decides a replace or merge of the content the target's latest
// successful load, past, loaded in the same mode.
func reloaded(job Job, rec recordedLoad, past pastLoad) published {
	switch {
	case past.load == nil:
		return published{warning: fmt.Sprintf("loaded again: %s was loaded last %s by a version of mbiload that did not record its settings",
			what(job), past.when())}
	case past.load.Fingerprint == rec.Fingerprint:
		return published{skip: true, note: fmt.Sprintf("already loaded from %s with the same settings %s", what(job), past.when())}
	}
	return published{warning: fmt.Sprintf("loaded again: %s was loaded last %s with other settings: %s",
		what(job), past.when(), strings.Join(rec.Settings.changes(past.load.Settings), "; "))}
}

// accumulated decides an append or snapshot of content already loaded in
// that mode since the target's latest replace, best by past.
func accumulated(job Job, rec recordedLoad, past pastLoad) published {
	switch {
	case past.load == nil:
		return published{skip: true, note: fmt.Sprintf("already loaded (%s) from %s %s by a version of mbiload that did not record its settings",
			rec.Settings.Mode, what(job), past.when())}
	case past.load.Fingerprint == rec.Fingerprint:
		return published{skip: true, note: fmt.Sprintf("already loaded (%s) from %s with the same settings %s",
			rec.Settings.Mode, what(job), past.when())}
	}
	changes := strings.Join(rec.Settings.changes(past.load.Settings), "; ")
	if rec.Settings.Mode == ModeSnapshot {
		return published{replaceExport: true, warning: fmt.Sprintf("loaded again: %s was snapshotted %s with other settings: %s; its rows in the history table are replaced",
			what(job), past.when(), changes)}
	}
	return published{err: fmt.Errorf("%s: %s was already appended %s with other settings (%s); appending it again would hold its rows twice: "+
		"reload the table in replace mode, or force the append: %w",
		subject(rec.Settings.Mode, job.Table.SourceName), what(job), past.when(), changes, ErrAlreadyLoaded)}
}
