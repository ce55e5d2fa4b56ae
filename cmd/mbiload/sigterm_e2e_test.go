package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/schema"
)

// mustBuild builds the mbiload binary into a temporary directory.
func mustBuild(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mbiload")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSIGTERMDuringLoad sends SIGTERM to an mbiload process in the middle
// of replacing a table (its new rows staged, its publish waiting for a
// reader's lock): the process must exit non-zero within seconds, and the
// warehouse must be as it was: the previous load's rows, no staging table,
// no new ledger row, no temp file, no session left.
func TestSIGTERMDuringLoad(t *testing.T) {
	bin := mustBuild(t)
	sim := mustCLISim(t, simulator.Config{Tables: simulator.Generated(2000, 1)})
	db := mustE2EDB(t)
	db.env(t)
	ctx := context.Background()
	tmp := t.TempDir()
	args := sim.api("sync", "--tables", "sales_order", "--reuse-exports", "1h", "--progress", "none", "--temp-dir", tmp)

	sim.mustExport(t, "1", true)
	if r := runCLI(ctx, args...); r.code != 0 {
		t.Fatalf("first sync: exit code %d\n%s", r.code, r.stderr)
	}
	before := db.digest(t, "sales_order")
	loadsBefore := db.scalar(t, "SELECT count(*) FROM "+schema.Quote(db.ledger, "loads"))
	if err := sim.sim.CompleteUpdate(simulator.Generated(2000, 2)); err != nil {
		t.Fatal(err)
	}
	sim.mustExport(t, "1", true) // the newer export the next sync reuses

	// A reader holds the table: the publish's ACCESS EXCLUSIVE lock waits.
	tx, err := db.admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM "+schema.Quote(db.target, "sales_order")+" LIMIT 1"); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	reportPath := filepath.Join(t.TempDir(), "run.json")
	cmd := exec.Command(bin, append(args, "--log-level", "debug", "--report", reportPath)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for db.scalar(t, "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'", db.role) == "0" {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("mbiload never waited for the table lock\nstderr: %s", stderr.String())
		}
		select {
		case err := <-exited:
			t.Fatalf("mbiload exited (%v) before it waited for the table lock\nstderr: %s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	select {
	case err = <-exited:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("mbiload still running 15 s after SIGTERM\nstderr: %s", stderr.String())
	}
	took := time.Since(sent)
	t.Logf("exited %s after SIGTERM", took.Round(time.Millisecond))
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
		t.Errorf("exit: got %v, want exit code %d", err, exitFailure)
	}
	if took > 5*time.Second {
		t.Errorf("exit took %s after SIGTERM, want under 5 s", took)
	}
	if !strings.Contains(stderr.String(), "interrupted; nothing half-done was published") {
		t.Errorf("stderr: got %q, want the interruption explained", stderr.String())
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatalf("the interrupted run wrote no report: %v", err)
	}
	var rep struct {
		Status, Message string
		Tables          []struct{ Source, Status, Error string }
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("decode the report: %v", err)
	}
	if rep.Status != "failed" || rep.Message != "interrupted" || len(rep.Tables) != 1 || rep.Tables[0].Status != "failed" {
		t.Errorf("report: got %+v, want a failed, interrupted run with sales_order failed", rep)
	}

	if after := db.digest(t, "sales_order"); after != before {
		t.Errorf("sales_order after SIGTERM: got %s, want %s as before", after, before)
	}
	if got := db.scalar(t, "SELECT count(*) FROM "+schema.Quote(db.ledger, "loads")+" WHERE status = 'loaded'"); got != loadsBefore {
		t.Errorf("loaded ledger rows: got %s, want %s as before", got, loadsBefore)
	}
	relations := db.scalar(t, `SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ($1, $2) AND c.relkind IN ('r', 'p')`, db.target, db.ledger)
	if relations != "loads,rejects,sales_order" {
		t.Errorf("tables: got %s, want loads,rejects,sales_order (no staging or renamed table)", relations)
	}
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) != 0 {
		t.Errorf("temp dir: got %d entries (%v), want none", len(entries), err)
	}
	if n := db.scalar(t, "SELECT count(*) FROM pg_stat_activity WHERE usename = $1", db.role); n != "0" {
		t.Errorf("sessions of the killed process: got %s, want none", n)
	}
	checkNoSecret(t, "output", stdout.String()+stderr.String(), cliKey, db.password)
}
