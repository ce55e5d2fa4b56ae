package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

const (
	// testKey is the API key of the test simulators.
	testKey = "sk-PIPELINECANARY-7c1d-never-print"
	// sampleDir is the Magento sample data beside the repository.
	sampleDir = "../../shared/data/magento-sample"
)

// fastRetry and fastPoll keep the client's waits at milliseconds. With the
// fault rates of faultyConfig about 42% of requests fail; 16 attempts make a
// request that never gets through about one in a million.
var (
	fastRetry = extract.RetryPolicy{InitialDelay: 2 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxAttempts: 16}
	fastPoll  = extract.PollPolicy{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond, Timeout: time.Minute}
)

// faultyConfig switches on every transient fault a sync must ride out, and
// the lenient shapes the contract allows. Expiry is rarer than the others:
// a download re-creates an expired export at most 3 times, so 4 expiries
// in a row (1 in 160,000 at 5%) fail a table.
func faultyConfig(seed int64) simulator.Config {
	return simulator.Config{
		Seed:         seed,
		FaultRate:    0.2,
		ThrottleRate: 0.2,
		ResetRate:    0.1,
		DropRate:     0.3,
		ExpireRate:   0.05,
		ExportDelay:  30 * time.Millisecond,
		RetryAfter:   -1, // no whole-second Retry-After sleeps
		Quirks: simulator.Quirks{CRLF: true, BOM: true, StringIDs: true, LowercaseStatus: true,
			ExtraFields: true, BareArrays: true},
	}
}

// env is one test's world: a simulator served over HTTP, a client, a loader
// on its own target and ledger schemas, a schema for reference tables, and
// a runner.
type env struct {
	pool                *pgxpool.Pool
	target, ledger, ref string
	sim                 *simulator.Server
	tables              []simulator.Table // what the simulator serves now
	client              *extract.Client
	loader              *load.Loader
	runner              *Runner
	tmp                 string // the runs' TempDir
	requests            *requestLog
}

// newEnv starts a simulator with cfg (the key, client id and work directory
// are filled in) and connects everything to it.
func newEnv(t testing.TB, cfg simulator.Config) *env {
	t.Helper()
	return newEnvFront(t, cfg, nil)
}

// newEnvFront is newEnv with front, when not nil, answering each request
// before the simulator: it returns true when it answered, false to pass
// the request on.
func newEnvFront(t testing.TB, cfg simulator.Config, front func(w http.ResponseWriter, r *http.Request) bool) *env {
	t.Helper()
	pool := pgtest.Pool(t)
	e := &env{pool: pool, target: pgtest.Schema(t, pool), ledger: pgtest.Schema(t, pool), ref: pgtest.Schema(t, pool),
		tmp: t.TempDir(), tables: cfg.Tables}
	cfg.Key, cfg.ClientID, cfg.WorkDir = testKey, "12", ""
	e.requests = &requestLog{faults: map[string]int{}}
	cfg.Logger = slog.New(e.requests)
	sim, srv := simtest.Start(t, cfg)
	e.sim = sim
	url := srv.URL
	if front != nil {
		fs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !front(w, r) {
				sim.ServeHTTP(w, r)
			}
		}))
		t.Cleanup(fs.Close)
		url = fs.URL
	}
	var err error
	e.client, err = extract.New(extract.Config{BaseURL: url + "/0.1", APIKey: testKey, ClientID: "12",
		Retry: fastRetry, Poll: fastPoll, StallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("extract.New: %v", err)
	}
	e.loader = e.newLoader(t, load.Config{})
	e.runner = &Runner{Client: e.client, Loader: e.loader, Log: testLogger(t)}
	return e
}

// newLoader returns a loader on the env's schemas with cfg's other fields.
func (e *env) newLoader(t testing.TB, cfg load.Config) *load.Loader {
	t.Helper()
	cfg.Schema, cfg.LedgerSchema = e.target, e.ledger
	l, err := load.New(context.Background(), e.pool, cfg)
	if err == nil {
		err = l.Setup(context.Background())
	}
	if err != nil {
		t.Fatalf("load.New and Setup: %v", err)
	}
	return l
}

// opts returns sync options for the env: its temp dir and small batches.
func (e *env) opts() Options {
	return Options{TempDir: e.tmp, Concurrency: 3}
}

// complete makes the simulator finish an update cycle serving tables.
func (e *env) complete(t testing.TB, tables []simulator.Table) {
	t.Helper()
	if err := e.sim.CompleteUpdate(tables); err != nil {
		t.Fatalf("CompleteUpdate: %v", err)
	}
	if tables != nil {
		e.tables = tables
	}
}

// requestLog is a slog.Handler for the simulator's request log: it counts
// the requests that create exports (table exports and copies) and the
// faults injected, by kind.
type requestLog struct {
	mu      sync.Mutex
	faults  map[string]int
	creates int
}

func (h *requestLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *requestLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *requestLog) WithGroup(string) slog.Handler            { return h }

func (h *requestLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var method, path string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "fault":
			h.faults[a.Value.String()]++
		case "method":
			method = a.Value.String()
		case "path":
			path = a.Value.String()
		}
		return true
	})
	if method == "POST" && (strings.Contains(path, "/table/") && strings.HasSuffix(path, "/export") || strings.HasSuffix(path, "/copy")) {
		h.creates++
	}
	return nil
}

// createCount returns how many export-creating requests arrived.
func (h *requestLog) createCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.creates
}

// faultCounts returns the faults injected so far, by kind.
func (h *requestLog) faultCounts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.faults)
}

// testLogger sends log lines to t.Log when -v is given, else nowhere.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tLogWriter struct{ t testing.TB }

func (w tLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// mustSample returns the Magento sample tables, numbered after the
// generated ones.
func mustSample(t testing.TB) []simulator.Table {
	t.Helper()
	tables, err := simulator.LoadDir(sampleDir)
	if err != nil {
		t.Fatalf("load the Magento sample (the suite needs ../shared beside the repository): %v", err)
	}
	return tables
}

// mustCombine merges table sets as simulator.Combine does.
func mustCombine(t testing.TB, sets ...[]simulator.Table) []simulator.Table {
	t.Helper()
	all, err := simulator.Combine(sets...)
	if err != nil {
		t.Fatalf("Combine: %v", err)
	}
	return all
}

// mustCSV returns a simulator table's CSV bytes.
func mustCSV(t testing.TB, st simulator.Table) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := st.WriteCSV(context.Background(), &buf); err != nil {
		t.Fatalf("WriteCSV %s: %v", st.Name, err)
	}
	return buf.Bytes()
}

// mustResolve resolves a simulator table as the pipeline does, with the
// target name targetNames gives it within all.
func mustResolve(t testing.TB, st simulator.Table, all []simulator.Table, opts schema.Options) *schema.Table {
	t.Helper()
	tbl, err := schema.NewTable(st.ID, st.Name, st.Columns, opts)
	if err != nil {
		t.Fatalf("resolve %s: %v", st.Name, err)
	}
	tbl.Name = targetNames(apiTables(all), opts.Identifiers)[st.ID]
	return tbl
}

// apiTables lists simulator tables as the API does.
func apiTables(all []simulator.Table) []extract.Table {
	out := make([]extract.Table, len(all))
	for i, st := range all {
		out[i] = extract.Table{ID: st.ID, Name: st.Name, RowCount: schema.Count(st.Rows)}
	}
	return out
}

// mustRef creates a reference table in the env's ref schema with the same
// DDL as tbl and fills it with PostgreSQL's own CSV parser from data (a CSV
// with a header row, whose columns may be in any order). The session's time
// zone is the table's Location (for timestamptz columns). It returns the
// quoted name.
func (e *env) mustRef(t testing.TB, tbl *schema.Table, name string, data []byte) string {
	t.Helper()
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, tbl.CreateTableSQL(e.ref, name)); err != nil {
		t.Fatalf("create reference table %s: %v", name, err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	header, err := csv.NewReader(bytes.NewReader(data)).Read()
	if err != nil {
		t.Fatalf("read the header of %s: %v", name, err)
	}
	cols := make([]string, len(header))
	for i, h := range header {
		k := tbl.FieldIndex(h)
		if k < 0 {
			t.Fatalf("reference %s: header name %q is not in the metadata", name, h)
		}
		cols[i] = schema.Quote(tbl.Fields[k].Name)
	}
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	defer conn.Release()
	zone := "UTC"
	if tbl.Location != nil {
		zone = tbl.Location.String()
	}
	if _, err := conn.Exec(ctx, "SELECT set_config('TimeZone', $1, false)", zone); err != nil {
		t.Fatalf("set time zone: %v", err)
	}
	defer conn.Exec(ctx, "RESET TimeZone")
	sql := "COPY " + schema.Quote(e.ref, name) + " (" + strings.Join(cols, ", ") + ") FROM STDIN (FORMAT csv, HEADER true)"
	if _, err := conn.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(data), sql); err != nil {
		t.Fatalf("COPY reference %s: %v", name, err)
	}
	return schema.Quote(e.ref, name)
}

// rowDiff compares the rows of two queries as multisets: their counts and
// how many rows of each EXCEPT ALL the other leaves.
func rowDiff(t testing.TB, pool *pgxpool.Pool, got, want string) (nGot, nWant, extra, missing int64) {
	t.Helper()
	err := pool.QueryRow(context.Background(), "SELECT (SELECT count(*) FROM ("+got+") g), (SELECT count(*) FROM ("+want+") w), "+
		"(SELECT count(*) FROM (("+got+") EXCEPT ALL ("+want+")) x), (SELECT count(*) FROM (("+want+") EXCEPT ALL ("+got+")) y)").
		Scan(&nGot, &nWant, &extra, &missing)
	if err != nil {
		t.Fatalf("compare %s with %s: %v", got, want, err)
	}
	return nGot, nWant, extra, missing
}

// mustSameRows checks that two queries return the same multiset of rows:
// equal counts and nothing left by EXCEPT ALL either way.
func mustSameRows(t testing.TB, pool *pgxpool.Pool, what, got, want string) {
	t.Helper()
	nGot, nWant, extra, missing := rowDiff(t, pool, got, want)
	if nGot != nWant || extra != 0 || missing != 0 {
		t.Errorf("%s: got %d rows (%d not in the reference), want %d (%d missing)", what, nGot, extra, nWant, missing)
	}
}

// sameRows reports whether two queries return the same multiset of rows.
func sameRows(t testing.TB, pool *pgxpool.Pool, got, want string) bool {
	t.Helper()
	nGot, nWant, extra, missing := rowDiff(t, pool, got, want)
	return nGot == nWant && extra == 0 && missing == 0
}

// mustEqualSim checks that every simulator table named in want (by source
// name; all when empty) is loaded into its target and equals the
// reference built from the simulator's CSV.
func (e *env) mustEqualSim(t testing.TB, opts schema.Options, only ...string) {
	t.Helper()
	for _, st := range e.tables {
		if len(only) > 0 && !contains(only, st.Name) {
			continue
		}
		tbl := mustResolve(t, st, e.tables, opts)
		ref := e.mustRef(t, tbl, refName(), mustCSV(t, st))
		mustSameRows(t, e.pool, st.Name, "TABLE "+schema.Quote(e.target, tbl.Name), "TABLE "+ref)
	}
}

var refSeq struct {
	sync.Mutex
	n int
}

// refName returns a new reference table name.
func refName() string {
	refSeq.Lock()
	defer refSeq.Unlock()
	refSeq.n++
	return "ref_" + strconv.Itoa(refSeq.n)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// mustScalar runs a query returning one value.
func mustScalar[T any](t testing.TB, pool *pgxpool.Pool, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// tableExists reports whether pgSchema.name is a table.
func tableExists(t testing.TB, pool *pgxpool.Pool, pgSchema, name string) bool {
	t.Helper()
	return mustScalar[bool](t, pool, "SELECT to_regclass($1) IS NOT NULL", schema.Quote(pgSchema, name))
}

// ledgerCount counts the env's ledger rows, by status when given.
func (e *env) ledgerCount(t testing.TB, status string) int64 {
	t.Helper()
	if status == "" {
		return mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+schema.Quote(e.ledger, "loads"))
	}
	return mustScalar[int64](t, e.pool, "SELECT count(*) FROM "+schema.Quote(e.ledger, "loads")+" WHERE status = $1", status)
}

// exportCount counts the exports the simulator has.
func (e *env) exportCount(t testing.TB) int {
	t.Helper()
	list, err := e.client.Exports(context.Background())
	if err != nil {
		t.Fatalf("list exports: %v", err)
	}
	return len(list)
}

// mustNoTempFiles checks that dir is empty.
func mustNoTempFiles(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read temp dir: %v", err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if len(names) > 0 {
		t.Errorf("temp files left in %s: got %v, want none", dir, names)
	}
}

// byStatus indexes a report's tables by source name.
func bySource(rep *Report) map[string]TableReport {
	out := map[string]TableReport{}
	for _, tr := range rep.Tables {
		out[tr.Source] = tr
	}
	return out
}

// recorder is an Observer that records stage events by key and can run a
// hook on them, which gets the label of the event's key.
type recorder struct {
	mu      sync.Mutex
	labels  map[string]string // by key
	stages  map[string][]string
	done    map[string]TableReport
	onStage func(label, stage string)
	onRows  func(label string, rows int64)
}

var _ Observer = (*recorder)(nil)

func newRecorder() *recorder {
	return &recorder{labels: map[string]string{}, stages: map[string][]string{}, done: map[string]TableReport{}}
}

func (r *recorder) Start(key, label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.labels[key] = label
}

func (r *recorder) Stage(key, stage string) {
	r.mu.Lock()
	r.stages[key] = append(r.stages[key], stage)
	hook, label := r.onStage, r.labels[key]
	r.mu.Unlock()
	if hook != nil {
		hook(label, stage)
	}
}

func (r *recorder) Downloaded(string, int64, int64) {}

func (r *recorder) Rows(key string, rows int64) {
	r.mu.Lock()
	label := r.labels[key]
	r.mu.Unlock()
	if r.onRows != nil {
		r.onRows(label, rows)
	}
}

func (r *recorder) Done(key string, tr TableReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[key] = tr
}

// count returns how many times any table entered stage.
func (r *recorder) count(stage string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, list := range r.stages {
		for _, s := range list {
			if s == stage {
				n++
			}
		}
	}
	return n
}

// writeFile writes data to dir/name and returns the path.
func mustWriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
