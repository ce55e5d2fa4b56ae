//go:build chaos

package chaos

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// citusCluster is the suite's Citus cluster (a coordinator and two
// workers, started by scripts/citus.sh in the test's directory).
type citusCluster struct {
	dir, url string
	db       *pgxpool.Pool
	workers  []*pgxpool.Pool // connections to the workers themselves
}

// startCitus starts a cluster for t (installing Citus from ../shared/citus
// when missing) and stops it when t ends. It fails, never skips.
func startCitus(t *testing.T, dir string) *citusCluster {
	t.Helper()
	ctx, cancel := withTimeout(5 * time.Minute)
	defer cancel()
	c := &citusCluster{dir: filepath.Join(dir, "citus")}
	out, err := exec.CommandContext(ctx, "../../scripts/citus.sh", "start", c.dir).Output()
	t.Cleanup(func() {
		for _, w := range c.workers {
			w.Close()
		}
		if c.db != nil {
			c.db.Close()
		}
		exec.Command("bash", "../../../shared/citus/cluster.sh", "stop", c.dir).Run()
	})
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("start a Citus cluster: %v\n%s", err, tail(stderr, 20))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	c.url = lines[len(lines)-1]
	cfg, err := pgxpool.ParseConfig(c.url)
	if err != nil {
		t.Fatalf("parse the coordinator's URL: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "chaos-oracle"
	if c.db, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		t.Fatalf("connect to the coordinator: %v", err)
	}
	for _, port := range []uint16{cfg.ConnConfig.Port + 1, cfg.ConnConfig.Port + 2} {
		wc := cfg.Copy()
		wc.ConnConfig.Port = port
		w, err := pgxpool.NewWithConfig(ctx, wc)
		if err != nil {
			t.Fatalf("connect to the worker on port %d: %v", port, err)
		}
		c.workers = append(c.workers, w)
	}
	return c
}

// preparedOnWorkers counts the prepared transactions on the workers,
// asked directly (a query through the coordinator is too slow to catch
// the moment between PREPARE and COMMIT PREPARED).
func (c *citusCluster) preparedOnWorkers() int {
	total := 0
	for _, w := range c.workers {
		ctx, cancel := withTimeout(2 * time.Second)
		var n int
		if w.QueryRow(ctx, "SELECT count(*) FROM pg_prepared_xacts").Scan(&n) == nil {
			total += n
		}
		cancel()
	}
	return total
}

// restartWorker restarts the first worker as a crash would (immediate).
func (c *citusCluster) restartWorker(t testing.TB) {
	t.Helper()
	node := filepath.Join(c.dir, "node1")
	cmd := exec.Command("runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", node,
		"-l", filepath.Join(node, "server.log"), "-m", "immediate", "-w", "-t", "60", "restart")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("restart the worker: %v\n%s", err, out)
	}
}

// recover has Citus finish or roll back the distributed transactions a
// fault left prepared (as its maintenance daemon does within a minute),
// and returns the prepared transactions still on any node.
func (c *citusCluster) recover(t testing.TB) []string {
	t.Helper()
	var left []string
	for range 30 {
		ctx, cancel := withTimeout(30 * time.Second)
		_, err := c.db.Exec(ctx, "SELECT recover_prepared_transactions()")
		left = nil
		if err == nil {
			rows, qerr := c.db.Query(ctx, `
SELECT n.nodename || ':' || n.nodeport || ' ' || r.result
FROM run_command_on_all_nodes($$SELECT coalesce(string_agg(gid, ','), '') FROM pg_prepared_xacts$$) r
     JOIN pg_dist_node n USING (nodeid) WHERE r.result <> '' OR NOT r.success`)
			err = qerr
			for qerr == nil && rows.Next() {
				var s string
				rows.Scan(&s)
				left = append(left, s)
			}
			if rows != nil {
				rows.Close()
			}
		}
		cancel()
		if err == nil && len(left) == 0 {
			return nil
		}
		time.Sleep(time.Second)
	}
	return left
}

// compare counts the rows of target missing from ref and the rows more,
// through the coordinator (every shard).
func (c *citusCluster) compare(t testing.TB, target, ref string) (lost, dup int64) {
	t.Helper()
	ctx, cancel := withTimeout(2 * time.Minute)
	defer cancel()
	err := c.db.QueryRow(ctx, "SELECT (SELECT count(*) FROM (SELECT * FROM "+ref+" EXCEPT ALL SELECT * FROM "+target+") a), "+
		"(SELECT count(*) FROM (SELECT * FROM "+target+" EXCEPT ALL SELECT * FROM "+ref+") b)").Scan(&lost, &dup)
	if err != nil {
		t.Fatalf("compare %s with %s: %v", target, ref, err)
	}
	return lost, dup
}

// TestCitusFaults: replaces of a table hash-distributed over two workers
// (the next version of sales_order over the previous one) struck by
// SIGKILL of mbiload mid-COPY and mid-commit (the distributed two-phase
// commit), and by a worker restarted mid-COPY. After each, once Citus has
// recovered the prepared transactions (recover_prepared_transactions, as
// its maintenance daemon would), the table holds the old rows or the new
// (mid-commit only) on every shard, no node keeps a prepared transaction,
// the table is still distributed in its colocation group, and the next
// run succeeds.
func TestCitusFaults(t *testing.T) {
	base := newBase(t)
	cl := startCitus(t, base.dir)
	rows := int64(60000)
	if !st.cfg.quick {
		rows = 200000
	}
	files := map[int64]string{}
	for _, seed := range []int64{1, 2} {
		tbl := magentogen.Find(magentogen.Warehouse(rows, st.cfg.seed*100+seed), "sales_order")
		path := filepath.Join(base.dir, fmt.Sprintf("sales_order_v%d.csv", seed))
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := tbl.WriteCSV(context.Background(), f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		files[seed] = path
		if seed == 1 {
			cols, _ := schema.MarshalColumns(tbl.Columns)
			os.WriteFile(filepath.Join(base.dir, "sales_order.columns.json"), cols, 0o644)
		}
	}
	columns := filepath.Join(base.dir, "sales_order.columns.json")
	env := base.env(nil)
	env["DATABASE_URL"] = cl.url
	load := func(sc *scn, version int64, extra ...string) result {
		args := append([]string{"load-file", "--table", "sales_order", "--columns", columns, "--force", "--progress", "none"}, extra...)
		return sc.run(env, append(args, files[version])...)
	}
	target := schema.Quote(base.schema, "sales_order")
	refs := map[int64]string{}
	for _, v := range []int64{2, 1} { // the table ends at version 1
		base.expectOK(load(base, v, "--distribute", "sales_order=entity_id"))
		refs[v] = schema.Quote(base.schema, fmt.Sprintf("ref_v%d", v))
		ctx, cancel := withTimeout(2 * time.Minute)
		if _, err := cl.db.Exec(ctx, "CREATE TABLE "+refs[v]+" AS SELECT * FROM "+target); err != nil {
			t.Fatalf("reference of version %d: %v", v, err)
		}
		cancel()
	}
	placement := func() string {
		ctx, cancel := withTimeout(time.Minute)
		defer cancel()
		var s string
		if err := cl.db.QueryRow(ctx, `SELECT p.partmethod::text || ' ' || column_to_column_name(p.logicalrelid, p.partkey) || ' ' || p.colocationid ||
' ' || (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid)
FROM pg_dist_partition p WHERE p.logicalrelid = $1::regclass`, target).Scan(&s); err != nil {
			t.Fatalf("placement: %v", err)
		}
		return s
	}
	want := placement()
	copying := `SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'mbiload%' AND state = 'active' AND query ILIKE 'COPY%'`
	cases := []struct {
		name, fault string
		commit      bool // strike at the commit, else mid-COPY
		worker      bool // restart a worker, else SIGKILL mbiload
	}{
		{"sigkill_copy", "Citus: SIGKILL mid-COPY into a distributed table", false, false},
		{"sigkill_commit", "Citus: SIGKILL mid-commit (two-phase) of a distributed table", true, false},
		{"worker_restart_copy", "Citus: worker restarted (immediate) mid-COPY", false, true},
	}
	for rep := range st.cfg.reps {
		for _, tc := range cases {
			t.Run(repName(tc.name, rep), func(t *testing.T) {
				sc := base.sub(t, kindFailSafe, tc.fault)
				args := []string{"load-file", "--table", "sales_order", "--columns", columns, "--force", "--progress", "none", files[2]}
				p := sc.launch(env, args...)
				struck, prepared := false, 0
				deadline := time.Now().Add(2 * time.Minute)
				for !struck && time.Now().Before(deadline) && !p.exited() {
					if tc.commit {
						// Strike when a worker holds the load's transaction
						// prepared (between PREPARE and COMMIT PREPARED), or
						// at least once the ledger row, the last statement
						// before COMMIT, is written.
						if prepared = cl.preparedOnWorkers(); prepared > 0 {
							struck = true
						} else {
							struck = strings.Contains(p.stderr.String(), `step=ledger`)
						}
					} else {
						ctx, cancel := withTimeout(5 * time.Second)
						var n int
						err := cl.db.QueryRow(ctx, copying).Scan(&n)
						cancel()
						struck = err == nil && n > 0
					}
					if !struck {
						time.Sleep(2 * time.Millisecond)
					}
				}
				if !struck {
					p.wait(t, time.Minute)
					t.Fatalf("the moment to strike never came")
				}
				if tc.worker {
					time.Sleep(200 * time.Millisecond) // rows on their way to the worker
					cl.restartWorker(t)
				} else {
					p.cmd.Process.Kill()
				}
				r := p.wait(t, 3*time.Minute)
				t.Logf("mbiload load-file: exit %d (signal %v) after %v", r.code, r.signal, r.dur.Round(time.Millisecond))
				if tc.commit {
					if prepared > 0 {
						sc.note("killed with the transaction prepared on %d worker(s)", prepared)
					} else {
						sc.note("killed at the COMMIT (no prepared transaction seen on a worker yet)")
					}
				}
				if !tc.worker && r.signal != syscall.SIGKILL {
					t.Errorf("the run ended with exit code %d before the kill", r.code)
				}
				if tc.worker && r.code == 0 {
					sc.note("exit 0: the COPY ended before the worker went down")
				} else if tc.worker {
					sc.expectFailure(r, "sales_order")
					if strings.Contains(strings.ToLower(r.out()), "shard") {
						t.Errorf("the failure names a shard: %s", r.brief())
					}
				}
				if left := cl.recover(t); len(left) > 0 {
					sc.fig.half++
					t.Errorf("prepared transactions left after recovery: %v", left)
				}
				lost, dup := cl.compare(t, target, refs[1])
				if lost != 0 || dup != 0 {
					if nl, nd := cl.compare(t, target, refs[2]); nl == 0 && nd == 0 && (tc.commit || r.code == 0) {
						sc.note("the new version was committed")
						lost, dup = 0, 0
					} else {
						sc.fig.half++
						t.Errorf("after the fault the table is neither version: %d rows of the old version missing, %d rows more", lost, dup)
					}
				}
				sc.fig.lost += lost
				sc.fig.dup += dup
				if got := placement(); got != want {
					t.Errorf("the table is spread as %q, was %q", got, want)
				}
				r = load(sc, 2)
				sc.expectOK(r)
				if lost, dup := cl.compare(t, target, refs[2]); lost != 0 || dup != 0 {
					t.Errorf("the next run: %d rows missing, %d more than version 2", lost, dup)
				}
				if got := placement(); got != want {
					t.Errorf("after the next run the table is spread as %q, was %q", got, want)
				}
				sc.expectOK(load(sc, 1)) // back to version 1 for the next case
			})
		}
	}
}
