package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// results is everything one run of the harness measured; bench.json holds
// it.
type results struct {
	StartedAt time.Time `json:"started_at"`
	// TotalSeconds is how long the cases took, TimedSeconds the part of it
	// inside timed runs (the rest: checkpoints, table resets, checks).
	// Revision is the working tree's `git describe --always --dirty`.
	Revision     string             `json:"revision"`
	TotalSeconds float64            `json:"total_seconds"`
	TimedSeconds float64            `json:"timed_seconds"`
	Host         hostInfo           `json:"host"`
	Server       serverInfo         `json:"server"`
	Data         dataInfo           `json:"data"`
	SetupSeconds map[string]float64 `json:"setup_seconds"`
	Cases        []*caseResult      `json:"cases"`
	Ratios       []ratio            `json:"ratios"`
	Targets      []target           `json:"targets"`
}

// hostInfo describes the machine, including how busy it was.
type hostInfo struct {
	CPUs         int    `json:"cpus"`
	GoVersion    string `json:"go_version"`
	LoadAvgStart string `json:"loadavg_start"`
	LoadAvgEnd   string `json:"loadavg_end"`
}

// serverInfo describes the PostgreSQL server.
type serverInfo struct {
	Throwaway bool      `json:"throwaway"`
	Settings  []setting `json:"settings"`
	CPUNote   string    `json:"cpu_note"`
}

// dataInfo describes the data loaded.
type dataInfo struct {
	Table         string `json:"table"`
	Rows          int64  `json:"rows"`
	Seed          int64  `json:"seed"`
	CSVBytes      int64  `json:"csv_bytes"`
	ZipBytes      int64  `json:"zip_bytes"`
	CacheDir      string `json:"cache_dir"`
	ScaleRows     int64  `json:"scale_rows,omitempty"`
	ScaleCSVBytes int64  `json:"scale_csv_bytes,omitempty"`
}

// compare runs every case, interleaved run by run so that a burst of load
// from elsewhere on the machine hits all cases alike, and returns the
// results with their ratios and targets.
func (h *harness) compare(ctx context.Context) *results {
	start := time.Now()
	res := &results{
		StartedAt: start.UTC(),
		Host:      hostInfo{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadAvgStart: loadAvg()},
		Server:    serverInfo{Throwaway: h.db.Throwaway, Settings: h.db.Settings, CPUNote: h.db.CPUNote},
		Data: dataInfo{Table: benchTable, Rows: h.data.Rows, Seed: h.data.Seed, CSVBytes: h.data.CSVBytes,
			ZipBytes: h.data.ZipBytes, CacheDir: h.cfg.CacheDir},
		SetupSeconds: h.setup,
		Revision:     revision(h.cfg.Root),
	}
	newCase := func(key, label, command string) *caseResult {
		return &caseResult{Key: key, Label: label, Command: command, Rows: h.data.Rows, CSVBytes: h.data.CSVBytes}
	}
	a := newCase("a", "server COPY FROM file (the limit)",
		"psql -c \"COPY bench.sales_order FROM 'FILE.csv' "+copyOptions+"\"")
	b := newCase("b", `unzip -p | psql \copy`, psqlPipeCommand)
	c := newCase("c", "mbiload load-file", loadFileCommand)
	d := newCase("d", "mbiload sync (simulator)", syncCommand)
	e := newCase("e", "sync 4 tables, --concurrency 4", multiCommand)
	seq := newCase("e_seq", "4 single-table syncs in a row", multiSeqCommand)
	e.Rows, e.CSVBytes = multiTables*h.data.Rows, multiTables*h.data.CSVBytes
	seq.Rows, seq.CSVBytes = e.Rows, e.CSVBytes

	if err := h.dropLoaded(ctx); err != nil {
		c.Error = err.Error()
	}
	fmt.Fprintf(h.out, "\nrunning (a) (b) (c) (d) %d times, interleaved:\n", h.cfg.Runs)
	for i := range h.cfg.Runs {
		h.runCase(ctx, a, i, h.cfg.Runs, h.runServerCopy)
		h.runCase(ctx, b, i, h.cfg.Runs, h.runPsqlPipe)
		h.runCase(ctx, c, i, h.cfg.Runs, func(ctx context.Context) (sample, error) { return h.runLoadFile(ctx, h.data) })
		h.runCase(ctx, d, i, h.cfg.Runs, h.runSync)
	}
	fmt.Fprintf(h.out, "\nrunning (e) and its sequential comparison %d times, interleaved:\n", h.cfg.MultiRuns)
	for i := range h.cfg.MultiRuns {
		h.runCase(ctx, e, i, h.cfg.MultiRuns, h.runMulti)
		h.runCase(ctx, seq, i, h.cfg.MultiRuns, h.runMultiSeq)
	}
	cases := []*caseResult{a, b, c, c.subset("c_create", "  load-file run 1 (creates the table)", 0, 1)}
	if len(c.Samples) > 1 {
		cases = append(cases, c.subset("c_replace", "  load-file runs 2.. (replace)", 1, len(c.Samples)))
	}
	cases = append(cases, d, e, seq)
	if f, g := h.citusCases(ctx); f != nil {
		cases = append(cases, f, g)
		defer func() {
			for _, s := range append(f.Samples, g.Samples...) {
				res.TimedSeconds += s.Seconds
			}
		}()
	}
	if h.cfg.ScaleRows > 0 {
		if sc := h.scaleCase(ctx, res); sc != nil {
			cases = append(cases, sc)
		}
	}
	for _, x := range []*caseResult{a, b, c, d, e, seq} {
		x.summarize()
	}
	res.Cases = cases
	res.Ratios = ratios(res)
	res.Targets = targets(res)
	res.Host.LoadAvgEnd = loadAvg()
	res.TotalSeconds = time.Since(start).Seconds()
	for _, c := range []*caseResult{a, b, c, d, e, seq, caseByKey(cases, "c_scale")} {
		if c == nil {
			continue
		}
		for _, s := range c.Samples {
			res.TimedSeconds += s.Seconds
		}
	}
	return res
}

// scaleCase runs load-file at BENCH_SCALE_ROWS, for the memory and
// linearity targets.
func (h *harness) scaleCase(ctx context.Context, res *results) *caseResult {
	sc := &caseResult{Key: "c_scale", Label: fmt.Sprintf("mbiload load-file, %s rows", millions(h.cfg.ScaleRows)),
		Command: loadFileCommand, Rows: h.cfg.ScaleRows}
	fmt.Fprintf(h.out, "\nrunning (c) at %d rows %d times:\n", h.cfg.ScaleRows, h.cfg.ScaleRuns)
	start := time.Now()
	ds, err := prepareDataset(ctx, h.cfg.CacheDir, h.cfg.ScaleRows, h.cfg.Seed, false)
	if err != nil {
		sc.Error = err.Error()
		return sc
	}
	h.setup["generate scale data"] = time.Since(start).Seconds()
	fmt.Fprintf(h.out, "data: %s, %d rows, CSV %.1f MB, zip %.1f MB (%s)\n", ds.Dir, ds.Rows,
		float64(ds.CSVBytes)/1e6, float64(ds.ZipBytes)/1e6, cachedOr(ds.Generated))
	sc.CSVBytes = ds.CSVBytes
	res.Data.ScaleRows, res.Data.ScaleCSVBytes = ds.Rows, ds.CSVBytes
	for i := range h.cfg.ScaleRuns {
		h.runCase(ctx, sc, i, h.cfg.ScaleRuns, func(ctx context.Context) (sample, error) { return h.runLoadFile(ctx, ds) })
	}
	sc.summarize()
	return sc
}

// runCase runs one run of a case and records its sample, or its error
// (after which the case runs no more).
func (h *harness) runCase(ctx context.Context, c *caseResult, i, n int, run func(context.Context) (sample, error)) {
	if c.Error != "" {
		return
	}
	s, err := run(ctx)
	if err != nil {
		c.Error = err.Error()
		fmt.Fprintf(h.out, "  %-6s run %d/%d: ERROR %v\n", c.Key, i+1, n, err)
		return
	}
	c.Samples = append(c.Samples, s)
	var extra []string
	if s.ServerCPU != nil {
		extra = append(extra, fmt.Sprintf("server CPU %.1f s", *s.ServerCPU))
	}
	if s.ExportWait != nil {
		extra = append(extra, fmt.Sprintf("export wait %.2f s", *s.ExportWait))
	}
	if s.Mechanism != "" {
		extra = append(extra, s.Mechanism)
	}
	fmt.Fprintf(h.out, "  %-6s run %d/%d: %7.2f s  peak RSS %4.0f MiB  client CPU %5.1f s  %s\n",
		c.Key, i+1, n, s.Seconds, s.PeakRSSMB, s.ClientCPU, strings.Join(extra, ", "))
}

// revision describes the working tree's commit, "unknown" outside git.
func revision(root string) string {
	cmd := exec.Command("git", "describe", "--always", "--dirty")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// loadAvg returns /proc/loadavg's first three fields.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	return strings.Join(f[:min(3, len(f))], " ")
}

// millions writes a row count briefly: 5M, 1.5M, 200k.
func millions(n int64) string {
	switch {
	case n >= 1_000_000 && n%100_000 == 0:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1e6), ".0") + "M"
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}
