package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/schema"
)

// dstEvent is a row of the events table the New York account serves: a
// wall-clock datetime and the instant PostgreSQL's rule gives it in
// America/New_York (a fall-back overlap is standard time, a
// spring-forward gap takes the offset before the gap).
type dstEvent struct {
	id   int
	wall string
	want string // the instant, RFC 3339 in UTC
}

var dstEvents = []dstEvent{
	{1, "2026-11-01 01:30:00", "2026-11-01T06:30:00Z"}, // fall-back overlap: the second 01:30, EST
	{2, "2026-03-08 02:30:00", "2026-03-08T07:30:00Z"}, // spring-forward gap
	{3, "2026-07-04 12:00:00", "2026-07-04T16:00:00Z"}, // EDT
	{4, "2026-01-15 12:00:00", "2026-01-15T17:00:00Z"}, // EST
	{5, "2026-11-01 00:59:59", "2026-11-01T04:59:59Z"}, // the last second before the overlap, EDT
	{6, "2026-11-01 02:00:00", "2026-11-01T07:00:00Z"}, // just after the overlap, EST
	{7, "2026-11-01 01:00:00", "2026-11-01T06:00:00Z"}, // the overlap's first second, EST (second night only)
}

// eventsTable is the events table holding the first n dstEvents.
func eventsTable(n int) simulator.Table {
	return simulator.Table{ID: "40", Name: "events", Rows: int64(n),
		Columns: []schema.Column{{ID: "1", Name: "id", Type: "Integer", IsPrimaryKey: true}, {ID: "2", Name: "happened_at", Type: "Datetime"}},
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			if _, err := io.WriteString(w, "id,happened_at\n"); err != nil {
				return err
			}
			for _, e := range dstEvents[:n] {
				if _, err := fmt.Fprintf(w, "%d,%s\n", e.id, e.wall); err != nil {
					return err
				}
			}
			return nil
		}}
}

// TestSyncNewYorkAccountAcrossDST runs the nightly job against a simulator
// whose account is in New York, on the night clocks fall back (2026-11-01,
// 02:00 EDT becomes 01:00 EST): every time the API serves is New York's
// wall clock. With --source-timezone America/New_York, sync
// --wait-for-update loads what an update refreshed and nothing twice,
// --reuse-exports reuses an export made after the update, the ledger holds
// each export's real instant, and the loaded datetimes are the instants
// PostgreSQL gives them. Without the flag, the run warns that the account
// is in EST, and (reading New York's times as UTC) misses the update that
// ended after the change, as the warning says it may.
func TestSyncNewYorkAccountAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	night := time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC) // 00:00 EDT
	clock := simtest.NewClock(night)
	sim := mustCLISim(t, simulator.Config{Tables: []simulator.Table{eventsTable(6)}, Now: clock.Now, Location: ny,
		// Exports must outlive the real time elapsed since that night.
		ExportTTL: time.Since(night) + 30*24*time.Hour})
	db := mustE2EDB(t)
	db.env(t)
	fast := []string{"--poll-interval", "5ms", "--poll-max", "20ms", "--progress", "none", "--log-level", "info"}
	run := func(t *testing.T, wantCode int, args ...string) result {
		t.Helper()
		r := runCLI(t.Context(), sim.api(append(args, fast...)...)...)
		if r.code != wantCode {
			t.Fatalf("%q: exit code %d, want %d\nstdout: %s\nstderr: %s", args, r.code, wantCode, r.stdout, r.stderr)
		}
		for _, line := range strings.Split(r.stderr, "\n") {
			if strings.Contains(line, "update") || strings.Contains(line, "time zone") {
				t.Logf("log: %s", line)
			}
		}
		checkNoSecret(t, "output", r.output(), cliKey, db.password)
		return r
	}
	const zone = "--source-timezone=America/New_York"
	exports := func(t *testing.T) int {
		t.Helper()
		list, err := sim.c.Exports(t.Context())
		if err != nil {
			t.Fatalf("list exports: %v", err)
		}
		return len(list)
	}
	lastExportedAt := func(t *testing.T) string {
		t.Helper()
		return db.scalar(t, "SELECT to_char(exported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "+
			schema.Quote(db.ledger, "loads")+" WHERE target_table = 'events' AND status = 'loaded' ORDER BY id DESC LIMIT 1")
	}
	mustEvents := func(t *testing.T, n int) {
		t.Helper()
		if got := db.scalar(t, "SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'events' AND column_name = 'happened_at'",
			db.target); got != "timestamp with time zone" {
			t.Errorf("happened_at: got type %s, want timestamp with time zone", got)
		}
		if got := db.count(t, "events"); got != int64(n) {
			t.Errorf("events: got %d rows, want %d", got, n)
		}
		for _, e := range dstEvents[:n] {
			got := db.scalar(t, "SELECT to_char(happened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM "+
				schema.Quote(db.target, "events")+" WHERE id = $1", e.id)
			pg := db.scalar(t, "SELECT to_char(($1::timestamp AT TIME ZONE 'America/New_York') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", e.wall)
			if got != e.want || got != pg {
				t.Errorf("event %d at %s New York: loaded as %s, want %s (PostgreSQL's own cast gives %s)", e.id, e.wall, got, e.want, pg)
			}
		}
	}

	t.Run("first load before the change", func(t *testing.T) {
		if st, err := sim.c.FullUpdateStatus(t.Context()); err != nil || st.TimezoneAbbreviation != "EDT" ||
			st.LastCompletedUpdateJob.End.Format(time.DateTime) != "2026-10-31 23:00:00" {
			t.Fatalf("fullupdatestatus: got %+v, %v; want the last update ending 2026-10-31 23:00:00 EDT", st, err)
		}
		r := run(t, 0, "sync", "--wait-for-update", "2s", zone)
		if !strings.Contains(r.stderr, "update_finished=2026-11-01T03:00:00Z") {
			t.Errorf("stderr: got %q, want the update's end read as 23:00 EDT, 03:00Z", r.stderr)
		}
		if got := lastExportedAt(t); got != "2026-11-01T04:00:00Z" {
			t.Errorf("ledger exported_at: got %s, want 2026-11-01T04:00:00Z (00:00 EDT)", got)
		}
		mustEvents(t, 6)
	})

	t.Run("nothing new the same night", func(t *testing.T) {
		clock.Advance(time.Minute)
		before := exports(t)
		r := run(t, 0, "sync", "--wait-for-update", "100ms", zone)
		if !strings.Contains(r.stdout, "nothing to do") {
			t.Errorf("stdout: got %q, want nothing to do", r.stdout)
		}
		if got := exports(t) - before; got != 0 {
			t.Errorf("exports created: got %d, want 0", got)
		}
	})

	// The warehouse's next update ends at 02:30 EST (07:30Z), after the
	// clocks fell back: as UTC, "02:30" is before the last export (04:00Z).
	clock.Set(time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC))
	if err := sim.sim.CompleteUpdate([]simulator.Table{eventsTable(7)}); err != nil {
		t.Fatal(err)
	}

	t.Run("without the flag the update is missed, with a warning", func(t *testing.T) {
		r := run(t, 0, "sync", "--wait-for-update", "100ms")
		if !strings.Contains(r.stderr, "the account's time zone is EST but no source time zone is set") || !strings.Contains(r.stderr, "for EST) (--source-timezone)") {
			t.Errorf("stderr: got %q, want the time zone warning", r.stderr)
		}
		if !strings.Contains(r.stdout, "nothing to do") {
			t.Errorf("stdout: got %q, want nothing to do (the update's end read as 02:30Z)", r.stdout)
		}
		mustEvents(t, 6)
	})

	t.Run("the update after the change loads", func(t *testing.T) {
		clock.Advance(time.Minute)
		r := run(t, 0, "sync", "--wait-for-update", "2s", zone)
		if strings.Contains(r.stderr, "no source time zone is set") || !strings.Contains(r.stderr, "update_finished=2026-11-01T07:30:00Z") {
			t.Errorf("stderr: got %q, want the update's end read as 02:30 EST, 07:30Z, and no warning", r.stderr)
		}
		if got := lastExportedAt(t); got != "2026-11-01T07:31:00Z" {
			t.Errorf("ledger exported_at: got %s, want 2026-11-01T07:31:00Z (02:31 EST)", got)
		}
		mustEvents(t, 7)
	})

	t.Run("waiting and reusing an export made after the next update", func(t *testing.T) {
		clock.Set(time.Date(2026, 11, 1, 7, 50, 0, 0, time.UTC))
		if err := sim.sim.CompleteUpdate(nil); err != nil {
			t.Fatal(err)
		}
		clock.Advance(5 * time.Minute)
		sim.mustExportAll(t) // created 02:55 EST, 07:55Z
		before := exports(t)
		// Old enough to be reused only when its time is read in New York:
		// read as UTC it would look five hours older.
		reuse := (time.Since(clock.Now()) + time.Hour).Round(time.Second).String()
		r := run(t, 0, "sync", "--wait-for-update", "2s", "--reuse-exports", reuse, zone)
		if !strings.Contains(r.stderr, "update_finished=2026-11-01T07:50:00Z") {
			t.Errorf("stderr: got %q, want the update's end read as 02:50 EST, 07:50Z", r.stderr)
		}
		if got := exports(t) - before; got != 0 {
			t.Errorf("exports created: got %d, want 0 (the one made after the update reused)", got)
		}
		if got := lastExportedAt(t); got != "2026-11-01T07:55:00Z" {
			t.Errorf("ledger exported_at: got %s, want 2026-11-01T07:55:00Z (02:55 EST)", got)
		}
		mustEvents(t, 7)
	})
}

// TestSimulateTimezoneEndToEnd runs "mbiload simulate" as a process with
// its account in New York (MBILOAD_SIMULATE_TIMEZONE, the --timezone
// flag's variable) and the nightly job against it: every time served is
// New York's wall clock with its abbreviation; sync --wait-for-update with
// --source-timezone America/New_York loads, records each export at its
// real instant, then finds nothing new (and warns when the flag is
// missing); --reuse-exports reuses an export made just before.
func TestSimulateTimezoneEndToEnd(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	bin := mustBuild(t)
	addr := mustFreeAddr(t)
	logPath := filepath.Join(t.TempDir(), "simulate.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	simLog := func() string { data, _ := os.ReadFile(logPath); return string(data) }
	cmd := exec.Command(bin, "simulate", "--listen", addr, "--key", cliKey, "--scale", "50", "--export-delay", "0s",
		"--work-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "MBILOAD_SIMULATE_TIMEZONE=America/New_York")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	base := "http://" + addr + "/0.1"
	c, err := extract.New(extract.Config{BaseURL: base, APIKey: cliKey, ClientID: "12",
		Poll: extract.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	var st extract.UpdateStatus
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if st, err = c.FullUpdateStatus(t.Context()); err == nil {
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the simulator never answered: %v\n%s", err, simLog())
		}
	}
	if log := simLog(); !strings.Contains(log, "timezone=America/New_York") {
		t.Errorf("simulate log: got %q, want the account's time zone named", log)
	}

	// Times served are New York's wall clock: read in New York, they are
	// the real instants.
	nowAbbr, _ := time.Now().In(ny).Zone()
	if st.TimezoneAbbreviation != nowAbbr {
		t.Errorf("timezoneAbbreviation: got %q, want %q", st.TimezoneAbbreviation, nowAbbr)
	}
	near := func(what string, wall extract.Timestamp, want time.Time) {
		t.Helper()
		w := wall.Time
		got := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, ny)
		if d := got.Sub(want); d < -10*time.Second || d > 10*time.Second {
			t.Errorf("%s: got %s read in New York, %s off the real instant %s", what, wall.Format(time.DateTime), d, want.UTC())
		}
	}
	if job := st.LastCompletedUpdateJob; job == nil {
		t.Fatal("fullupdatestatus: no last completed update")
	} else {
		near("update start", job.Start, time.Now().Add(-2*time.Hour))
		near("update end", job.End, time.Now().Add(-time.Hour))
	}
	exp, err := c.CreateTableExport(t.Context(), "1")
	if err == nil {
		exp, err = c.WaitExport(t.Context(), exp.ID)
	}
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	near("export created_at", exp.CreatedAt, time.Now())
	near("export completed_at", exp.CompletedAt, time.Now())
	near("export expires_at", exp.ExpiresAt, time.Now().Add(simulator.DefaultExportTTL))

	db := mustE2EDB(t)
	db.env(t)
	global := []string{"--api-url", base, "--api-key", cliKey, "--client-id", "12"}
	fast := []string{"--poll-interval", "5ms", "--poll-max", "20ms", "--progress", "none", "--log-level", "info"}
	run := func(t *testing.T, args ...string) result {
		t.Helper()
		r := runCLI(t.Context(), append(append(global, args...), fast...)...)
		if r.code != 0 {
			t.Fatalf("%q: exit code %d, want 0\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
		}
		for _, line := range strings.Split(r.stderr, "\n") {
			if strings.Contains(line, "update") || strings.Contains(line, "time zone") || strings.Contains(line, "reus") {
				t.Logf("log: %s", line)
			}
		}
		checkNoSecret(t, "output", r.output(), cliKey, db.password)
		return r
	}
	const zone = "--source-timezone=America/New_York"
	start := time.Now()
	r := run(t, "sync", "--wait-for-update", "2s", "--tables", "sales_order", zone)
	if !strings.Contains(r.stderr, "warehouse update to load") || strings.Contains(r.stderr, "no source time zone is set") {
		t.Errorf("stderr: got %q, want an update to load and no time zone warning", r.stderr)
	}
	off := db.scalar(t, "SELECT round(abs(extract(epoch FROM exported_at) - $1))::int FROM "+schema.Quote(db.ledger, "loads")+
		" WHERE status = 'loaded' ORDER BY id DESC LIMIT 1", float64(start.Unix()))
	if n, _ := strconv.Atoi(off); off == "" || n > 10 {
		t.Errorf("ledger exported_at: %s s off the export's real instant, want at most 10", off)
	}
	if r := run(t, "sync", "--wait-for-update", "100ms", "--tables", "sales_order", zone); !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("second sync: got %q, want nothing to do", r.stdout)
	}
	if r := run(t, "sync", "--wait-for-update", "100ms", "--tables", "sales_order"); !strings.Contains(r.stderr,
		"the account's time zone is "+nowAbbr+" but no source time zone is set") {
		t.Errorf("sync without --source-timezone: got %q, want the time zone warning", r.stderr)
	}

	exp, err = c.CreateTableExport(t.Context(), "1")
	if err == nil {
		exp, err = c.WaitExport(t.Context(), exp.ID)
	}
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	before, err := c.Exports(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	run(t, "sync", "--reuse-exports", "1h", "--tables", "sales_order", zone)
	after, err := c.Exports(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("exports: got %d after the sync, want the %d before (export %s reused)", len(after), len(before), exp.ID)
	}
	if got := db.scalar(t, "SELECT export_id FROM "+schema.Quote(db.ledger, "loads")+" WHERE status = 'loaded' ORDER BY id DESC LIMIT 1"); got != string(exp.ID) {
		t.Errorf("ledger export_id: got %s, want the reused %s", got, exp.ID)
	}
}
