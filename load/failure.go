package load

import (
	"context"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// RecordFailure writes a failed ledger row for a table whose load failed
// before it reached [Loader.Load] — an export that ended in Error, a
// download that did not complete, a zip that could not be opened — so that
// the ledger (and `mbiload history`) shows every failed night, not only the
// failures of the COPY and publish. started is when the table's work began;
// job.Source may be nil. Like the failures Load records, it only logs its
// own errors.
func (l *Loader) RecordFailure(ctx context.Context, job Job, started time.Time, loadErr error) {
	if job.Table == nil || loadErr == nil {
		return
	}
	if job.Mode == "" {
		job.Mode = ModeReplace
	}
	if job.RunID == "" {
		job.RunID = randomHex(8)
	}
	res := Result{Status: StatusFailed, Schema: l.cfg.Schema, Mode: job.Mode}
	r := &loadRun{l: l, job: job, res: &res, started: started, target: TargetTable(job.Table, job.Mode)}
	r.qtarget = schema.Quote(l.cfg.Schema, r.target)
	if job.Source == nil {
		r.rejects = []schema.Reject{}
	}
	r.recordFailure(ctx, loadErr)
}
