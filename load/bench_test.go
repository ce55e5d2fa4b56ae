package load

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// benchRows is BENCH_ROWS or 1,000,000.
func benchRows(b *testing.B) int64 {
	n := int64(1_000_000)
	if s := os.Getenv("BENCH_ROWS"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 {
			b.Fatalf("BENCH_ROWS=%q: want a positive integer", s)
		}
		n = v
	}
	return n
}

// salesOrderZip returns the generated sales_order zip of n rows, built
// once and cached in the temp dir, and its table.
func salesOrderZip(b *testing.B, n int64) (string, *schema.Table) {
	b.Helper()
	gt := magentogen.Find(magentogen.Warehouse(n, 1), "sales_order")
	tbl, err := schema.NewTable(gt.ID, gt.Name, gt.Columns, schema.Options{})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("mbiload-bench-sales_order-%d.zip", n))
	if _, err := os.Stat(path); err == nil {
		return path, tbl
	}
	f, err := os.CreateTemp(os.TempDir(), "mbiload-bench-*.zip.tmp")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(f.Name())
	if err := gt.WriteZip(context.Background(), f, "sales_order.csv"); err != nil {
		f.Close()
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		b.Fatal(err)
	}
	return path, tbl
}

// benchLoader sets up a loader (cfg, forced) on two new schemas of the
// test database and returns its pool, the target schema and load, which
// loads the n rows of the zip at zipPath into tbl as export bench-i.
func benchLoader(b *testing.B, cfg Config, zipPath string, tbl *schema.Table, n int64) (*pgxpool.Pool, string, func(i int) Result) {
	b.Helper()
	pool := pgtest.Pool(b)
	cfg.Schema, cfg.LedgerSchema, cfg.Force = pgtest.Schema(b, pool), pgtest.Schema(b, pool), true
	l, err := New(context.Background(), pool, cfg)
	if err == nil {
		err = l.Setup(context.Background())
	}
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	load := func(i int) Result {
		entry, err := transform.OpenZip(zipPath, transform.ZipLimits{})
		if err != nil {
			b.Fatal(err)
		}
		defer entry.Close()
		d, err := transform.NewDecoder(ctx, entry, tbl, transform.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		res, err := l.Load(ctx, Job{Table: tbl, Source: d, ExportID: fmt.Sprint("bench-", i), ExpectedRows: n})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	return pool, cfg.Schema, load
}

// BenchmarkLoadSalesOrder times, in the same run and on the same zip of
// BENCH_ROWS (default 1M) generated sales_order rows:
//
//	psql:    unzip -p FILE.zip | psql -c "\copy t FROM STDIN WITH (FORMAT csv, HEADER true)"
//	         into a fresh table of the same DDL;
//	mbiload: transform.OpenZip → transform.NewDecoder → Loader.Load (replace).
//
// and reports both in seconds and their ratio (target: mbiload/psql ≤ 1).
// Run it with: go test ./load -run '^$' -bench LoadSalesOrder -benchtime 3x
func BenchmarkLoadSalesOrder(b *testing.B) {
	n := benchRows(b)
	zipPath, tbl := salesOrderZip(b, n)
	url := pgtest.URL(b)
	pool := pgtest.Pool(b)
	target, ledgerSchema := pgtest.Schema(b, pool), pgtest.Schema(b, pool)
	l, err := New(context.Background(), pool, Config{Schema: target, LedgerSchema: ledgerSchema, Force: true})
	if err == nil {
		err = l.Setup(context.Background())
	}
	if err != nil {
		b.Fatal(err)
	}
	if _, err := exec.LookPath("psql"); err != nil {
		b.Fatal("psql is needed for the comparison")
	}
	var psqlTime, ourTime time.Duration
	var psqlCPU, ourCPU float64
	ctx := context.Background()
	pm := postmasterPID(b, pool)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// psql: a fresh table of the same DDL each time.
		b.StopTimer()
		name := fmt.Sprintf("psql_%d", i)
		// Each contender starts from a clean server: no dirty buffers or WAL
		// of the previous one left to write, no autovacuum of its table.
		if _, err := pool.Exec(ctx, tbl.CreateTableSQL(target, name)+" WITH (autovacuum_enabled = false)"); err != nil {
			b.Fatal(err)
		}
		checkpoint(b, pool)
		srv0 := serverCPU(pm)
		b.StartTimer()
		start := time.Now()
		cmd := exec.Command("sh", "-c", `unzip -p "$ZIP" | psql -X -q -v ON_ERROR_STOP=1 "$URL" -c "\copy $TABLE FROM STDIN WITH (FORMAT csv, HEADER true)"`)
		cmd.Env = append(os.Environ(), "ZIP="+zipPath, "URL="+url, "TABLE="+schema.Quote(target, name))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("psql: %v\n%s", err, out)
		}
		psqlTime += time.Since(start)
		b.StopTimer()
		psqlCPU += serverCPU(pm) - srv0 + (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		checkpoint(b, pool)
		srv0, self0 := serverCPU(pm), selfCPU()
		b.StartTimer()

		start = time.Now()
		entry, err := transform.OpenZip(zipPath, transform.ZipLimits{})
		if err != nil {
			b.Fatal(err)
		}
		d, err := transform.NewDecoder(ctx, entry, tbl, transform.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := l.Load(ctx, Job{Table: tbl, Source: d, ExportID: fmt.Sprint("bench-", i), ExpectedRows: n})
		d.Close()
		entry.Close()
		if err != nil {
			b.Fatal(err)
		}
		ourTime += time.Since(start)
		b.StopTimer()
		ourCPU += serverCPU(pm) - srv0 + selfCPU() - self0
		if res.RowsLoaded != n {
			b.Fatalf("loaded %d rows, want %d", res.RowsLoaded, n)
		}
		b.Logf("run %d: %s copy %v publish %v", i, res.Mechanism, res.CopyDuration.Round(time.Millisecond), res.PublishDuration.Round(time.Millisecond))
		if _, err := pool.Exec(ctx, "DROP TABLE "+schema.Quote(target, name)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	ps, ms := psqlTime.Seconds()/float64(b.N), ourTime.Seconds()/float64(b.N)
	b.ReportMetric(ps, "psql-s")
	b.ReportMetric(ms, "mbiload-s")
	b.ReportMetric(ms/ps, "mbiload/psql")
	b.ReportMetric(float64(n)/ms, "rows/s")
	if pm > 0 {
		// CPU seconds (client and server processes) are what a load costs
		// whatever else runs on the machine.
		b.ReportMetric(psqlCPU/float64(b.N), "psql-cpu-s")
		b.ReportMetric(ourCPU/float64(b.N), "mbiload-cpu-s")
	}
}

// postmasterPID finds the server's postmaster through a backend's parent,
// or returns 0 when the server is not on this machine.
func postmasterPID(b *testing.B, pool interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) int {
	var pid int
	if err := pool.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		b.Fatal(err)
	}
	f := procStat(pid)
	if len(f) < 2 {
		return 0
	}
	pm, _ := strconv.Atoi(f[1])
	return pm
}

// procStat returns the fields of /proc/pid/stat after the command name
// (field 3, the state, first), or nil.
func procStat(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	return strings.Fields(s)
}

// serverCPU sums the CPU seconds of the postmaster, its live children and
// the children it has reaped.
func serverCPU(pm int) float64 {
	if pm == 0 {
		return 0
	}
	ticks := func(f []string, idx ...int) float64 {
		var t float64
		for _, i := range idx {
			if i < len(f) {
				v, _ := strconv.ParseFloat(f[i], 64)
				t += v
			}
		}
		return t
	}
	total := ticks(procStat(pm), 11, 12, 13, 14) // utime, stime, cutime, cstime
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if f := procStat(pid); len(f) > 12 && f[1] == strconv.Itoa(pm) {
			total += ticks(f, 11, 12)
		}
	}
	return total / 100
}

// selfCPU is this process's CPU seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func checkpoint(b *testing.B, pool interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}) {
	b.Helper()
	if _, err := pool.Exec(context.Background(), "CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
}

// retainedBatches hands out prepared batches again and again (retained
// for each hand-out), for COPY-only benchmarks.
type retainedBatches struct {
	recs []arrow.RecordBatch
	k    int
}

func (s *retainedBatches) Next(context.Context) (arrow.RecordBatch, error) {
	if s.k >= len(s.recs) {
		return nil, io.EOF
	}
	r := s.recs[s.k]
	s.k++
	r.Retain()
	return r, nil
}

func (s *retainedBatches) Rejects() []schema.Reject { return nil }

// BenchmarkParallelCopy answers whether several COPY connections for one
// table pay off on this machine: the same decoded rows (decoding is done
// beforehand and not timed) COPYed by 1, 2 or 4 connections into separate
// staging tables, each in its own transaction.
func BenchmarkParallelCopy(b *testing.B) {
	n := benchRows(b)
	zipPath, tbl := salesOrderZip(b, n)
	ctx := context.Background()
	recs := decodeZip(b, zipPath, tbl)
	pool := pgtest.Pool(b)
	sch := pgtest.Schema(b, pool)
	for _, conns := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var wg sync.WaitGroup
				errs := make([]error, conns)
				for c := 0; c < conns; c++ {
					var part []arrow.RecordBatch
					for k := c; k < len(recs); k += conns {
						part = append(part, recs[k])
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						errs[c] = copyPart(ctx, pool, tbl, sch, part)
					}()
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// decodeZip decodes the whole zip into memory (for COPY-only benchmarks).
func decodeZip(b *testing.B, zipPath string, tbl *schema.Table) []arrow.RecordBatch {
	b.Helper()
	ctx := context.Background()
	entry, err := transform.OpenZip(zipPath, transform.ZipLimits{})
	if err != nil {
		b.Fatal(err)
	}
	defer entry.Close()
	d, err := transform.NewDecoder(ctx, entry, tbl, transform.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var recs []arrow.RecordBatch
	for {
		rec, err := d.Next(ctx)
		if err == io.EOF {
			b.Cleanup(func() {
				for _, r := range recs {
					r.Release()
				}
			})
			return recs
		}
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// BenchmarkCopyOptions compares COPY options on the same decoded rows:
// each iteration COPYs into a table created in the transaction, commits,
// then scans it once (the first reader of rows not frozen writes their
// hint bits), alternating the variants so they share the machine's load.
// Besides wall time it reports the server backend's CPU seconds (from
// /proc, when the server runs on this machine), which other load on the
// machine does not disturb.
func BenchmarkCopyOptions(b *testing.B) {
	n := benchRows(b)
	zipPath, tbl := salesOrderZip(b, n)
	recs := decodeZip(b, zipPath, tbl)
	pool := pgtest.Pool(b)
	sch := pgtest.Schema(b, pool)
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	var pid int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		b.Fatal(err)
	}
	variants := []struct {
		name, create string
		opts         copyOptions
		commit       string
	}{
		{"plain", "", copyPlain, ""},
		{"freeze", "", copyFreeze, ""},
		{"async-commit", "", copyFreeze, "SET LOCAL synchronous_commit = off"},
		{"unlogged+set-logged", "UNLOGGED ", copyFreeze, "SET LOGGED"},
	}
	wall := make([]time.Duration, len(variants))
	cpu := make([]float64, len(variants))
	for i := 0; i < b.N; i++ {
		for k, v := range variants {
			checkpoint(b, pool)
			start, cpu0 := time.Now(), procCPU(pid)
			name := schema.Quote(sch, fmt.Sprintf("c_%d_%d", i, k))
			tx, err := conn.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "CREATE "+v.create+"TABLE "+name+" ("+joinDefs(tbl)+")"); err != nil {
				b.Fatal(err)
			}
			if _, err := copyBatches(ctx, tx.Conn().PgConn(), name, v.opts, &retainedBatches{recs: recs}, tbl.ArrowSchema(), fieldColumns(tbl), nil); err != nil {
				b.Fatal(err)
			}
			switch v.commit {
			case "SET LOGGED":
				if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" SET LOGGED"); err != nil {
					b.Fatal(err)
				}
			case "":
			default:
				if _, err := tx.Exec(ctx, v.commit); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := conn.Exec(ctx, "SELECT count(*) FROM "+name); err != nil {
				b.Fatal(err)
			}
			wall[k] += time.Since(start)
			cpu[k] += procCPU(pid) - cpu0
			if _, err := conn.Exec(ctx, "DROP TABLE "+name); err != nil {
				b.Fatal(err)
			}
		}
	}
	for k, v := range variants {
		b.ReportMetric(wall[k].Seconds()/float64(b.N), v.name+"-s")
		b.ReportMetric(cpu[k]/float64(b.N), v.name+"-server-cpu-s")
	}
}

// procCPU returns the user+system CPU seconds of process pid from /proc
// (0 when unreadable, e.g. a remote server).
func procCPU(pid int) float64 {
	f := procStat(pid)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // clock ticks; USER_HZ is 100 on Linux
}

// chanBatches is a Batches fed by a channel (one of several COPYs sharing
// one decoder).
type chanBatches struct{ ch <-chan arrow.RecordBatch }

func (s chanBatches) Next(ctx context.Context) (arrow.RecordBatch, error) {
	select {
	case r, ok := <-s.ch:
		if !ok {
			return nil, io.EOF
		}
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s chanBatches) Rejects() []schema.Reject { return nil }

// BenchmarkParallelCopyLive is BenchmarkParallelCopy with the decoding
// included, as a load would run it: one decoder reading the zip, its
// batches dealt to 1 or 2 COPY connections.
func BenchmarkParallelCopyLive(b *testing.B) {
	n := benchRows(b)
	zipPath, tbl := salesOrderZip(b, n)
	pool := pgtest.Pool(b)
	sch := pgtest.Schema(b, pool)
	ctx := context.Background()
	for _, conns := range []int{1, 2} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				checkpoint(b, pool)
				b.StartTimer()
				entry, err := transform.OpenZip(zipPath, transform.ZipLimits{})
				if err != nil {
					b.Fatal(err)
				}
				d, err := transform.NewDecoder(ctx, entry, tbl, transform.Options{})
				if err != nil {
					b.Fatal(err)
				}
				chans := make([]chan arrow.RecordBatch, conns)
				var wg sync.WaitGroup
				errs := make([]error, conns)
				for c := range chans {
					chans[c] = make(chan arrow.RecordBatch, 1)
					wg.Add(1)
					go func() {
						defer wg.Done()
						errs[c] = copyStream(ctx, pool, tbl, sch, chanBatches{chans[c]})
					}()
				}
				for k := 0; ; k++ {
					rec, err := d.Next(ctx)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					chans[k%conns] <- rec
				}
				for _, c := range chans {
					close(c)
				}
				wg.Wait()
				d.Close()
				entry.Close()
				b.StopTimer()
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// copyStream COPYs a stream of batches into a fresh table in one
// transaction and rolls it back.
func copyStream(ctx context.Context, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, tbl *schema.Table, sch string, src Batches) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	name := schema.Quote(sch, "stage_"+randomHex(6))
	if _, err := tx.Exec(ctx, "CREATE TABLE "+name+" ("+joinDefs(tbl)+")"); err != nil {
		return err
	}
	_, err = copyBatches(ctx, tx.Conn().PgConn(), name, copyFreeze, src, tbl.ArrowSchema(), fieldColumns(tbl), nil)
	return err
}

// copyPart COPYs batches into a fresh staging table in one transaction,
// as a load does, and rolls it back.
func copyPart(ctx context.Context, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, tbl *schema.Table, sch string, recs []arrow.RecordBatch) error {
	return copyStream(ctx, pool, tbl, sch, &retainedBatches{recs: recs})
}

func joinDefs(t *schema.Table) string {
	s := ""
	for k, d := range columnDefs(t) {
		if k > 0 {
			s += ", "
		}
		s += d
	}
	return s
}

// BenchmarkEncode measures the binary COPY encoder alone: pre-decoded
// sales_order batches encoded into a discarded stream.
func BenchmarkEncode(b *testing.B) {
	n := benchRows(b)
	zipPath, tbl := salesOrderZip(b, n)
	recs := decodeZip(b, zipPath, tbl)
	buf := make([]byte, 65531)
	var total int64
	for b.Loop() {
		r := newCopyReader(context.Background(), &retainedBatches{recs: recs}, tbl.ArrowSchema(), fieldColumns(tbl))
		total = 0
		for {
			k, err := r.Read(buf)
			total += int64(k)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.SetBytes(total)
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n)/float64(b.N), "ns/row")
}
