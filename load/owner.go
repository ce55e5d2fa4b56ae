package load

import (
	"context"
	"errors"
	"fmt"

	"github.com/mbiload/mbiload/schema"
)

// ErrTargetTaken is a load whose target table belongs to another role: a
// snapshot into a table that is not the history of the same source table
// (another source's history, a replaced or appended table, a table
// mbiload did not create), or a replace, append or merge into a snapshot
// history table. Either would mix or destroy rows: the load is refused
// before anything is written.
var ErrTargetTaken = errors.New("load: the target table belongs to another source or role")

// tableOwner is what the ledger says about an existing target: the mode
// and source of its latest successful load.
type tableOwner struct {
	exists   bool
	loaded   bool // a successful load of it is in the ledger
	mode     Mode
	sourceID string
	source   string
}

// describe names the owner's last load for an error: `snapshot of source
// table "x" (id 7)`.
func (o tableOwner) describe() string {
	s := fmt.Sprintf("%s of source table %q", o.mode, o.source)
	if o.sourceID != "" {
		s += " (id " + o.sourceID + ")"
	}
	return s
}

// sameSource reports whether the owner's last load came from the job's
// source table: the same id, or the same name (a table re-created in
// Magento BI keeps its name under a new id; a local file has no id).
func (o tableOwner) sameSource(t *schema.Table) bool {
	if o.sourceID != "" && o.sourceID == string(t.SourceID) {
		return true
	}
	return o.source == cleanName(t.SourceName)
}

// readOwner reads whether the target exists and its latest successful
// load, in one round trip.
func readOwner(ctx context.Context, q querier, lg ledger, pgSchema, target string) (tableOwner, error) {
	var o tableOwner
	var mode string
	err := q.QueryRow(ctx, `
SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')),
       coalesce(l.mode, ''), coalesce(l.source_table_id, ''), coalesce(l.source_table, '')
FROM (VALUES (1)) AS one (x) LEFT JOIN (SELECT mode, source_table_id, source_table FROM `+lg.table("loads")+`
  WHERE target_schema = $1 AND target_table = $2 AND status = 'loaded' ORDER BY id DESC LIMIT 1) l ON true`,
		pgSchema, target).Scan(&o.exists, &mode, &o.sourceID, &o.source)
	if err != nil {
		return o, fmt.Errorf("check the ledger for the owner of %s: %w", schema.Quote(pgSchema, target), err)
	}
	// The ledger's mode is never empty: "" is no successful load.
	o.loaded, o.mode = mode != "", Mode(mode)
	return o, nil
}

// checkOwner refuses a load into an existing table that is not its own
// (see [ErrTargetTaken]).
func (r *loadRun) checkOwner(ctx context.Context) error {
	o, err := readOwner(ctx, r.tx, r.l.ledger, r.l.cfg.Schema, r.target)
	if err != nil {
		return err
	}
	return o.refuse(r.job.Table, r.job.Mode, r.qtarget)
}

// refuse returns the [ErrTargetTaken] error of a load of t in mode into
// the owner's table (qtarget), or nil: a snapshot writes only a history
// table of the same source table, no other mode a history table, and a
// table that does not exist is anyone's.
func (o tableOwner) refuse(t *schema.Table, mode Mode, qtarget string) error {
	if !o.exists {
		return nil
	}
	this := fmt.Sprintf("source table %q", t.SourceName)
	if t.SourceID != "" {
		this += " (id " + string(t.SourceID) + ")"
	}
	switch {
	case mode == ModeSnapshot && !o.loaded:
		return fmt.Errorf("%w: %s exists and no snapshot load made it, so it is not the history table of %s; "+
			"refusing to add snapshot rows to it (rename or drop that table, or load the snapshot under another name)",
			ErrTargetTaken, qtarget, this)
	case mode == ModeSnapshot && o.mode != ModeSnapshot:
		return fmt.Errorf("%w: %s holds the %s, not the snapshot history of %s; "+
			"refusing to add snapshot rows to it (rename or drop that table, or load the snapshot under another name)",
			ErrTargetTaken, qtarget, o.describe(), this)
	case mode == ModeSnapshot && !o.sameSource(t):
		return fmt.Errorf("%w: %s holds the snapshot history of another source (its last load: %s); "+
			"refusing to add the snapshot rows of %s to it",
			ErrTargetTaken, qtarget, o.describe(), this)
	case mode != ModeSnapshot && o.loaded && o.mode == ModeSnapshot:
		return fmt.Errorf("%w: %s holds the snapshot history of source table %q (its last load: %s); "+
			"a %s of %s would overwrite or mix those rows: refusing (rename or drop the history table first)",
			ErrTargetTaken, qtarget, o.source, o.describe(), mode, this)
	}
	return nil
}
