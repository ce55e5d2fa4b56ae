package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// TestErrorBudgetIsTheLoaders checks that the error budget is configured
// once, in load.Config.MaxBadRows: the decoder rejects up to it whatever
// Options.Decode.MaxBadRows says.
func TestErrorBudgetIsTheLoaders(t *testing.T) {
	t.Parallel()
	csv := "id,total\n1,1.5\n2,oops\n3,2.5\n"
	tests := []struct {
		name         string
		loaderBudget int
		decodeBudget int
		wantStatus   string
		wantRejected int64
		wantErr      string
	}{
		{name: "budget on the loader only", loaderBudget: 1, wantStatus: StatusLoaded, wantRejected: 1},
		{name: "budget on the decoder only", decodeBudget: 5, wantStatus: StatusFailed, wantErr: "line 3"},
		{name: "both", loaderBudget: 2, decodeBudget: 2, wantStatus: StatusLoaded, wantRejected: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := fileEnv(t)
			runner := &Runner{Loader: e.newLoader(t, load.Config{MaxBadRows: tt.loaderBudget}), Log: testLogger(t)}
			path := mustWriteFile(t, t.TempDir(), "orders.csv", []byte(csv))
			tbl, err := schema.NewTable("", "orders", []schema.Column{{Name: "id", Type: "int(11)"}, {Name: "total", Type: "decimal(12,4)"}}, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Decode: transform.Options{MaxBadRows: tt.decodeBudget}}
			tr, err := runner.LoadFile(context.Background(), opts, FileJob{Path: path, Table: tbl})
			if tr.Status != tt.wantStatus {
				t.Fatalf("LoadFile: got %q, %v; want %s", tr.Status, err, tt.wantStatus)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("LoadFile error: got %v, want it to name %q", err, tt.wantErr)
			}
			if tr.RowsRejected != tt.wantRejected {
				t.Errorf("rows rejected: got %d, want %d", tr.RowsRejected, tt.wantRejected)
			}
		})
	}
}
