// Package bench holds the `make bench` harness: BenchmarkCompare (in
// bench_test.go) measures, in one run on the same generated data and the
// same PostgreSQL server, how fast mbiload loads a table against the
// server's own limit and the usual shell pipeline, and prints the table of
// figures, the ratios and the targets (and writes them as JSON).
//
// The harness is test code only: Go's benchmark framework is the runner, so
// the product stays one binary (cmd/mbiload), which the harness builds and
// runs as a child process, exactly as a user would. Run it with
//
//	make bench
//
// or, for other sizes,
//
//	BENCH_ROWS=200000 BENCH_RUNS=3 BENCH_SCALE_ROWS=0 make bench
//
// It starts a throwaway PostgreSQL with default settings (internal/localpg)
// unless MBILOAD_BENCH_DATABASE_URL names a server (a superuser, on this
// machine, for the server-side COPY case). The environment variables it
// reads are listed in config_test.go. `go test ./...` does not run it:
// benchmarks run only with -bench.
package bench
