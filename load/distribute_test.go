package load

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/citustest"
	"github.com/mbiload/mbiload/schema"
)

// TestCitusDistributeNew: first loads in every mode create the tables the
// rules name as Citus tables (the dry run's plan says so first):
// distributed by the column, colocated with each other, or reference
// tables; a snapshot's _history table too. Existing tables are left as
// their owner made them.
func TestCitusDistributeNew(t *testing.T) {
	t.Parallel()
	e := newCitusEnv(t)
	rules := []DistributeRule{{Glob: "sales_*", Column: "id"}, {Glob: "STORE*"}}
	l := e.loader(t, Config{Distribute: rules})
	modes := []Mode{ModeReplace, ModeAppend, ModeMerge, ModeSnapshot}
	var colocation int
	for _, m := range modes {
		tbl := mustTable(t, "sales_"+string(m), "id*:int(11)", "customer:varchar(20)", "amount:decimal(10,2)")
		plan, err := l.Plan(context.Background(), tbl, m)
		if err != nil {
			t.Fatalf("plan %s: %v", m, err)
		}
		target := TargetTable(tbl, m)
		wantDDL := "SELECT create_distributed_table('" + schema.Quote(e.schema, target) + "', 'id', colocate_with => 'default');\n"
		if plan.Distribution != `distributed by "id"` || plan.DistributionDDL != wantDDL {
			t.Errorf("plan %s: distribution %q, DDL %q; want distributed by \"id\", %q", m, plan.Distribution, plan.DistributionDDL, wantDDL)
		}
		res := e.mustLoad(t, l, tbl, citusCSV(1, 30, "1.00"), Job{Mode: m, ExportID: "e1"})
		if res.Distribution != DistributionHash {
			t.Errorf("%s: result distribution %q", m, res.Distribution)
		}
		p := citustest.TablePlacement(t, e.pool, schema.Quote(e.schema, target))
		if colocation == 0 {
			colocation = p.Colocation
		}
		e.checkShards(t, target, citustest.Placement{Kind: "distributed", Column: "id", Colocation: colocation, Shards: p.Shards}, 30)
		// The next load keeps it.
		first := 1
		if m == ModeAppend {
			first = 31 // new keys
		}
		e.mustLoad(t, l, tbl, citusCSV(first, 31, "2.00"), Job{Mode: m, ExportID: "e2"})
		want := int64(31)
		if m.accumulates() {
			want = 61
		}
		e.checkShards(t, target, citustest.Placement{Kind: "distributed", Column: "id", Colocation: colocation, Shards: p.Shards}, want)
	}
	store := mustTable(t, "store", "code*:varchar(5)", "name:varchar(20)")
	res := e.mustLoad(t, l, store, "code,name\na,x\nb,y\n", Job{ExportID: "s1"})
	if res.Distribution != DistributionReference {
		t.Errorf("store: result distribution %q", res.Distribution)
	}
	p := citustest.TablePlacement(t, e.pool, e.schema+".store")
	e.checkShards(t, "store", citustest.Placement{Kind: "reference", Colocation: p.Colocation, Shards: 1}, 2)

	// An existing local table stays local.
	mustExec(t, e.pool, "CREATE TABLE "+e.schema+".sales_local (id integer PRIMARY KEY, customer text, amount numeric(10,2))")
	res = e.mustLoad(t, l, mustTable(t, "sales_local", "id*:int(11)", "customer:varchar(20)", "amount:decimal(10,2)"), citusCSV(1, 3, "1"), Job{ExportID: "e1"})
	if res.Distribution != "" || citustest.TablePlacement(t, e.pool, e.schema+".sales_local").Kind != "" {
		t.Errorf("an existing local table: distribution %q", res.Distribution)
	}

	// A column outside the primary key, or no such column, fails before
	// anything is created, naming the rule (a RuleError: the CLI names the
	// flag).
	bad := e.loader(t, Config{Distribute: []DistributeRule{{Glob: "other*", Column: "customer"}, {Glob: "odd", Column: "nope"}}})
	for _, tc := range []struct{ name, want string }{
		{"other", `distribution rule other*=customer: the primary key of table "other" (id) does not include "customer"`},
		{"odd", `distribution rule odd=nope: table "odd" has no column "nope"`},
	} {
		_, err := e.load(t, bad, mustTable(t, tc.name, "id*:int(11)", "customer:varchar(20)"), "id,customer\n1,a\n", Job{ExportID: "x"})
		var re *RuleError
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "--") ||
			!errors.As(err, &re) || len(re.Rules) != 1 || !strings.HasPrefix(re.Rules[0].Glob, tc.name[:2]) {
			t.Errorf("%s: got %v, want %q, a RuleError with its rule, no flag", tc.name, err, tc.want)
		}
		if n := mustScalar[int64](t, e.pool, "SELECT count(*) FROM pg_class WHERE relname = $1 AND relnamespace = $2::regnamespace", tc.name, e.schema); n != 0 {
			t.Errorf("%s: the table was created", tc.name)
		}
	}
}

// TestDistributeNeedsCitus: --distribute and --reference on a database
// without Citus fail at once, naming the rule; a bad rule is refused.
func TestDistributeNeedsCitus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := New(context.Background(), e.pool, Config{Schema: e.schema, LedgerSchema: e.ledger,
		Distribute: []DistributeRule{{Glob: "sales_*", Column: "id"}}})
	var re *RuleError
	if !errors.Is(err, ErrNoCitus) || !strings.Contains(err.Error(), "distribution rule sales_*=id needs the Citus extension") ||
		!errors.As(err, &re) || len(re.Rules) != 1 || re.Rules[0].String() != "sales_*=id" {
		t.Errorf("New without Citus: got %v", err)
	}
	for _, s := range []string{"sales", "=id", "sales=", "[=id"} {
		if _, err := ParseDistributeRule(s); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ParseDistributeRule(%q): got %v, want ErrInvalidConfig", s, err)
		}
	}
	if d, err := ParseDistributeRule(" sales_* = entity_id "); err != nil || d != (DistributeRule{Glob: "sales_*", Column: "entity_id"}) {
		t.Errorf("ParseDistributeRule: got %+v, %v", d, err)
	}
}
