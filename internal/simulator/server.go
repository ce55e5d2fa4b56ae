package simulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// Server is the simulated Export API. It is an [http.Handler]; build one with
// [New] and release its files with [Server.Close].
type Server struct {
	cfg    Config
	dir    string
	dice   *dice
	routes []route

	ctx    context.Context // lives until Close; background builds use it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	tables     []*table
	byID       map[schema.ID]*table
	exports    map[int64]*export
	nextExport int64
	// perTable counts the exports made of each table: an export's dice key
	// is its table and its number among them (see export.dieKey).
	perTable map[schema.ID]int
	job      updateJob
}

var _ http.Handler = (*Server)(nil)

// New validates cfg and returns a Server. It creates a private directory in
// cfg.WorkDir for export zips.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(cfg.WorkDir, "mbiload-simulator-")
	if err != nil {
		return nil, fmt.Errorf("create work directory: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:        cfg,
		dir:        dir,
		dice:       newDice(cfg.Seed),
		ctx:        ctx,
		cancel:     cancel,
		exports:    map[int64]*export{},
		nextExport: cfg.FirstExportID,
		perTable:   map[schema.ID]int{},
	}
	s.routes = s.routeTable()
	s.setTables(cfg.Tables)
	s.job = firstUpdateJob(cfg.Seed, s.now())
	return s, nil
}

// Close stops background builds and removes every file the server wrote.
// Requests served after Close answer 503.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	if err := os.RemoveAll(s.dir); err != nil {
		return fmt.Errorf("remove work directory: %w", err)
	}
	return nil
}

// ListenAndServe listens on addr (empty means [DefaultAddr]) and serves until
// ctx is done, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	if addr == "" {
		addr = DefaultAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then shuts down gracefully, giving
// requests in flight a few seconds to finish. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = srv.Close()
		}
		stopped <- err
	}()
	err := srv.Serve(ln)
	if !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if err := <-stopped; err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// ServeHTTP implements [http.Handler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	defer s.logRequest(r, sw, start)

	if s.isClosed() {
		writeError(sw, http.StatusServiceUnavailable, "simulator is shutting down")
		return
	}
	if !s.authorize(sw, r) {
		return
	}
	rt, p, ok := s.match(sw, r)
	if !ok {
		return
	}
	if p.client != "" && p.client != s.cfg.ClientID {
		writeError(sw, http.StatusForbidden, fmt.Sprintf("this API key is not valid for client %s", p.client))
		return
	}
	p.roll = s.requestRoll(r, p)
	if !s.injectFaults(sw, r, p.roll) {
		return
	}
	rt.handle(sw, r, p)
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) now() time.Time { return s.cfg.Now() }
