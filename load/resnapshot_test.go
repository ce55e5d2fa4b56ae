package load

import (
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// TestForcedSnapshotOnce checks that a history table holds each export
// once: loading export 100 again with Force (twice, and once more from a
// changed file) replaces its rows instead of adding copies, and leaves the
// other exports' rows alone. A local file (no export id) counts by its
// SHA-256.
func TestForcedSnapshotOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		exportID string
		sha      string
	}{
		{name: "export id", exportID: "100"},
		{name: "file digest", sha: "ab12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			plain, forced := e.loader(t, Config{}), e.loader(t, Config{Force: true})
			tbl := mustTable(t, "sales_order_status", "status*:varchar", "label:varchar")
			e.mustLoad(t, plain, tbl, "status,label\nnew,New\n", Job{Mode: ModeSnapshot, ExportID: "99"})
			job := Job{Mode: ModeSnapshot, ExportID: tt.exportID, SHA256: tt.sha}
			e.mustLoad(t, forced, tbl, "status,label\npending,Pending\ncomplete,Complete\n", job)
			e.mustLoad(t, forced, tbl, "status,label\npending,Pending\ncomplete,Complete\n", job)
			res := e.mustLoad(t, forced, tbl, "status,label\npending,Pending\ncomplete,Done\ncanceled,Canceled\n", job)
			if res.Status != StatusLoaded || res.RowsLoaded != 3 {
				t.Errorf("third forced load: got %s, %d rows; want loaded, 3", res.Status, res.RowsLoaded)
			}
			got := queryText(t, e.pool, "SELECT _export_id, status, label FROM "+
				schema.Quote(e.schema, "sales_order_status_history")+" ORDER BY 1, 2")
			id := tt.exportID
			if id == "" {
				id = "sha256:" + tt.sha
			}
			want := [][]string{{id, "canceled", "Canceled"}, {id, "complete", "Done"}, {id, "pending", "Pending"}, {"99", "new", "New"}}
			if id > "99" { // the order by _export_id
				want = append(want[3:], want[:3]...)
			}
			if !equalRows(got, want) {
				t.Errorf("history rows: got %v, want %v", got, want)
			}
		})
	}
}
