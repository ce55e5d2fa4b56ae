package load

import (
	"context"
	"fmt"

	"github.com/mbiload/mbiload/schema"
)

// dropForcedExport deletes, for a forced snapshot ([Config.Force]), the rows
// the history table already holds of the export being loaded (by its
// _export_id: the export id, or "sha256:<hex>" of a local file), in the
// load's transaction: a history table holds each export once, so loading
// an export again replaces its rows instead of adding a second copy.
// Readers see the old rows until the commit. Without Force an export in
// the ledger is skipped before this point, or, loaded before with other
// settings, has its rows replaced too (replaceExport).
func (r *loadRun) dropForcedExport(ctx context.Context, info *tableInfo) error {
	if r.job.Mode != ModeSnapshot || !r.l.cfg.Force && !r.replaceExport || info.column(colExportID) == nil {
		return nil
	}
	id := r.job.ExportID
	if id == "" {
		id = "sha256:" + r.job.SHA256
	}
	tag, err := r.tx.Exec(ctx, "DELETE FROM "+r.qtarget+" WHERE "+schema.Quote(colExportID)+" = $1", id)
	if err != nil {
		return fmt.Errorf("delete the rows export %s had in the history table: %w", id, err)
	}
	if n := tag.RowsAffected(); n > 0 {
		r.res.Warnings = append(r.res.Warnings,
			fmt.Sprintf("forced: replaced the %d rows export %s had in %s", n, id, r.qtarget))
	}
	r.steps.done("delete the export's earlier rows")
	return nil
}
