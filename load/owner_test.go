package load

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// TestSnapshotTargetOwner checks that a snapshot never writes a table that
// is not the history of its own source table, and that no other mode
// writes a history table: Magento has both sales_order_status and
// sales_order_status_history, and a snapshot of the first without a
// history name of its own (a load-file) names the second. Each refused
// load leaves the existing table as it was: same columns, same rows.
func TestSnapshotTargetOwner(t *testing.T) {
	t.Parallel()
	const statusCSV = "status,label\npending,Pending\ncomplete,Complete\n"
	const historyCSV = "entity_id,status\n1,pending\n2,complete\n3,complete\n"
	status := func(t *testing.T) *schema.Table {
		return mustTable(t, "sales_order_status", "status*:varchar", "label:varchar")
	}
	history := func(t *testing.T) *schema.Table {
		return mustTable(t, "sales_order_status_history", "entity_id:integer", "status:varchar")
	}
	tests := []struct {
		name string
		// setup loads the existing table; then load is refused.
		setup func(t *testing.T, e *env, l *Loader)
		load  func(t *testing.T, e *env, l *Loader) (Result, error)
		// table is the existing table, which must keep want.
		table string
		want  [][]string
		cols  int
	}{
		{
			name: "snapshot into a replaced table of another source",
			setup: func(t *testing.T, e *env, l *Loader) {
				e.mustLoad(t, l, history(t), historyCSV, Job{ExportID: "h1"})
			},
			load: func(t *testing.T, e *env, l *Loader) (Result, error) {
				return e.load(t, l, status(t), statusCSV, Job{Mode: ModeSnapshot, ExportID: "s1"})
			},
			table: "sales_order_status_history",
			want:  [][]string{{"1", "pending"}, {"2", "complete"}, {"3", "complete"}},
			cols:  2,
		},
		{
			name: "snapshot into a table mbiload did not create",
			setup: func(t *testing.T, e *env, l *Loader) {
				mustExec(t, e.pool, "CREATE TABLE "+schema.Quote(e.schema, "sales_order_status_history")+" (entity_id int, status text)")
				mustExec(t, e.pool, "INSERT INTO "+schema.Quote(e.schema, "sales_order_status_history")+" VALUES (1, 'pending'), (2, 'complete'), (3, 'complete')")
			},
			load: func(t *testing.T, e *env, l *Loader) (Result, error) {
				return e.load(t, l, status(t), statusCSV, Job{Mode: ModeSnapshot, ExportID: "s1"})
			},
			table: "sales_order_status_history",
			want:  [][]string{{"1", "pending"}, {"2", "complete"}, {"3", "complete"}},
			cols:  2,
		},
		{
			name: "replace of a history table",
			setup: func(t *testing.T, e *env, l *Loader) {
				e.mustLoad(t, l, status(t), statusCSV, Job{Mode: ModeSnapshot, ExportID: "s1"})
			},
			load: func(t *testing.T, e *env, l *Loader) (Result, error) {
				return e.load(t, l, history(t), historyCSV, Job{ExportID: "h1"})
			},
			table: "sales_order_status_history",
			want:  [][]string{{"complete", "Complete", "s1", "<nil>"}, {"pending", "Pending", "s1", "<nil>"}},
			cols:  4,
		},
		{
			name: "snapshot into another source's history",
			setup: func(t *testing.T, e *env, l *Loader) {
				e.mustLoad(t, l, status(t), statusCSV, Job{Mode: ModeSnapshot, ExportID: "s1"})
			},
			load: func(t *testing.T, e *env, l *Loader) (Result, error) {
				other := mustTable(t, "Sales Order Status", "status*:varchar", "label:varchar")
				return e.load(t, l, other, statusCSV, Job{Mode: ModeSnapshot, ExportID: "x1"})
			},
			table: "sales_order_status_history",
			want:  [][]string{{"complete", "Complete", "s1", "<nil>"}, {"pending", "Pending", "s1", "<nil>"}},
			cols:  4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			tt.setup(t, e, l)
			res, err := tt.load(t, e, l)
			if !errors.Is(err, ErrTargetTaken) || res.Status != StatusFailed {
				t.Fatalf("got status %q, err %v; want failed with ErrTargetTaken", res.Status, err)
			}
			if !strings.Contains(err.Error(), "sales_order_status_history") {
				t.Errorf("error %q does not name the table", err)
			}
			if got := e.rows(t, tt.table, "1"); !equalRows(got, tt.want) {
				t.Errorf("%s after the refused load: got %v, want %v", tt.table, got, tt.want)
			}
			cols := mustScalar[int](t, e.pool, "SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
				schema.Quote(e.schema, tt.table))
			if cols != tt.cols {
				t.Errorf("%s has %d columns after the refused load, want %d", tt.table, cols, tt.cols)
			}
		})
	}
}

// TestSnapshotOwnHistory checks that the ownership check lets a table's
// own snapshots go on: a second export of the same source, the same source
// re-created under a new id (same name), and a first snapshot into a table
// that does not exist yet.
func TestSnapshotOwnHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	const csv = "status,label\npending,Pending\n"
	tbl := mustTable(t, "sales_order_status", "status*:varchar", "label:varchar")
	tbl.SourceID = "7"
	e.mustLoad(t, l, tbl, csv, Job{Mode: ModeSnapshot, ExportID: "1"})
	e.mustLoad(t, l, tbl, csv, Job{Mode: ModeSnapshot, ExportID: "2"})
	again := mustTable(t, "sales_order_status", "status*:varchar", "label:varchar")
	again.SourceID = "9"
	e.mustLoad(t, l, again, csv, Job{Mode: ModeSnapshot, ExportID: "3"})
	if n := mustScalar[int](t, e.pool, "SELECT count(*) FROM "+schema.Quote(e.schema, "sales_order_status_history")); n != 3 {
		t.Errorf("history rows: got %d, want 3", n)
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x1f") != strings.Join(b[i], "\x1f") {
			return false
		}
	}
	return true
}

// TestLedgerSchemaApart checks that the target schema cannot be the
// ledger's: a source table named loads would replace the ledger.
func TestLedgerSchemaApart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, cfg := range []Config{{Schema: e.ledger, LedgerSchema: e.ledger}, {Schema: DefaultLedgerSchema}, {LedgerSchema: DefaultSchema}} {
		if _, err := New(context.Background(), e.pool, cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(schema %q, ledger %q): got %v, want ErrInvalidConfig", cfg.Schema, cfg.LedgerSchema, err)
		}
	}
}

// TestPlanTakenTarget checks that a dry run's plan says a load would be
// refused for writing another source's table, and says nothing for the
// table's own loads.
func TestPlanTakenTarget(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	history := mustTable(t, "sales_order_status_history", "entity_id:integer", "status:varchar")
	e.mustLoad(t, l, history, "entity_id,status\n1,pending\n", Job{ExportID: "h1"})
	status := mustTable(t, "sales_order_status", "status*:varchar", "label:varchar")
	p, err := l.Plan(context.Background(), status, ModeSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) == 0 || !strings.Contains(p.Problems[0], "not the snapshot history") {
		t.Errorf("plan of a snapshot into another source's table: got problems %q, want the refusal", p.Problems)
	}
	if p, err := l.Plan(context.Background(), history, ModeReplace); err != nil || len(p.Problems) > 0 {
		t.Errorf("plan of the table's own replace: got problems %q, err %v; want none", p.Problems, err)
	}
}
