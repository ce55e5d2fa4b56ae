package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestSourceChangedWarning: when a target table was last loaded from
// another source table id (the table was re-created in Magento BI under a
// new id), the load goes on and its report entry says so; an unchanged id
// gives no such warning. A run that waits for an update reads the last
// loads while waiting, and warns the same.
func TestSourceChangedWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		wait time.Duration // Options.WaitForUpdate of the second run
	}{
		{name: "plain run"},
		{name: "waiting run", wait: 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tables := simulator.Generated(20, 1)
			e := newEnv(t, simulator.Config{Tables: tables})
			ctx := context.Background()
			opts := e.opts()
			opts.Tables = []string{"sales_order", "customer_entity"}
			if rep, err := e.runner.Sync(ctx, opts); err != nil || rep.Failed() != 0 {
				t.Fatalf("first Sync: got %v with failures %v, want none", err, failures(rep))
			}
			var oldID string
			next := make([]simulator.Table, len(tables))
			copy(next, tables)
			for i := range next {
				if next[i].Name == "sales_order" {
					oldID, next[i].ID = string(next[i].ID), "9999"
				}
			}
			e.complete(t, next)
			opts.WaitForUpdate, opts.updatePoll = tt.wait, 10*time.Millisecond
			rep, err := e.runner.Sync(ctx, opts)
			if err != nil || rep.Failed() != 0 {
				t.Fatalf("second Sync: got %v with failures %v, want none", err, failures(rep))
			}
			for _, tr := range rep.Tables {
				got := strings.Join(tr.Warnings, "; ")
				switch tr.Source {
				case "sales_order":
					want := "last loaded from source table " + oldID + ` ("sales_order"), now from 9999`
					if tr.Status != StatusLoaded || !strings.Contains(got, want) {
						t.Errorf("sales_order: got %s with warnings %q, want loaded with %q", tr.Status, got, want)
					}
				default:
					if strings.Contains(got, "last loaded from") {
						t.Errorf("%s: got warnings %q, want none about its source", tr.Source, got)
					}
				}
			}
		})
	}
}
