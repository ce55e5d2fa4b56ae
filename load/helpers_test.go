package load

import (
	"context"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// sliceBatches is a Batches over prepared record batches; it hands each
// out once (ownership passes to the caller) and releases what is left on
// close.
type sliceBatches struct {
	recs    []arrow.RecordBatch
	rejects []schema.Reject
	err     error // returned instead of io.EOF at the end
	next    func(ctx context.Context, k int) error
	k       int
}

func (s *sliceBatches) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.next != nil {
		if err := s.next(ctx, s.k); err != nil {
			return nil, err
		}
	}
	if s.k >= len(s.recs) {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	rec := s.recs[s.k]
	s.recs[s.k] = nil
	s.k++
	return rec, nil
}

func (s *sliceBatches) Rejects() []schema.Reject { return s.rejects }

func (s *sliceBatches) close() {
	for _, r := range s.recs {
		if r != nil {
			r.Release()
		}
	}
}

var _ Batches = (*sliceBatches)(nil)
var _ Batches = (*transform.Decoder)(nil)

// mustTable resolves column metadata given as "name:type" pairs; a "*"
// suffix on the name marks the primary key, "!" NOT NULL.
func mustTable(t testing.TB, name string, cols ...string) *schema.Table {
	t.Helper()
	var cc []schema.Column
	for _, c := range cols {
		n, typ, _ := strings.Cut(c, ":")
		col := schema.Column{Name: n, Type: typ}
		if strings.HasSuffix(n, "*") {
			col.Name = strings.TrimSuffix(n, "*")
			col.IsPrimaryKey = true
			f := schema.Flag(false)
			col.Nullable = &f
		} else if strings.HasSuffix(n, "!") {
			col.Name = strings.TrimSuffix(n, "!")
			f := schema.Flag(false)
			col.Nullable = &f
		}
		cc = append(cc, col)
	}
	tbl, err := schema.NewTable("", name, cc, schema.Options{})
	if err != nil {
		t.Fatalf("table %s: %v", name, err)
	}
	return tbl
}

// csvSource decodes csv (with a header) for tbl through transform.
func csvSource(t testing.TB, tbl *schema.Table, csv string, opts transform.Options) *transform.Decoder {
	t.Helper()
	d, err := transform.NewDecoder(context.Background(), strings.NewReader(csv), tbl, opts)
	if err != nil {
		t.Fatalf("decoder: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// env is one test's database: a pool, a target and a ledger schema.
type env struct {
	pool   *pgxpool.Pool
	schema string
	ledger string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	pool := pgtest.Pool(t)
	return &env{pool: pool, schema: pgtest.Schema(t, pool), ledger: pgtest.Schema(t, pool)}
}

func (e *env) loader(t testing.TB, cfg Config) *Loader {
	t.Helper()
	cfg.Schema, cfg.LedgerSchema = e.schema, e.ledger
	l, err := New(context.Background(), e.pool, cfg)
	if err == nil {
		err = l.Setup(context.Background())
	}
	if err != nil {
		t.Fatalf("New and Setup: %v", err)
	}
	return l
}

// load loads csv into tbl with job's other fields.
func (e *env) load(t testing.TB, l *Loader, tbl *schema.Table, csv string, job Job) (Result, error) {
	t.Helper()
	job.Table = tbl
	job.Source = csvSource(t, tbl, csv, transform.Options{MaxBadRows: l.cfg.MaxBadRows})
	if job.ExpectedRows == 0 {
		job.ExpectedRows = -1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return l.Load(ctx, job)
}

func (e *env) mustLoad(t testing.TB, l *Loader, tbl *schema.Table, csv string, job Job) Result {
	t.Helper()
	res, err := e.load(t, l, tbl, csv, job)
	if err != nil {
		t.Fatalf("load %s: %v", tbl.Name, err)
	}
	return res
}

// rows returns the table's rows as text (NULL as "<nil>"), ordered by the
// given SQL expression.
func (e *env) rows(t testing.TB, table, orderBy string) [][]string {
	t.Helper()
	return queryText(t, e.pool, "SELECT * FROM "+schema.Quote(e.schema, table)+" ORDER BY "+orderBy)
}

// queryText runs sql and returns every value in PostgreSQL's text form.
func queryText(t testing.TB, pool *pgxpool.Pool, sql string) [][]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	defer conn.Release()
	res := conn.Conn().PgConn().ExecParams(ctx, sql, nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatalf("query %s: %v", sql, res.Err)
	}
	var out [][]string
	for _, r := range res.Rows {
		row := make([]string, len(r))
		for k, v := range r {
			if v == nil {
				row[k] = "<nil>"
			} else {
				row[k] = string(v)
			}
		}
		out = append(out, row)
	}
	return out
}

func mustExec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func mustScalar[T any](t testing.TB, pool *pgxpool.Pool, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// dec parses a decimal text into its unscaled integer at scale.
func dec(t testing.TB, s string, scale int) *big.Int {
	t.Helper()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) > scale {
		t.Fatalf("decimal %s has more than %d fractional digits", s, scale)
	}
	fp += strings.Repeat("0", scale-len(fp))
	v, ok := new(big.Int).SetString(ip+fp, 10)
	if !ok {
		t.Fatalf("bad decimal %q", s)
	}
	if neg {
		v.Neg(v)
	}
	return v
}

func dec128(t testing.TB, s string, scale int) decimal128.Num {
	return decimal128.FromBigInt(dec(t, s, scale))
}

func dec256(t testing.TB, s string, scale int) decimal256.Num {
	return decimal256.FromBigInt(dec(t, s, scale))
}

// oneColumnBatch builds a one-column batch of type dt from appenders.
func oneColumnBatch(mem memory.Allocator, name string, dt arrow.DataType, appendAll func(b array.Builder)) arrow.RecordBatch {
	sch := arrow.NewSchema([]arrow.Field{{Name: name, Type: dt, Nullable: true}}, nil)
	rb := array.NewRecordBuilder(mem, sch)
	defer rb.Release()
	appendAll(rb.Field(0))
	return rb.NewRecordBatch()
}

func pgtestUnique(t testing.TB, prefix string) string { return pgtest.UniqueName(t, prefix) }

// decodeAll decodes csv into batches held by a sliceBatches (released at
// cleanup if not handed out).
func decodeAll(t testing.TB, tbl *schema.Table, csv string) *sliceBatches {
	t.Helper()
	d := csvSource(t, tbl, csv, transform.Options{})
	s := &sliceBatches{}
	for {
		rec, err := d.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		s.recs = append(s.recs, rec)
	}
	t.Cleanup(s.close)
	return s
}

// mustOrders loads the orders table from ordersCSV (export e1), then runs
// the setup statements on it; "%s" in them is the env's schema.
func (e *env) mustOrders(t testing.TB, l *Loader, setup ...string) {
	t.Helper()
	e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: "e1"})
	for _, s := range setup {
		mustExec(t, e.pool, strings.ReplaceAll(s, "%s", e.schema))
	}
}
