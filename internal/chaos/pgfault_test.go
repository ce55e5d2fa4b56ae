//go:build chaos

package chaos

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// TestPostgresFaults restarts PostgreSQL (immediate shutdown: a crash) or
// terminates mbiload's connections (pg_terminate_backend) while a COPY is
// in progress and while a publish waits for its table lock, with the
// previous version published. The run must fail safely (or, if it retries,
// succeed with the new version), and the next clean run must succeed.
//
// Mid-publish is made deterministic: the suite holds an ACCESS SHARE lock
// on the largest target table, so its publish waits in LOCK TABLE with
// the staging table complete, and the fault strikes there.
func TestPostgresFaults(t *testing.T) {
	base := newBase(t)
	scale := st.cfg.big
	seed0 := st.cfg.seed*10000 + 5000
	prev := base.publish(scale, seed0)
	if t.Failed() {
		t.Fatalf("the first clean run failed")
	}
	const (
		terminate = iota // pg_terminate_backend of every mbiload session
		restart          // pg_ctl restart -m immediate
		sigkill          // SIGKILL of the mbiload process
	)
	cases := []struct {
		name, fault string
		publish     bool // strike mid-publish, else mid-COPY
		action      int
	}{
		{"terminate_copy", "connection killed (pg_terminate_backend) mid-COPY", false, terminate},
		{"terminate_publish", "connection killed (pg_terminate_backend) mid-publish", true, terminate},
		{"restart_copy", "PostgreSQL restarted (immediate) mid-COPY", false, restart},
		{"restart_publish", "PostgreSQL restarted (immediate) mid-publish", true, restart},
		{"sigkill_copy", "SIGKILL mid-COPY (deterministic)", false, sigkill},
		{"sigkill_publish", "SIGKILL mid-publish (deterministic)", true, sigkill},
	}
	var runs []int
	for rep := range st.cfg.reps {
		for i := range cases {
			runs = append(runs, rep*len(cases)+i)
		}
	}
	for _, n := range runs {
		tc := cases[n%len(cases)]
		t.Run(repName(tc.name, n/len(cases)), func(t *testing.T) {
			sc := base.sub(t, kindFailSafe, tc.fault)
			seed := seed0 + int64(n) + 1
			next := st.generated(t, scale, seed)
			sim := sc.startSim(simArgs{scale: scale, seed: seed})
			big := next.tables[1] // sales_order_item, the largest
			var hold pgx.Tx
			if tc.publish {
				hold = sc.holdShareLock(schema.Quote(sc.schema, big.target))
			}
			p := sc.launch(sc.env(sim), "sync", "--progress", "plain")
			var cond string
			if tc.publish {
				cond = `SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'mbiload%'
AND wait_event_type = 'Lock' AND query ILIKE 'LOCK TABLE%'`
			} else {
				cond = `SELECT count(*) FROM pg_stat_progress_copy c JOIN pg_stat_activity a ON a.pid = c.pid
WHERE a.application_name LIKE 'mbiload%' AND c.tuples_processed > 1000`
			}
			if !sc.waitFor(p, cond, time.Minute) {
				if hold != nil {
					hold.Rollback(context.Background())
				}
				p.wait(t, time.Minute)
				t.Fatalf("the moment to strike never came (%s)", firstLine(cond))
			}
			before := sc.tempFiles()
			switch tc.action {
			case sigkill:
				p.cmd.Process.Kill()
			case restart:
				ctx, cancel := withTimeout(2 * time.Minute)
				if err := st.pg.Restart(ctx, "immediate"); err != nil {
					t.Errorf("restart PostgreSQL: %v", err)
				}
				cancel()
				st.db.Reset()
			case terminate:
				ctx, cancel := withTimeout(time.Minute)
				var n int
				if err := st.db.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'mbiload%'").Scan(&n); err != nil {
					t.Errorf("terminate mbiload's connections: %v", err)
				}
				cancel()
				t.Logf("terminated %d mbiload connections", n)
			}
			if hold != nil {
				hold.Rollback(context.Background())
			}
			r := p.wait(t, 3*time.Minute)
			t.Logf("mbiload sync: exit %d after %v", r.code, r.dur.Round(time.Millisecond))
			sc.waitIdle()
			atNext := sc.expectPrevOrNew(prev, next)
			switch {
			case tc.action == sigkill:
				if r.signal != syscall.SIGKILL {
					t.Errorf("the run ended with exit code %d before the kill", r.code)
				}
				left := newFiles(sc.tempFiles(), before)
				sc.expectPrivate(left)
				sc.clearTemp()
			case r.code == 0:
				if atNext != len(next.tables) {
					t.Errorf("exit 0 with %d of %d tables at the new version", atNext, len(next.tables))
				}
				sc.note("exit 0: the run retried the load")
			default:
				sc.expectFailure(r, "failed")
				if atNext == len(next.tables) {
					t.Errorf("exit %d, yet every table is at the new version", r.code)
				}
				sc.expectTablesNamed(r, prev, next)
			}
			sc.expectNoDebris()
			sc.expectNoTempFiles()
			sc.note("%d of %d tables at the new version after the fault", atNext, len(next.tables))

			sc.expectOK(sc.sync(sim))
			sc.expectVersion(next)
			sc.expectNoDebris()
			prev = next
		})
	}
}

// holdShareLock takes an ACCESS SHARE lock on table in a transaction the
// caller rolls back (or the server's restart ends).
func (sc *scn) holdShareLock(table string) pgx.Tx {
	sc.t.Helper()
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	tx, err := st.db.Begin(ctx)
	if err != nil {
		sc.t.Fatalf("begin: %v", err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN ACCESS SHARE MODE"); err != nil {
		tx.Rollback(context.Background())
		sc.t.Fatalf("lock %s: %v", table, err)
	}
	sc.t.Cleanup(func() { tx.Rollback(context.Background()) })
	return tx
}

// waitFor polls the count query cond until it is positive (true), the
// process ends or timeout passes (false).
func (sc *scn) waitFor(p *proc, cond string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && !p.exited() {
		ctx, cancel := withTimeout(5 * time.Second)
		var n int
		err := st.db.QueryRow(ctx, cond).Scan(&n)
		cancel()
		if err == nil && n > 0 {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

// expectTablesNamed checks that the output of a failed run names every
// source table that is not at the new version.
func (sc *scn) expectTablesNamed(r result, prev, next *version) {
	sc.t.Helper()
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	for i := range next.tables {
		rt := &next.tables[i]
		if st.compare(ctx, sc.target(rt), rt.ref).equal() {
			continue
		}
		if !strings.Contains(r.stdout, rt.source) && !strings.Contains(r.stderr, fmt.Sprintf("table=%s", rt.source)) {
			sc.t.Errorf("table %s failed but the output does not name it: %s", rt.source, r.brief())
		}
	}
}

// TestKillFirstLoad kills the very first sync of a warehouse (the tables
// are created and filled in the load's transaction) with SIGKILL while a
// COPY is in progress: a table either exists complete or not at all.
func TestKillFirstLoad(t *testing.T) {
	for rep := range st.cfg.reps {
		t.Run(repName("first_load", rep), func(t *testing.T) {
			sc := newScn(t, kindFailSafe, "SIGKILL mid-COPY of the first load (tables created in the transaction)")
			scale, seed := st.cfg.big, st.cfg.seed*10000+9600+int64(rep)
			next := st.generated(t, scale, seed)
			sim := sc.startSim(simArgs{scale: scale, seed: seed})
			before := sc.tempFiles()
			p := sc.launch(sc.env(sim), "sync", "--progress", "plain")
			if !sc.waitFor(p, `SELECT count(*) FROM pg_stat_progress_copy c JOIN pg_stat_activity a ON a.pid = c.pid
WHERE a.application_name LIKE 'mbiload%' AND c.tuples_processed > 1000`, time.Minute) {
				p.wait(t, time.Minute)
				t.Fatalf("no COPY in progress was seen")
			}
			p.cmd.Process.Kill()
			p.wait(t, time.Minute)
			sc.waitIdle()
			n := sc.expectPrevOrNew(nil, next)
			sc.note("%d of %d tables complete after the kill, the others absent", n, len(next.tables))
			sc.expectNoDebris()
			sc.expectPrivate(newFiles(sc.tempFiles(), before))
			sc.clearTemp()
			sc.expectOK(sc.sync(sim))
			sc.expectVersion(next)
			sc.expectNoDebris()
			sc.expectNoTempFiles()
		})
	}
}
