package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Env names the Citus cluster the Citus cases load into (a coordinator's
// URL; make bench starts one with scripts/citus.sh, 32 shards, and sets
// MBILOAD_TEST_CITUS_URL, read when MBILOAD_BENCH_CITUS_URL is not set).
// Without one the Citus cases do not run.
const envBenchCitusURL = "MBILOAD_BENCH_CITUS_URL"

func citusURL() string {
	if u := os.Getenv(envBenchCitusURL); u != "" {
		return u
	}
	return os.Getenv("MBILOAD_TEST_CITUS_URL")
}

// The Citus cases' commands as the table shows them.
const (
	citusLoadCommand     = "mbiload load-file --table sales_order --columns sales_order.columns.json --force sales_order.zip (into a distributed table)"
	citusTruncateCommand = `unzip -p FILE.zip | psql -c BEGIN -c "TRUNCATE mbi.sales_order" -c "\copy mbi.sales_order FROM STDIN ..." -c COMMIT`
)

// citusCases are (f), a replace by mbiload load-file of the table
// hash-distributed by entity_id on the Citus cluster, and (g), what an
// owner would do by hand: TRUNCATE and \copy into the same table in one
// transaction, interleaved run by run. The first, untimed, load-file
// creates the table with --distribute. nil when there is no cluster.
func (h *harness) citusCases(ctx context.Context) (f, g *caseResult) {
	url := citusURL()
	if url == "" {
		fmt.Fprintf(h.out, "\nno Citus cluster (%s): the Citus cases do not run\n", envBenchCitusURL)
		return nil, nil
	}
	f = &caseResult{Key: "f", Label: "Citus: mbiload load-file replace", Command: citusLoadCommand, Rows: h.data.Rows, CSVBytes: h.data.CSVBytes}
	g = &caseResult{Key: "g", Label: `Citus: TRUNCATE; \copy (one transaction)`, Command: citusTruncateCommand, Rows: h.data.Rows, CSVBytes: h.data.CSVBytes}
	env := []string{"DATABASE_URL=" + url, "MBILOAD_SCHEMA=" + mbiSchema, "MBILOAD_LEDGER_SCHEMA=" + ledgerSchema, "MBILOAD_TEMP_DIR=" + h.work}
	report := filepath.Join(h.work, "citus-report.json")
	load := func(ctx context.Context, extra ...string) (sample, error) {
		os.Remove(report)
		args := append([]string{"load-file", "--table", benchTable, "--columns", h.data.Columns, "--force",
			"--progress", "none", "--report", report}, extra...)
		p, err := runProc(ctx, env, h.bin, append(args, h.data.Zip)...)
		if err != nil {
			return sample{}, err
		}
		rep, err := readRunReport(report, []string{benchTable}, h.data.Rows)
		if err != nil {
			return sample{}, err
		}
		return sample{Seconds: p.Wall.Seconds(), ClientCPU: p.CPU.Seconds(), PeakRSSMB: float64(p.MaxRSSKB) / 1024,
			Mechanism: rep.Tables[0].Mechanism}, nil
	}
	if _, err := runProc(ctx, nil, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url,
		"-c", "DROP SCHEMA IF EXISTS "+mbiSchema+" CASCADE", "-c", "DROP SCHEMA IF EXISTS "+ledgerSchema+" CASCADE"); err != nil {
		f.Error = err.Error()
		return f, g
	}
	if _, err := load(ctx, "--distribute", benchTable+"=entity_id"); err != nil {
		f.Error = "create the distributed table: " + err.Error()
		return f, g
	}
	p, err := runProc(ctx, nil, "psql", "-X", "-At", "-d", url, "-c",
		"SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = '"+mbiSchema+"."+benchTable+"'::regclass")
	if err != nil {
		f.Error = err.Error()
		return f, g
	}
	fmt.Fprintf(h.out, "\nrunning the Citus cases (f) (g) %d times, interleaved (%s shards, 2 workers):\n", h.cfg.Runs, strings.TrimSpace(p.Stdout))
	target := mbiSchema + "." + benchTable
	script := `unzip -p "$BENCH_ZIP" | psql -X -v ON_ERROR_STOP=1 -d "$BENCH_URL" -c BEGIN -c "TRUNCATE ` + target +
		`" -c "\copy ` + target + ` FROM STDIN ` + copyOptions + `" -c COMMIT`
	for i := range h.cfg.Runs {
		h.runCase(ctx, f, i, h.cfg.Runs, func(ctx context.Context) (sample, error) { return load(ctx) })
		h.runCase(ctx, g, i, h.cfg.Runs, func(ctx context.Context) (sample, error) {
			p, err := runProc(ctx, []string{"BENCH_ZIP=" + h.data.Zip, "BENCH_URL=" + url}, "sh", "-c", script)
			if err == nil {
				err = checkCopied(p.Stdout, h.data.Rows)
			}
			return sample{Seconds: p.Wall.Seconds(), ClientCPU: p.CPU.Seconds(), PeakRSSMB: float64(p.MaxRSSKB) / 1024}, err
		})
	}
	f.summarize()
	g.summarize()
	return f, g
}

// BenchmarkCitus runs the Citus cases alone (make bench-citus): mbiload's
// replace of the distributed table against TRUNCATE; \copy, BENCH_RUNS
// times interleaved, on BENCH_ROWS rows, and prints them with their ratio.
func BenchmarkCitus(b *testing.B) {
	wd, err := os.Getwd()
	if err != nil {
		b.Fatal(err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := configFromEnv(os.Getenv, root)
	if err != nil {
		b.Fatal(err)
	}
	if citusURL() == "" {
		b.Fatalf("no Citus cluster: set %s, or run make bench-citus", envBenchCitusURL)
	}
	ctx := b.Context()
	h := &harness{cfg: cfg, out: os.Stdout, setup: map[string]float64{}}
	if h.work, err = os.MkdirTemp("", "mbiload-bench-run-"); err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(h.work)
	if err := h.step("build mbiload", h.build); err != nil {
		b.Fatal(err)
	}
	if h.data, err = prepareDataset(ctx, cfg.CacheDir, cfg.Rows, cfg.Seed, false); err != nil {
		b.Fatal(err)
	}
	var f, g *caseResult
	loadStart := loadAvg()
	for b.Loop() {
		f, g = h.citusCases(ctx)
	}
	for _, c := range []*caseResult{f, g} {
		if c.Error != "" {
			b.Fatalf("case %s could not run: %s", c.Key, c.Error)
		}
		fmt.Printf("(%s) %-42s median %6.2f s  min %6.2f s  max %6.2f s  (%d runs)\n", c.Key, c.Label,
			c.Summary.Median, c.Summary.Min, c.Summary.Max, c.Summary.Runs)
	}
	if r := div(ptr(f.Summary.Median), ptr(g.Summary.Median)); r != nil {
		fmt.Printf("(f)/(g) = %.2f (target <= %.1f), %s rows, loadavg %s at the start, %s at the end\n", *r, limitCitusVsTruncate,
			millions(cfg.Rows), loadStart, loadAvg())
		b.ReportMetric(*r, "f/g")
	}
}
