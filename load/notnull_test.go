package load

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// nullStep is one load of a notNullCase: the table "people" with the
// column metadata as mustTable takes it, and its CSV.
type nullStep struct {
	meta []string
	csv  string
}

// TestNotNullFollowsMetadata: a NOT NULL that mbiload made from the
// metadata (nullable: false, the primary key) is dropped when the
// metadata stops asking for it, by every mechanism that publishes into an
// existing table, and SchemaChanges and a dry run say so; a NOT NULL the
// owner added, or one a ledger row written before the record does not
// account for, stays and refuses a NULL naming its line.
func TestNotNullFollowsMetadata(t *testing.T) {
	t.Parallel()
	const relaxedQty = `column "qty": NOT NULL dropped (the metadata no longer requires it)`
	strict := nullStep{[]string{"id*:int(11)", "qty!:int(11)", "name:varchar(20)"}, "id,qty,name\n1,1,a\n"}
	loose := nullStep{[]string{"id*:int(11)", "qty:int(11)", "name:varchar(20)"}, "id,qty,name\n1,1,a\n"}
	nullQty := nullStep{loose.meta, "id,qty,name\n2,,b\n3,3,c\n"}
	tests := []struct {
		name  string
		mode  Mode
		force bool       // Config.Force: no published check reads the last load
		steps []nullStep // the last one is checked, the others must load
		setup []string   // run after the first step; %s is the schema, %l the ledger's
		// mechanism of the last step; "" when it must fail with a NULL in qty
		// on line 2.
		mechanism string
		changes   []string // the NOT NULL changes of the last step (and its dry run)
		notNull   []string // the columns NOT NULL after it
		recorded  []string // the ledger's not_null after it (when it loads)
	}{
		{name: "replace, swap", mode: ModeReplace, steps: []nullStep{strict, nullQty},
			mechanism: MechanismSwap, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "replace, in place (a user's column)", mode: ModeReplace, steps: []nullStep{strict, nullQty},
			setup:     []string{"ALTER TABLE %s.people ADD COLUMN note text"},
			mechanism: MechanismInPlaceKeyed, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "replace, in place keyed (a foreign key references it)", mode: ModeReplace, steps: []nullStep{strict, nullQty},
			setup:     []string{"CREATE TABLE %s.child (pid int REFERENCES %s.people (id))"},
			mechanism: MechanismInPlaceKeyed, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "append", mode: ModeAppend, steps: []nullStep{strict, nullQty},
			mechanism: MechanismStagedInsert, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "snapshot", mode: ModeSnapshot, steps: []nullStep{strict, nullQty},
			mechanism: MechanismStagedInsert, changes: []string{relaxedQty}, notNull: []string{"id", "_export_id"}, recorded: []string{"id"}},
		{name: "replace, swap, forced", mode: ModeReplace, force: true, steps: []nullStep{strict, nullQty},
			mechanism: MechanismSwap, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "append, forced", mode: ModeAppend, force: true, steps: []nullStep{strict, nullQty},
			mechanism: MechanismStagedInsert, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "merge", mode: ModeMerge, steps: []nullStep{strict, nullQty},
			mechanism: MechanismMerge, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "replace, swap: the metadata says NOT NULL again", mode: ModeReplace, steps: []nullStep{strict, nullQty, strict},
			mechanism: MechanismSwap, notNull: []string{"id", "qty"}, recorded: []string{"id", "qty"}},
		{name: "replace, swap: still NOT NULL, nothing changes", mode: ModeReplace, steps: []nullStep{strict, strict},
			mechanism: MechanismSwap, notNull: []string{"id", "qty"}, recorded: []string{"id", "qty"}},
		{name: "append: still NOT NULL, straight COPY", mode: ModeAppend, steps: []nullStep{strict, {strict.meta, "id,qty,name\n2,2,b\n"}},
			mechanism: MechanismCopy, notNull: []string{"id", "qty"}, recorded: []string{"id", "qty"}},
		{name: "replace, swap: primary key moves", mode: ModeReplace,
			steps:     []nullStep{strict, {[]string{"id:int(11)", "qty!:int(11)", "name*:varchar(20)"}, "id,qty,name\n,1,a\n"}},
			mechanism: MechanismSwap, changes: []string{`column "id": NOT NULL dropped (no longer in the primary key)`},
			notNull: []string{"qty", "name"}, recorded: []string{"qty", "name"}},
		{name: "replace, swap: primary key moves, then the metadata relaxes", mode: ModeReplace,
			steps: []nullStep{strict, {[]string{"id:int(11)", "qty!:int(11)", "name*:varchar(20)"}, "id,qty,name\n,1,a\n"},
				{[]string{"id:int(11)", "qty:int(11)", "name*:varchar(20)"}, "id,qty,name\n,,a\n"}},
			mechanism: MechanismSwap, changes: []string{relaxedQty}, notNull: []string{"name"}, recorded: []string{"name"}},
		{name: "replace, swap: the owner's NOT NULL", mode: ModeReplace, steps: []nullStep{loose, nullQty},
			setup: []string{"ALTER TABLE %s.people ALTER COLUMN qty SET NOT NULL"}, notNull: []string{"id", "qty"}},
		{name: "replace, swap: the owner's NOT NULL, later also the metadata's", mode: ModeReplace, steps: []nullStep{loose, strict, nullQty},
			setup: []string{"ALTER TABLE %s.people ALTER COLUMN qty SET NOT NULL"}, notNull: []string{"id", "qty"}},
		{name: "replace, swap: the owner's NOT NULL on another column", mode: ModeReplace, steps: []nullStep{strict, nullQty},
			setup:     []string{"ALTER TABLE %s.people ALTER COLUMN name SET NOT NULL"},
			mechanism: MechanismSwap, changes: []string{relaxedQty}, notNull: []string{"id", "name"}, recorded: []string{"id"}},
		{name: "replace, in place: the owner's NOT NULL", mode: ModeReplace, steps: []nullStep{loose, nullQty},
			setup:   []string{"ALTER TABLE %s.people ADD COLUMN note text", "ALTER TABLE %s.people ALTER COLUMN qty SET NOT NULL"},
			notNull: []string{"id", "qty"}},
		{name: "append: the owner's NOT NULL", mode: ModeAppend, steps: []nullStep{loose, nullQty},
			setup: []string{"ALTER TABLE %s.people ALTER COLUMN qty SET NOT NULL"}, notNull: []string{"id", "qty"}},
		{name: "replace, swap: a ledger row from before the record", mode: ModeReplace, steps: []nullStep{strict, nullQty},
			setup: []string{"UPDATE %l.loads SET source_columns = source_columns - ''"}, notNull: []string{"id", "qty"}},
		{name: "replace, swap: a ledger row from before the record, taken over while the metadata asks, then relaxed",
			mode: ModeReplace, steps: []nullStep{strict, strict, nullQty},
			setup:     []string{"UPDATE %l.loads SET source_columns = source_columns - ''"},
			mechanism: MechanismSwap, changes: []string{relaxedQty}, notNull: []string{"id"}, recorded: []string{"id"}},
		{name: "append: a ledger row from before the record", mode: ModeAppend, steps: []nullStep{strict, nullQty},
			setup: []string{"UPDATE %l.loads SET source_columns = source_columns - ''"}, notNull: []string{"id", "qty"}},
		{name: "replace, swap: a table loaded first by hand", mode: ModeReplace, steps: []nullStep{nullQty},
			setup: []string{"CREATE TABLE %s.people (id int PRIMARY KEY, qty int NOT NULL, name varchar(20))"}, notNull: []string{"id", "qty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{Force: tt.force})
			ctx := context.Background()
			table := "people"
			if tt.mode == ModeSnapshot {
				table = HistoryTableName(table)
			}
			setup := func() {
				for _, s := range tt.setup {
					mustExec(t, e.pool, strings.NewReplacer("%s", e.schema, "%l", e.ledger).Replace(s))
				}
			}
			steps := tt.steps
			if len(steps) == 1 {
				setup()
			}
			for k, s := range steps[:len(steps)-1] {
				e.mustLoad(t, l, mustTable(t, "people", s.meta...), s.csv, Job{Mode: tt.mode, ExportID: "s" + string(rune('0'+k))})
				if k == 0 {
					setup()
				}
			}
			last := mustTable(t, "people", steps[len(steps)-1].meta...)
			before := notNullColumns(t, e, table)
			plan, err := l.Plan(ctx, last, tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			if got := notNullOnly(plan.Changes); !slices.Equal(got, tt.changes) {
				t.Errorf("plan: got %q, want %q", got, tt.changes)
			}
			if got := notNullColumns(t, e, table); !slices.Equal(got, before) {
				t.Errorf("after the plan: NOT NULL columns %v, want %v as before", got, before)
			}

			res, err := e.load(t, l, last, steps[len(steps)-1].csv, Job{Mode: tt.mode, ExportID: "last"})
			if tt.mechanism == "" {
				var re *RowError
				if !errors.As(err, &re) || !errors.Is(err, ErrBadValue) || re.Line != 2 || re.Column != "qty" {
					t.Fatalf("got %v, want a RowError for the NULL in qty on line 2", err)
				}
			} else {
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				if res.Mechanism != tt.mechanism {
					t.Errorf("got %s (%s), want %s", res.Mechanism, res.MechanismReason, tt.mechanism)
				}
				if got := notNullOnly(res.SchemaChanges); !slices.Equal(got, tt.changes) {
					t.Errorf("changes: got %q, want %q", got, tt.changes)
				}
				if got := recordedNotNull(t, e, res.LedgerID); !slices.Equal(got, tt.recorded) {
					t.Errorf("ledger: got not_null %q, want %q", got, tt.recorded)
				}
				if slices.Contains(tt.changes, relaxedQty) {
					if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+e.schema+"."+table+" WHERE qty IS NULL"); n != 1 {
						t.Errorf("got %d rows with a NULL qty, want the export's 1", n)
					}
				}
			}
			if got := notNullColumns(t, e, table); !slices.Equal(got, tt.notNull) {
				t.Errorf("NOT NULL columns: got %v, want %v", got, tt.notNull)
			}
		})
	}
}

// notNullOnly returns the NOT NULL entries of SchemaChanges.
func notNullOnly(changes []string) []string {
	var out []string
	for _, c := range changes {
		if strings.Contains(c, "NOT NULL dropped") {
			out = append(out, c)
		}
	}
	return out
}

// notNullColumns returns the NOT NULL columns of table, in order.
func notNullColumns(t testing.TB, e *env, table string) []string {
	t.Helper()
	var out []string
	for _, r := range queryText(t, e.pool, "SELECT attname FROM pg_attribute WHERE attrelid = '"+e.schema+"."+table+"'::regclass AND attnum > 0 AND attnotnull ORDER BY attnum") {
		out = append(out, r[0])
	}
	return out
}

// recordedNotNull returns the not_null list of ledger row id, sorted as
// recorded.
func recordedNotNull(t testing.TB, e *env, id int64) []string {
	t.Helper()
	raw := mustScalar[[]byte](t, e.pool, "SELECT source_columns FROM "+e.ledger+".loads WHERE id = $1", id)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("source_columns %s: %v", raw, err)
	}
	var meta sourceMeta
	if err := json.Unmarshal(m[""], &meta); err != nil {
		t.Fatalf("source_columns %s: %v", raw, err)
	}
	return meta.NotNull
}
