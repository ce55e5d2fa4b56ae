package pipeline

import (
	"context"
	"fmt"

	"github.com/mbiload/mbiload/extract"
)

// sourceChanged returns a warning when target was last loaded from another
// source table (another id) than t, else "". That happens when a table is
// re-created in Magento BI under a new id, or when of two tables whose
// names map to one target name the one holding it was deleted and the
// other took the name over: normal events, so the load goes on, but a
// reader of target should know its rows now come from elsewhere. A run
// that waited for an update has read the last load already (cycle);
// otherwise it is read here.
func (r *Runner) sourceChanged(ctx context.Context, t extract.Table, target string, cycle *updateCycle) string {
	if r.Loader == nil {
		return ""
	}
	last, ok := cycle.lastSuccess(target)
	if !ok {
		var err error
		if last, err = r.Loader.LastSuccess(ctx, target); err != nil {
			r.log().Debug("read the last load for a source check", "table", t.Name, "err", err)
			return ""
		}
	}
	if last == nil || last.SourceTableID == "" || last.SourceTableID == string(t.ID) {
		return ""
	}
	return fmt.Sprintf("%s was last loaded from source table %s (%q), now from %s (%q): "+
		"the table was re-created in Magento BI, or another table's name took it over",
		target, last.SourceTableID, last.SourceTable, t.ID, t.Name)
}
