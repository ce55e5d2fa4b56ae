package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/citustest"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/internal/simulator"
)

// TestCitusSyncDistribute: sync --distribute on a Citus coordinator. The
// dry run of a new warehouse shows the statement that distributes the
// table; the run creates it distributed by the column; a later dry run
// says how it is spread. On a database without Citus the flag fails at
// once, naming the rule and the flag.
func TestCitusSyncDistribute(t *testing.T) {
	pool := citustest.Pool(t)
	target, ledger := pgtest.UniqueName(t, "s"), pgtest.UniqueName(t, "l")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+target+", "+ledger+" CASCADE")
	})
	sim := mustCLISim(t, simulator.Config{Tables: []simulator.Table{ordersTable("Integer")}})
	run := func(t *testing.T, wantCode int, url string, args ...string) result {
		t.Helper()
		args = append(args, "--database-url", url, "--schema", target, "--ledger-schema", ledger,
			"--poll-interval", "5ms", "--poll-max", "20ms", "--progress", "none", "--distribute", "Ord*=id")
		r := runCLI(t.Context(), sim.api(args...)...)
		if r.code != wantCode {
			t.Fatalf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", args, r.code, wantCode, r.stdout, r.stderr)
		}
		return r
	}
	url := citustest.URL(t)
	r := run(t, 0, url, "sync", "--dry-run")
	if want := "SELECT create_distributed_table('\"" + target + "\".\"orders\"', 'id', colocate_with => 'default');"; !strings.Contains(r.stdout, want) {
		t.Errorf("dry run of a new warehouse: no %q in\n%s", want, r.stdout)
	}
	run(t, 0, url, "sync")
	if p := citustest.TablePlacement(t, pool, target+".orders"); p.Kind != "distributed" || p.Column != "id" {
		t.Errorf("orders is spread as %+v, want distributed by id", p)
	}
	r = run(t, 0, url, "sync", "--dry-run")
	if want := `citus: distributed by "id"`; !strings.Contains(r.stdout, want) {
		t.Errorf("dry run: no %q in\n%s", want, r.stdout)
	}
	r = run(t, 1, pgtest.URL(t), "sync")
	if want := "distribution rule Ord*=id needs the Citus extension, which this database does not have (CREATE EXTENSION citus on a Citus coordinator) (--distribute Ord*=id)"; !strings.Contains(r.stderr, want) {
		t.Errorf("without Citus: no %q in\n%s", want, r.stderr)
	}
}
