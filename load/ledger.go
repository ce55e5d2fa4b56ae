package load

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// Ledger statuses.
const (
	// StatusLoaded is a load that published its rows.
	StatusLoaded = "loaded"
	// StatusSkipped is a load that found its export already published and
	// did nothing (it is not written to the ledger).
	StatusSkipped = "skipped"
	// StatusFailed is a load that published nothing.
	StatusFailed = "failed"
)

// LedgerEntry is one row of the load ledger (<ledger>.loads).
type LedgerEntry struct {
	// ID is the row's id, increasing with time.
	ID int64 `json:"id"`
	// RunID identifies the mbiload run that made the load.
	RunID string `json:"run_id"`
	// SourceTableID and SourceTable identify the source table in the API.
	SourceTableID string `json:"source_table_id"`
	SourceTable   string `json:"source_table"`
	// ExportID is the API's export id, "" for a local file.
	ExportID string `json:"export_id"`
	// ExportedAt is the export's time, zero when unknown.
	ExportedAt time.Time `json:"exported_at,omitzero"`
	// TargetSchema and TargetTable name the table written.
	TargetSchema string `json:"target_schema"`
	TargetTable  string `json:"target_table"`
	// Mode is the load mode.
	Mode Mode `json:"mode"`
	// Mechanism says how the rows were published (see [Result.Mechanism]).
	Mechanism string `json:"mechanism,omitempty"`
	// RowsRead, RowsRejected and RowsLoaded count the export's good rows,
	// rejected rows and the rows written to the target.
	RowsRead     int64 `json:"rows_read"`
	RowsRejected int64 `json:"rows_rejected"`
	RowsLoaded   int64 `json:"rows_loaded"`
	// Bytes is the size of the export file; SHA256 its hex digest.
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
	// SchemaChanges lists the differences found against the existing table.
	SchemaChanges []string `json:"schema_changes,omitempty"`
	// StartedAt and FinishedAt bound the load.
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Status is StatusLoaded or StatusFailed.
	Status string `json:"status"`
	// Error is the failure's message for a failed load.
	Error string `json:"error,omitempty"`
}

// ledgerDDL creates the ledger tables in schema %[1]s (quoted); it runs only
// when they are missing, under an advisory lock.
const ledgerDDL = `
CREATE TABLE IF NOT EXISTS %[1]s.loads (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL,
  source_table_id text,
  source_table text,
  export_id text,
  exported_at timestamptz,
  target_schema text NOT NULL,
  target_table text NOT NULL,
  mode text NOT NULL,
  mechanism text,
  rows_read bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  rows_loaded bigint NOT NULL DEFAULT 0,
  bytes bigint,
  sha256 text,
  schema_changes text[],
  source_columns jsonb,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  status text NOT NULL,
  error text
);
CREATE INDEX IF NOT EXISTS loads_target_idx ON %[1]s.loads (target_schema, target_table, id);
CREATE TABLE IF NOT EXISTS %[1]s.rejects (
  load_id bigint,
  run_id text NOT NULL,
  target_schema text NOT NULL,
  target_table text NOT NULL,
  export_id text,
  line bigint,
  column_name text,
  record text,
  reason text
);
CREATE INDEX IF NOT EXISTS rejects_load_idx ON %[1]s.rejects (load_id);
COMMENT ON TABLE %[1]s.loads IS 'mbiload: one row per table load';
COMMENT ON TABLE %[1]s.rejects IS 'mbiload: CSV records refused within the error budget';
`

// ledgerColumns are the loads columns read into a LedgerEntry.
const ledgerColumns = `id, run_id, coalesce(source_table_id, ''), coalesce(source_table, ''),
  coalesce(export_id, ''), exported_at, target_schema, target_table, mode, coalesce(mechanism, ''),
  rows_read, rows_rejected, rows_loaded, coalesce(bytes, 0), coalesce(sha256, ''),
  coalesce(schema_changes, '{}'), started_at, finished_at, status, coalesce(error, '')`

func scanLedgerEntry(r pgx.CollectableRow) (LedgerEntry, error) {
	var e LedgerEntry
	var exportedAt *time.Time
	var mode string
	err := r.Scan(&e.ID, &e.RunID, &e.SourceTableID, &e.SourceTable, &e.ExportID, &exportedAt,
		&e.TargetSchema, &e.TargetTable, &mode, &e.Mechanism, &e.RowsRead, &e.RowsRejected,
		&e.RowsLoaded, &e.Bytes, &e.SHA256, &e.SchemaChanges, &e.StartedAt, &e.FinishedAt,
		&e.Status, &e.Error)
	e.Mode = Mode(mode)
	if exportedAt != nil {
		e.ExportedAt = *exportedAt
	}
	return e, err
}

// ledger is the load ledger in one schema.
type ledger struct {
	schema string // unquoted
}

func (lg ledger) table(name string) string { return schema.Quote(lg.schema, name) }

// History returns the latest ledger entries, newest first; limit ≤ 0 means
// 100.
func (l *Loader) History(ctx context.Context, limit int) ([]LedgerEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := l.pool.Query(ctx, "SELECT "+ledgerColumns+" FROM "+l.ledger.table("loads")+
		" ORDER BY id DESC LIMIT $1", limit)
	if err != nil {
		return nil, fmt.Errorf("read load history: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanLedgerEntry)
	if err != nil {
		return nil, fmt.Errorf("read load history: %w", err)
	}
	return out, nil
}

// LastSuccess returns the latest successful load of targetTable in the
// configured schema, or nil when there is none.
func (l *Loader) LastSuccess(ctx context.Context, targetTable string) (*LedgerEntry, error) {
	return lastSuccess(ctx, l.pool, l.ledger, l.cfg.Schema, targetTable)
}

func lastSuccess(ctx context.Context, q querier, lg ledger, pgSchema, table string) (*LedgerEntry, error) {
	rows, err := q.Query(ctx, "SELECT "+ledgerColumns+" FROM "+lg.table("loads")+
		" WHERE target_schema = $1 AND target_table = $2 AND status = 'loaded' ORDER BY id DESC LIMIT 1",
		pgSchema, table)
	if err != nil {
		return nil, fmt.Errorf("read last load of %s: %w", schema.Quote(pgSchema, table), err)
	}
	e, err := pgx.CollectOneRow(rows, scanLedgerEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read last load of %s: %w", schema.Quote(pgSchema, table), err)
	}
	return &e, nil
}

// AlreadyPublished reports whether job (its Source unused) is already
// published, as [Loader.Load] decides under the table's lock (see
// checkPublished), and returns why ("" when it is not): sync uses it to
// skip a download. An append or snapshot the load would refuse is not
// published.
func (l *Loader) AlreadyPublished(ctx context.Context, job Job) (string, error) {
	if job.Table == nil {
		return "", fmt.Errorf("%w: no table", ErrInvalidJob)
	}
	rec, err := jobSettings(job)
	if err != nil {
		return "", err
	}
	target := TargetTable(job.Table, rec.Settings.Mode)
	p, _, err := checkPublished(ctx, l.pool, l.ledger, l.cfg.Schema, target, job, rec)
	if err != nil || !p.skip {
		return "", err
	}
	return p.note, nil
}

// ledgerRow is what a load writes to the ledger.
type ledgerRow struct {
	job      *Job
	res      *Result
	target   string // unquoted target table name
	started  time.Time
	status   string
	errText  string
	rejects  []schema.Reject
	finished time.Time
	// notNull, types and settings are what a successful load records in
	// source_columns (see encodeSourceColumns); nil: not recorded.
	notNull  []string
	types    map[string]string
	settings *recordedLoad
}

// write inserts the row and its rejects through q and returns its id.
func (lg ledger) write(ctx context.Context, q querier, pgSchema string, r ledgerRow) (int64, error) {
	j := r.job
	var exportedAt *time.Time
	if !j.ExportedAt.IsZero() {
		exportedAt = &j.ExportedAt
	}
	changes := r.res.SchemaChanges
	if changes == nil {
		changes = []string{}
	}
	var id int64
	err := q.QueryRow(ctx, "INSERT INTO "+lg.table("loads")+` (run_id, source_table_id, source_table,
  export_id, exported_at, target_schema, target_table, mode, mechanism, rows_read, rows_rejected,
  rows_loaded, bytes, sha256, schema_changes, source_columns, started_at, finished_at, status, error)
VALUES ($1, nullif($2, ''), $3, nullif($4, ''), $5, $6, $7, $8, nullif($9, ''), $10, $11, $12, $13,
  nullif($14, ''), $15, $16, $17, $18, $19, nullif($20, ''))
RETURNING id`,
		cleanText(j.RunID), cleanText(string(j.Table.SourceID)), cleanName(j.Table.SourceName), cleanText(j.ExportID),
		exportedAt, cleanText(pgSchema), cleanText(r.target), cleanText(string(j.Mode)), cleanText(r.res.Mechanism),
		r.res.RowsRead, r.res.RowsRejected, r.res.RowsLoaded, j.Bytes, cleanText(j.SHA256), cleanTexts(changes),
		encodeSourceColumns(j.Table, r.notNull, r.settings, r.types), r.started, r.finished, r.status, cleanText(r.errText)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("write the ledger: %w", err)
	}
	if len(r.rejects) == 0 {
		return id, nil
	}
	rows := make([][]any, len(r.rejects))
	for k, rj := range r.rejects {
		rows[k] = []any{id, cleanText(j.RunID), cleanText(pgSchema), cleanText(r.target), nullIfEmpty(cleanText(j.ExportID)), rj.Line,
			nullIfEmpty(cleanText(rj.Column)), cleanText(rj.Record), cleanText(rj.Reason)}
	}
	if _, err := copyRows(ctx, q, pgx.Identifier{lg.schema, "rejects"},
		[]string{"load_id", "run_id", "target_schema", "target_table", "export_id", "line", "column_name", "record", "reason"},
		rows); err != nil {
		return 0, fmt.Errorf("write rejects: %w", err)
	}
	return id, nil
}

// copyRows COPYs rows through q, which must be a pgx.Tx or *pgx.Conn.
func copyRows(ctx context.Context, q querier, table pgx.Identifier, cols []string, rows [][]any) (int64, error) {
	type copier interface {
		CopyFrom(ctx context.Context, tableName pgx.Identifier, columnNames []string, rowSrc pgx.CopyFromSource) (int64, error)
	}
	c, ok := q.(copier)
	if !ok {
		return 0, fmt.Errorf("copy rows: %T cannot COPY", q)
	}
	return c.CopyFrom(ctx, table, cols, pgx.CopyFromRows(rows))
}

// cleanText replaces what PostgreSQL text (and jsonb) cannot store
// (invalid UTF-8, NUL bytes): every string the ledger stores goes through
// it, so that no name can keep a load's outcome out of the ledger.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// cleanName is cleanText for a source name, whose NUL bytes are dropped
// as they are from the COMMENT that holds the name (schema.QuoteLiteral).
func cleanName(s string) string {
	return cleanText(strings.ReplaceAll(s, "\x00", ""))
}

// cleanTexts is cleanText of each string.
func cleanTexts(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = cleanText(s)
	}
	return out
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
