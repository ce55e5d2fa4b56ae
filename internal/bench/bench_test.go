package bench

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkCompare is `make bench`: one iteration runs the whole comparison
// (run it with -benchtime 1x), prints the table, the ratios and the targets
// to stdout, writes them as JSON (BENCH_JSON, default bin/bench.json) and
// reports the key ratios as benchmark metrics. A case that cannot run fails
// the benchmark; a missed target does not.
func BenchmarkCompare(b *testing.B) {
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
	ctx := b.Context()
	h, err := newHarness(ctx, cfg, os.Stdout)
	defer func() {
		if h == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Minute)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			b.Error(err)
		}
	}()
	if err != nil {
		b.Fatal(err)
	}
	var res *results
	for b.Loop() {
		res = h.compare(ctx)
	}
	printResults(os.Stdout, res)
	if err := writeJSON(cfg.JSONPath, res); err != nil {
		b.Error(err)
	} else {
		b.Logf("results written to %s", cfg.JSONPath)
	}
	if cfg.PerfPath != "" {
		if err := h.profileLoadFile(ctx, cfg.PerfPath); err != nil {
			b.Error(err)
		}
	}
	for _, r := range res.Ratios {
		if r.Value != nil {
			b.ReportMetric(*r.Value, metricUnit(r.Name))
		}
	}
	if c := caseByKey(res.Cases, "c"); c != nil && c.Summary.Runs > 0 {
		b.ReportMetric(c.Summary.Median, "c_s")
		b.ReportMetric(c.Summary.RowsPerSec, "c_rows/s")
		b.ReportMetric(c.Summary.PeakRSSMB, "c_peak_MiB")
	}
	for _, c := range res.Cases {
		if c.Error != "" {
			b.Errorf("case %s (%s) could not run: %s", c.Key, c.Label, c.Error)
		}
	}
}

// metricUnit turns a ratio's name into a benchmark unit (no spaces).
func metricUnit(name string) string { return strings.ReplaceAll(name, " ", "_") }
