package load

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// TestPublishedSettings: the already-published check keys on the content
// and the settings, per mode, and reads ledger rows of an earlier version
// (no settings recorded): a replace loads their content again with a
// warning, an append skips it (its rows are in the table). A snapshot of
// an export already snapshotted with other settings is refused.
// AlreadyPublished answers as Load does.
func TestPublishedSettings(t *testing.T) {
	t.Parallel()
	const csv = "id,Customer Name,total,created\n1,Ann,1,\n2,Bob,2,\n"
	nullMarker := map[string]string{"null string": `\N`}
	type step struct {
		job    Job
		legacy bool // then strip the recorded settings from the ledger, as an earlier version wrote it
		status string
		note   string // in Result.Note
		warn   string // in a warning
		err    error
		rows   int // in the target after
	}
	tests := []struct {
		name   string
		target string
		steps  []step
	}{
		{name: "replace after an earlier version's load: loaded again", target: "orders", steps: []step{
			{job: Job{SHA256: "aa"}, legacy: true, status: StatusLoaded, rows: 2},
			{job: Job{SHA256: "aa"}, status: StatusLoaded, warn: "did not record its settings", rows: 2},
			{job: Job{SHA256: "aa"}, status: StatusSkipped, note: "already loaded from the same file with the same settings at ", rows: 2},
		}},
		{name: "append after an earlier version's append: skipped", target: "orders", steps: []step{
			{job: Job{Mode: ModeAppend, SHA256: "aa"}, legacy: true, status: StatusLoaded, rows: 2},
			{job: Job{Mode: ModeAppend, SHA256: "aa", Decode: nullMarker}, status: StatusSkipped, note: "did not record its settings", rows: 2},
		}},
		{name: "snapshot again: skipped; with other settings: the export's rows replaced", target: "orders_history", steps: []step{
			{job: Job{Mode: ModeSnapshot, ExportID: "e1"}, status: StatusLoaded, rows: 2},
			{job: Job{Mode: ModeSnapshot, ExportID: "e1"}, status: StatusSkipped,
				note: "already loaded (snapshot) from the same export (e1) with the same settings at ", rows: 2},
			{job: Job{Mode: ModeSnapshot, ExportID: "e1", Decode: nullMarker}, status: StatusLoaded, rows: 2,
				warn: `with other settings: null string ("" → "\\N"); its rows in the history table are replaced`},
			{job: Job{Mode: ModeSnapshot, ExportID: "e2", Decode: nullMarker}, status: StatusLoaded, rows: 4},
			{job: Job{Mode: ModeSnapshot, ExportID: "e2", Decode: nullMarker}, status: StatusSkipped, note: "same settings", rows: 4},
		}},
		{name: "append again with other settings: refused", target: "orders", steps: []step{
			{job: Job{Mode: ModeAppend, ExportID: "e1"}, status: StatusLoaded, rows: 2},
			{job: Job{Mode: ModeAppend, ExportID: "e1", Decode: nullMarker}, status: StatusFailed, err: ErrAlreadyLoaded, rows: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tbl := ordersTable(t)
			for k, st := range tt.steps {
				st.job.Table = tbl
				note, err := l.AlreadyPublished(context.Background(), st.job)
				if err != nil || (note != "") != (st.status == StatusSkipped) {
					t.Errorf("step %d: AlreadyPublished: got %q, %v; want published: %v", k+1, note, err, st.status == StatusSkipped)
				}
				res, err := e.load(t, l, tbl, csv, st.job)
				if res.Status != st.status || !errors.Is(err, st.err) {
					t.Fatalf("step %d: got %s, %v; want %s, %v", k+1, res.Status, err, st.status, st.err)
				}
				if st.note != "" && (!strings.Contains(res.Note, st.note) || res.Note != note) {
					t.Errorf("step %d: note %q (AlreadyPublished %q), want it to contain %q", k+1, res.Note, note, st.note)
				}
				if st.warn != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), st.warn) {
					t.Errorf("step %d: warnings %q, want one containing %q", k+1, res.Warnings, st.warn)
				}
				if n := len(e.rows(t, tt.target, "1")); n != st.rows {
					t.Errorf("step %d: %d rows in %s, want %d", k+1, n, tt.target, st.rows)
				}
				if st.legacy {
					mustExec(t, e.pool, "UPDATE "+schema.Quote(e.ledger, "loads")+" SET source_columns = source_columns #- '{\"\",load}'")
				}
			}
		})
	}
}
