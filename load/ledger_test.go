package load

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/transform"
)

func TestLedger(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{MaxBadRows: 2})
	tbl := ordersTable(t)
	at := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	csv := "id,Customer Name,total,created\n1,Ann,1,\n2,Bob,oops,\n3,Cy,3,\n"
	res := e.mustLoad(t, l, tbl, csv, Job{RunID: "run-1", ExportID: "e1", ExportedAt: at, SHA256: "ff", Bytes: 99, ExpectedRows: 3})
	if res.RowsRead != 2 || res.RowsRejected != 1 || res.RowsLoaded != 2 || res.LedgerID == 0 {
		t.Fatalf("got %+v, want 2 read, 1 rejected, 2 loaded", res)
	}
	last, err := l.LastSuccess(context.Background(), "orders")
	if err != nil || last == nil {
		t.Fatalf("LastSuccess: got %v, %v", last, err)
	}
	if last.RunID != "run-1" || last.ExportID != "e1" || !last.ExportedAt.Equal(at) || last.SHA256 != "ff" || last.Bytes != 99 ||
		last.RowsRead != 2 || last.RowsRejected != 1 || last.RowsLoaded != 2 || last.Status != StatusLoaded ||
		last.Mode != ModeReplace || last.Mechanism != MechanismCreate || last.SourceTable != "Orders" || last.TargetSchema != e.schema {
		t.Errorf("ledger entry: got %+v", last)
	}
	rej := queryText(t, e.pool, "SELECT load_id, run_id, target_table, export_id, line, column_name, record, reason FROM "+e.ledger+".rejects")
	if len(rej) != 1 || rej[0][0] != fmt.Sprint(res.LedgerID) || rej[0][1] != "run-1" || rej[0][2] != "orders" || rej[0][3] != "e1" ||
		rej[0][4] != "3" || rej[0][5] != "total" || rej[0][6] != "2,Bob,oops," || !strings.Contains(rej[0][7], "oops") {
		t.Errorf("rejects: got %v", rej)
	}

	// Over budget: nothing published, a failed row with the rejects.
	bad := "id,Customer Name,total,created\n7,A,x,\n8,B,y,\n9,C,z,\n10,D,1,\n"
	_, err = e.load(t, l, tbl, bad, Job{RunID: "run-2", ExportID: "e2"})
	if !errors.Is(err, transform.ErrTooManyBadRows) {
		t.Fatalf("over budget: got %v, want ErrTooManyBadRows", err)
	}
	if got := e.rows(t, "orders", "id"); len(got) != 2 {
		t.Errorf("after the failed load: got %d rows, want the 2 published before", len(got))
	}
	hist, err := l.History(context.Background(), 10)
	if err != nil || len(hist) != 2 {
		t.Fatalf("History: got %d entries, %v, want 2", len(hist), err)
	}
	if h := hist[0]; h.Status != StatusFailed || h.RunID != "run-2" || !strings.Contains(h.Error, "too many bad rows") {
		t.Errorf("failed entry: got %+v", h)
	}
	// The budget's two rejects are recorded; the third bad row is the error.
	if got := queryText(t, e.pool, fmt.Sprintf("SELECT line FROM %s.rejects WHERE load_id = %d ORDER BY line", e.ledger, hist[0].ID)); !slices.EqualFunc(got, [][]string{{"2"}, {"3"}}, slices.Equal) {
		t.Errorf("rejects of the failed load: got %v, want lines 2 and 3", got)
	}
	if !strings.Contains(hist[0].Error, "line 4") {
		t.Errorf("error: got %q, want it to name line 4", hist[0].Error)
	}
	// A failed load does not count as published.
	if note, err := l.AlreadyPublished(context.Background(), Job{Table: tbl, ExportID: "e2"}); note != "" || err != nil {
		t.Errorf("AlreadyPublished(e2): got %q, %v, want not published", note, err)
	}
	if note, err := l.AlreadyPublished(context.Background(), Job{Table: tbl, ExportID: "e1"}); !strings.Contains(note, "(run run-1)") || err != nil {
		t.Errorf("AlreadyPublished(e1): got %q, %v, want published by run-1", note, err)
	}
	if last, err := l.LastSuccess(context.Background(), "nothing"); last != nil || err != nil {
		t.Errorf("LastSuccess of an unknown table: got %v, %v", last, err)
	}
}

func TestRowCountMismatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	_, err := e.load(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1", ExpectedRows: 4})
	var rc *RowCountError
	if !errors.As(err, &rc) || rc.Got != 3 || rc.Want != 4 {
		t.Fatalf("got %v, want a row count error 3 vs 4", err)
	}
	if n := mustScalar[int](t, e.pool, "SELECT count(*) FROM pg_tables WHERE schemaname = $1", e.schema); n != 0 {
		t.Errorf("got %d tables, want none published", n)
	}
}

// TestNewConcurrently: several loaders created at once on fresh schemas
// all succeed.
func TestSetupConcurrently(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	target, ledgerSchema := pgtest.UniqueName(t, "tgt"), pgtest.UniqueName(t, "led")
	t.Cleanup(func() {
		pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+target+" CASCADE")
		pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+ledgerSchema+" CASCADE")
	})
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := New(context.Background(), pool, Config{Schema: target, LedgerSchema: ledgerSchema})
			if err == nil {
				err = l.Setup(context.Background())
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("New and Setup %d: %v", i, err)
		}
	}
	got := queryText(t, pool, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"+ledgerSchema+"' AND c.relkind = 'r' ORDER BY 1")
	if !slices.EqualFunc(got, [][]string{{"loads"}, {"rejects"}}, slices.Equal) {
		t.Errorf("ledger tables: got %v", got)
	}
}

func TestConfigInvalid(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	tests := []struct {
		name string
		cfg  Config
	}{
		{"long schema", Config{Schema: strings.Repeat("s", 64)}},
		{"negative budget", Config{MaxBadRows: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(context.Background(), pool, tc.cfg); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("got %v, want ErrInvalidConfig", err)
			}
		})
	}
	if _, err := New(context.Background(), nil, Config{}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("nil pool: got %v, want ErrInvalidConfig", err)
	}
}

// TestNewCreatesNothing checks that New only connects: the schemas and the
// ledger appear with Setup, Ready says so, and Setup again is a no-op.
func TestNewCreatesNothing(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		prepare string // SQL run before New; %[1]s target, %[2]s ledger schema
	}{
		{name: "empty database"},
		{name: "schemas without the ledger", prepare: "CREATE SCHEMA %[1]s; CREATE SCHEMA %[2]s"},
		{name: "a view named loads", prepare: "CREATE SCHEMA %[1]s; CREATE SCHEMA %[2]s; CREATE VIEW %[2]s.loads AS SELECT 1 AS x; CREATE TABLE %[2]s.rejects (x int)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, ledgerSchema := pgtest.UniqueName(t, "tgt"), pgtest.UniqueName(t, "led")
			t.Cleanup(func() {
				pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+target+" CASCADE")
				pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+ledgerSchema+" CASCADE")
			})
			if tt.prepare != "" {
				if _, err := pool.Exec(ctx, fmt.Sprintf(tt.prepare, target, ledgerSchema)); err != nil {
					t.Fatal(err)
				}
			}
			count := func() string {
				return fmt.Sprint(queryText(t, pool, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('"+target+"', '"+ledgerSchema+"')"),
					queryText(t, pool, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"+ledgerSchema+"'"))
			}
			before := count()
			l, err := New(ctx, pool, Config{Schema: target, LedgerSchema: ledgerSchema})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if after := count(); after != before {
				t.Errorf("New changed the database: schemas and ledger relations %s, were %s", after, before)
			}
			if ok, err := l.Ready(ctx); err != nil || ok {
				t.Errorf("Ready before Setup: %v, %v; want false", ok, err)
			}
			if tt.name == "a view named loads" {
				return // Setup leaves a relation it did not make alone; Ready stays false
			}
			for i := range 2 {
				if err := l.Setup(ctx); err != nil {
					t.Fatalf("Setup %d: %v", i+1, err)
				}
				if ok, err := l.Ready(ctx); err != nil || !ok {
					t.Errorf("Ready after Setup %d: %v, %v; want true", i+1, ok, err)
				}
			}
		})
	}
}
