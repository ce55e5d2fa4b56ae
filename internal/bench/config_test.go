package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Environment variables the harness reads. `make bench` passes them through.
const (
	// envRows is the number of sales_order rows of the main comparison.
	envRows = "BENCH_ROWS"
	// envSeed is the generator's seed.
	envSeed = "BENCH_SEED"
	// envRuns is how many times each single-table case runs.
	envRuns = "BENCH_RUNS"
	// envMultiRuns is how many times the four-table cases run (each run
	// loads four tables, so they take four times as long).
	envMultiRuns = "BENCH_MULTI_RUNS"
	// envScaleRows is the size of the linearity and memory check (0: skip).
	envScaleRows = "BENCH_SCALE_ROWS"
	// envScaleRuns is how many times load-file runs at BENCH_SCALE_ROWS.
	envScaleRuns = "BENCH_SCALE_RUNS"
	// envCacheDir holds the generated data sets, one directory per (rows, seed).
	envCacheDir = "BENCH_CACHE_DIR"
	// envJSON is where the JSON results go.
	envJSON = "BENCH_JSON"
	// envPerf, when set, profiles one more load-file with perf: "1" keeps
	// the profile in bin/bench-perf.data, anything else is the path.
	envPerf = "BENCH_PERF"
	// envDatabaseURL names an existing server instead of a throwaway one.
	envDatabaseURL = "MBILOAD_BENCH_DATABASE_URL"
)

// errBadConfig marks an invalid BENCH_* setting.
var errBadConfig = errors.New("bench: invalid configuration")

// config is the harness's configuration, read from the environment.
type config struct {
	Rows      int64
	Seed      int64
	Runs      int
	MultiRuns int
	ScaleRows int64
	ScaleRuns int
	CacheDir  string
	JSONPath  string
	// PerfPath is where the perf profile goes; "" for no profile.
	PerfPath string
	// DatabaseURL is empty for a throwaway server. It may hold a password:
	// it is never printed.
	DatabaseURL string
	// Root is the module's root directory (where go.mod is).
	Root string
}

// configFromEnv reads the configuration through getenv; root is the
// module's root directory.
func configFromEnv(getenv func(string) string, root string) (config, error) {
	cfg := config{
		CacheDir:    getenv(envCacheDir),
		JSONPath:    getenv(envJSON),
		DatabaseURL: getenv(envDatabaseURL),
		Root:        root,
	}
	var err error
	if cfg.Rows, err = envInt(getenv, envRows, 1_000_000, 1); err != nil {
		return config{}, err
	}
	if cfg.Seed, err = envInt(getenv, envSeed, 1, 0); err != nil {
		return config{}, err
	}
	runs, err := envInt(getenv, envRuns, 5, 1)
	if err != nil {
		return config{}, err
	}
	cfg.Runs = int(runs)
	multi, err := envInt(getenv, envMultiRuns, min(runs, 3), 1)
	if err != nil {
		return config{}, err
	}
	cfg.MultiRuns = int(multi)
	if cfg.ScaleRows, err = envInt(getenv, envScaleRows, 5_000_000, 0); err != nil {
		return config{}, err
	}
	scaleRuns, err := envInt(getenv, envScaleRuns, 2, 1)
	if err != nil {
		return config{}, err
	}
	cfg.ScaleRuns = int(scaleRuns)
	if cfg.CacheDir == "" {
		cfg.CacheDir = filepath.Join(os.TempDir(), "mbiload-bench")
	}
	switch perf := getenv(envPerf); perf {
	case "", "0":
	case "1":
		cfg.PerfPath = filepath.Join(root, "bin", "bench-perf.data")
	default:
		cfg.PerfPath = perf
	}
	if cfg.JSONPath == "" {
		cfg.JSONPath = filepath.Join(root, "bin", "bench.json")
	}
	return cfg, nil
}

// envInt reads an integer variable: def when unset, an error when it is not
// an integer or is below lowest.
func envInt(getenv func(string) string, name string, def, lowest int64) (int64, error) {
	s := getenv(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s=%q is not an integer", errBadConfig, name, s)
	}
	if n < lowest {
		return 0, fmt.Errorf("%w: %s=%d, want at least %d", errBadConfig, name, n, lowest)
	}
	return n, nil
}

// moduleRoot returns the nearest directory at or above dir holding go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("find go.mod above %s: not found", dir)
		}
	}
}
