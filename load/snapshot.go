package load

import (
	"context"
	"fmt"

	"github.com/mbiload/mbiload/schema"
)

// snapshot is a snapshot load into an existing history table: the
// append's mechanism, after, for a forced snapshot ([Config.Force]) or
// one whose export was loaded with other settings (replaceExport), the
// rows the history table holds of the export (by its _export_id) are
// deleted, in the load's transaction: a history table holds each export
// once. Readers see the old rows until the commit.
type snapshot struct {
	appended mechanism
}

// chooseSnapshot picks the mechanism of a snapshot: the append's, with
// the export id and time columns (see snapshotColumns).
func (r *loadRun) chooseSnapshot() (mechanism, error) {
	extras := r.snapshotColumns()
	for _, e := range extras {
		if fieldIndexByName(r.job.Table, e.name) >= 0 {
			return nil, fmt.Errorf("%w: the table has a column named %q, which snapshot mode adds", ErrInvalidJob, e.name)
		}
	}
	m, err := r.chooseAppend(extras)
	if err != nil || r.plan.info == nil {
		return m, err
	}
	return snapshot{appended: m}, nil
}

func (m snapshot) write(ctx context.Context, r *loadRun) (written, error) {
	if !r.l.cfg.Force && !r.plan.replaceExport || r.plan.info.column(colExportID) == nil {
		return m.appended.write(ctx, r)
	}
	id := r.job.ExportID
	if id == "" {
		id = "sha256:" + r.job.SHA256
	}
	tag, err := r.tx.Exec(ctx, "DELETE FROM "+r.qtarget+" WHERE "+schema.Quote(colExportID)+" = $1", id)
	if err != nil {
		return written{}, fmt.Errorf("delete the rows export %s had in the history table: %w", id, err)
	}
	if n := tag.RowsAffected(); n > 0 {
		r.res.Warnings = append(r.res.Warnings,
			fmt.Sprintf("forced: replaced the %d rows export %s had in %s", n, id, r.qtarget))
	}
	r.steps.done("delete the export's earlier rows")
	return m.appended.write(ctx, r)
}
