//go:build chaos

package chaos

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/localpg"
)

// config is the suite's configuration, read from CHAOS_* variables.
type config struct {
	quick    bool   // CHAOS_QUICK: the CI-sized variant
	kills    int    // CHAOS_KILLS: SIGKILL points (default 20, quick 5)
	reps     int    // runs of each targeted fault with fresh data (3, quick 1)
	seed     int64  // CHAOS_SEED: kill points and data versions
	jsonPath string // CHAOS_JSON: where the results go
	scale    int64  // sales_order rows of most scenarios
	big      int64  // sales_order rows where a COPY must last long enough to hit
	// knownBugs (CHAOS_KNOWN_BUGS, comma separated ids of knownBugs) are
	// reported rather than failed.
	knownBugs map[string]bool
}

// suite is the state shared by every scenario: the binary, the private
// PostgreSQL and the reference tables built so far.
type suite struct {
	cfg  config
	bin  string // the mbiload binary built for the suite
	root string // the suite's temp dir
	pg   *localpg.Server
	db   *pgxpool.Pool // superuser pool on pg
	key  string        // the simulator's API key

	mu   sync.Mutex
	refs map[string]*version
}

// st is the suite: set up once by TestMain for all scenarios, which run
// one after the other.
var st *suite

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	cfg, err := readConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 2
	}
	s, err := setUp(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos: set up:", err)
		if s != nil {
			s.tearDown()
		}
		return 1
	}
	st = s
	code := m.Run()
	results.print(os.Stdout, cfg)
	if err := results.writeJSON(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "chaos: write results:", err)
		code = max(code, 1)
	}
	s.tearDown()
	return code
}

func readConfig() (config, error) {
	cfg := config{quick: os.Getenv("CHAOS_QUICK") == "1", kills: 20, reps: 3, seed: 1, scale: 3000, big: 20000,
		jsonPath: "../../bin/chaos.json"}
	if cfg.quick {
		cfg.kills, cfg.reps = 5, 1
	}
	if v := os.Getenv("CHAOS_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("CHAOS_KILLS=%q: want a positive number", v)
		}
		cfg.kills = n
	}
	if v := os.Getenv("CHAOS_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("CHAOS_SEED=%q: want a positive number", v)
		}
		cfg.seed = n
	}
	cfg.knownBugs = map[string]bool{}
	for _, id := range strings.Split(os.Getenv("CHAOS_KNOWN_BUGS"), ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if _, ok := knownBugs[id]; !ok {
			return cfg, fmt.Errorf("CHAOS_KNOWN_BUGS: no known bug %q", id)
		}
		cfg.knownBugs[id] = true
	}
	if v := os.Getenv("CHAOS_JSON"); v != "" {
		cfg.jsonPath = v
	}
	return cfg, nil
}

// setUp builds the binary and starts the private PostgreSQL.
func setUp(cfg config) (*suite, error) {
	root, err := os.MkdirTemp("", "mbiload-chaos-")
	if err != nil {
		return nil, fmt.Errorf("create temp dir: %w", err)
	}
	// The PostgreSQL server runs as the postgres user when we are root and
	// must reach its directory below root.
	if err := os.Chmod(root, 0o755); err != nil {
		return nil, fmt.Errorf("chmod temp dir: %w", err)
	}
	s := &suite{cfg: cfg, root: root, key: "chaos-KEY-" + randomHex(12), refs: map[string]*version{}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	s.bin = filepath.Join(root, "mbiload")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", s.bin, "../../cmd/mbiload")
	if out, err := build.CombinedOutput(); err != nil {
		return s, fmt.Errorf("go build ./cmd/mbiload: %w\n%s", err, out)
	}
	s.pg, err = localpg.Start(ctx, localpg.Options{Dir: root, Settings: map[string]string{
		"fsync": "off", "max_connections": "200", "log_min_messages": "warning",
	}})
	if err != nil {
		return s, err
	}
	cfgPool, err := pgxpool.ParseConfig(s.pg.URL)
	if err != nil {
		return s, fmt.Errorf("parse server URL: %w", err)
	}
	cfgPool.ConnConfig.RuntimeParams["application_name"] = "chaos-oracle"
	cfgPool.MaxConns = 8
	s.db, err = pgxpool.NewWithConfig(ctx, cfgPool)
	if err != nil {
		return s, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := s.db.Ping(ctx); err != nil {
		return s, fmt.Errorf("ping PostgreSQL: %w", err)
	}
	// The server's binaries are MBILOAD_PG_BIN's when set (make chaos
	// CHAOS_PG=18): the version is printed so the log says which ran.
	var pgVersion string
	if err := s.db.QueryRow(ctx, "SHOW server_version").Scan(&pgVersion); err != nil {
		return s, fmt.Errorf("read the server version: %w", err)
	}
	fmt.Printf("chaos: binary %s, PostgreSQL %s on port %d, quick=%v kills=%d reps=%d seed=%d\n",
		s.bin, pgVersion, s.pg.Port, cfg.quick, cfg.kills, cfg.reps, cfg.seed)
	return s, nil
}

func (s *suite) tearDown() {
	if s.db != nil {
		s.db.Close()
	}
	if s.pg != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.pg.Stop(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "chaos:", err)
		}
	}
	if os.Getenv("CHAOS_KEEP") != "1" {
		os.RemoveAll(s.root)
	}
}
