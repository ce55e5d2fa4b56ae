package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// harness holds what every case shares: the configuration, the mbiload
// binary, the data, the server and the simulator.
type harness struct {
	cfg   config
	out   io.Writer
	bin   string
	work  string
	db    *database
	data  *dataset
	table *schema.Table
	sim   *simulator
	// multi are the table names the simulator serves for case (e).
	multi []string
	setup map[string]float64
}

// newHarness builds mbiload, generates (or finds) the data, starts the
// server and the simulator, and warms the simulator's exports. Call Close
// when done, also after an error.
func newHarness(ctx context.Context, cfg config, out io.Writer) (*harness, error) {
	h := &harness{cfg: cfg, out: out, setup: map[string]float64{}}
	work, err := os.MkdirTemp("", "mbiload-bench-run-")
	if err != nil {
		return nil, fmt.Errorf("create work directory: %w", err)
	}
	h.work = work
	if err := h.step("build mbiload", h.build); err != nil {
		return h, err
	}
	if err := h.step("generate data", func() error {
		ds, err := prepareDataset(ctx, cfg.CacheDir, cfg.Rows, cfg.Seed, true)
		if err != nil {
			return err
		}
		h.data = ds
		h.table, err = schema.NewTable("", benchTable, ds.ColumnList, schema.Options{})
		if err != nil {
			return fmt.Errorf("map %s: %w", benchTable, err)
		}
		fmt.Fprintf(h.out, "data: %s, %d rows, CSV %.1f MB, zip %.1f MB (%s)\n", ds.Dir, ds.Rows,
			float64(ds.CSVBytes)/1e6, float64(ds.ZipBytes)/1e6, cachedOr(ds.Generated))
		return nil
	}); err != nil {
		return h, err
	}
	if err := h.step("start PostgreSQL", func() error {
		db, err := openDatabase(ctx, cfg.DatabaseURL)
		h.db = db
		return err
	}); err != nil {
		return h, err
	}
	if err := h.step("start simulator", func() error { return h.startSimulator(ctx) }); err != nil {
		return h, err
	}
	return h, h.step("warm simulator exports", func() error { return h.warmExports(ctx) })
}

// step runs one part of the setup and records how long it took.
func (h *harness) step(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	h.setup[name] = time.Since(start).Seconds()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(h.out, "setup: %-24s %6.1f s\n", name, h.setup[name])
	return nil
}

// build compiles cmd/mbiload into the work directory, so the figures are
// those of the working tree's code.
func (h *harness) build() error {
	h.bin = filepath.Join(h.work, "mbiload")
	cmd := exec.Command("go", "build", "-trimpath", "-o", h.bin, "./cmd/mbiload")
	cmd.Dir = h.cfg.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/mbiload: %w\n%s", err, out)
	}
	return nil
}

// startSimulator serves the generated warehouse at BENCH_ROWS (with the
// same seed, so its sales_order is the data set) and the four copies of the
// data set for case (e), with no export delay.
func (h *harness) startSimulator(ctx context.Context) error {
	dir, names, err := h.data.multiDir()
	if err != nil {
		return err
	}
	h.multi = names
	simWork := filepath.Join(h.work, "simulator")
	if err := os.Mkdir(simWork, 0o755); err != nil {
		return fmt.Errorf("create simulator work directory: %w", err)
	}
	h.sim, err = startSimulator(ctx, h.bin, "--scale", fmt.Sprint(h.cfg.Rows), "--seed", fmt.Sprint(h.cfg.Seed),
		"--export-delay", "0", "--work-dir", simWork, "--dir", dir)
	return err
}

// warmExports exports each table the syncs load once, so the simulator has
// generated and compressed them before the timed runs: a timed sync's
// export wait is then the simulator writing the export's zip, as for a
// warehouse whose export is quick, not the one-off generation.
func (h *harness) warmExports(ctx context.Context) error {
	tables := append([]string{benchTable}, h.multi...)
	errs := make([]error, len(tables))
	var wg sync.WaitGroup
	for i, t := range tables {
		wg.Go(func() {
			_, errs[i] = runProc(ctx, h.sim.Env, h.bin, "exports", "create", t, "--wait", "--json")
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// mbiEnv is the environment of an mbiload process: the server and the
// harness's own schemas and temp directory.
func (h *harness) mbiEnv(extra ...string) []string {
	env := []string{"DATABASE_URL=" + h.db.URL, "MBILOAD_SCHEMA=" + mbiSchema,
		"MBILOAD_LEDGER_SCHEMA=" + ledgerSchema, "MBILOAD_TEMP_DIR=" + h.work}
	return append(env, extra...)
}

// timed runs fn, one run of a case made of one or more processes, between
// two readings of the server CPU meter, and sums the processes into a
// sample.
func (h *harness) timed(fn func() ([]proc, error)) (sample, error) {
	before, okBefore := h.db.cpuSeconds()
	procs, err := fn()
	after, okAfter := h.db.cpuSeconds()
	if err != nil {
		return sample{}, err
	}
	var s sample
	for _, p := range procs {
		s.Seconds += p.Wall.Seconds()
		s.ClientCPU += p.CPU.Seconds()
		s.PeakRSSMB = max(s.PeakRSSMB, float64(p.MaxRSSKB)/1024)
	}
	if okBefore && okAfter {
		s.ServerCPU = ptr(after - before)
	}
	return s, nil
}

// Close stops the simulator and the server and deletes the work directory
// (the data cache stays).
func (h *harness) Close(ctx context.Context) error {
	var errs []string
	if h.sim != nil {
		if err := h.sim.Stop(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if h.db != nil {
		if err := h.db.Close(ctx); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if err := os.RemoveAll(h.work); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("clean up: %s", strings.Join(errs, "; "))
	}
	return nil
}

// cachedOr describes a generation time: "cached" for none.
func cachedOr(d time.Duration) string {
	if d == 0 {
		return "cached"
	}
	return fmt.Sprintf("generated in %.1f s", d.Seconds())
}
