package localpg

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Options configures a throwaway server. The zero value is usable.
type Options struct {
	// Dir is the parent directory for the server's files; a fresh
	// subdirectory is created in it. Default: os.TempDir().
	Dir string
	// Port to listen on; 0 picks a free one.
	Port int
	// Settings are extra server settings passed as -c name=value, for example
	// {"fsync": "off"} for tests.
	Settings map[string]string
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
	// BinDir is the directory holding initdb, pg_ctl and postgres, to run
	// a given PostgreSQL version. Empty: $MBILOAD_PG_BIN when set, else
	// the installed binaries (see the package doc).
	BinDir string
}

// Server is a running throwaway PostgreSQL server.
type Server struct {
	// URL is the connection string of the "postgres" database as the
	// "postgres" superuser (no password: trust authentication on loopback).
	URL string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// Dir is the directory holding the data directory, socket and log.
	Dir string

	bin    string
	asUser bool
	log    *slog.Logger
}

// Start initialises a new data directory and starts a server on it. It
// returns when the server accepts connections. Call Stop to shut it down and
// delete its files.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := binDir(opts.BinDir)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	parent := opts.Dir
	if parent == "" {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "mbiload-pg-")
	if err != nil {
		return nil, fmt.Errorf("create server directory: %w", err)
	}
	s := &Server{Dir: dir, bin: bin, asUser: os.Geteuid() == 0, log: log}
	if err := s.start(ctx, opts); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, opts Options) error {
	if s.asUser {
		if err := chownToPostgres(s.Dir); err != nil {
			return err
		}
	}
	data := filepath.Join(s.Dir, "data")
	start := time.Now()
	if out, err := s.run(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	port := opts.Port
	if port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		port = p
	}
	args := []string{"-p", strconv.Itoa(port), "-k", s.Dir, "-c", "listen_addresses=127.0.0.1"}
	for k, v := range opts.Settings {
		args = append(args, "-c", k+"="+v)
	}
	logFile := filepath.Join(s.Dir, "server.log")
	if out, err := s.run(ctx, "pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "60",
		"-o", strings.Join(args, " "), "start"); err != nil {
		tail, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, lastLines(tail, 20))
	}
	s.Port = port
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	s.log.Info("started throwaway PostgreSQL", "port", port, "dir", s.Dir, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Stop shuts the server down (fast mode) and deletes its directory.
func (s *Server) Stop(ctx context.Context) error {
	data := filepath.Join(s.Dir, "data")
	_, err := s.run(ctx, "pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "stop")
	if rmErr := os.RemoveAll(s.Dir); err == nil && rmErr != nil {
		err = fmt.Errorf("remove server directory: %w", rmErr)
	}
	if err != nil {
		return fmt.Errorf("stop throwaway PostgreSQL: %w", err)
	}
	s.log.Info("stopped throwaway PostgreSQL", "port", s.Port)
	return nil
}

// Restart stops the server and starts it again on the same port and data,
// as a server crash-and-recover test needs. mode is a pg_ctl shutdown mode:
// "fast" or "immediate".
func (s *Server) Restart(ctx context.Context, mode string) error {
	data := filepath.Join(s.Dir, "data")
	if out, err := s.run(ctx, "pg_ctl", "-D", data, "-m", mode, "-w", "-t", "60", "restart"); err != nil {
		return fmt.Errorf("pg_ctl restart: %w\n%s", err, out)
	}
	return nil
}

// run executes a PostgreSQL binary, as the postgres user when we are root.
func (s *Server) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, name)
	var cmd *exec.Cmd
	if s.asUser {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = s.Dir
	// Output goes to a file, not a pipe: pg_ctl start leaves the server
	// running with our stdout inherited, and a pipe would keep Wait blocked
	// until the server exits.
	out, err := os.CreateTemp("", "mbiload-pg-out-")
	if err != nil {
		return nil, fmt.Errorf("create output file: %w", err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	runErr := cmd.Run()
	data, _ := os.ReadFile(out.Name())
	return data, runErr
}

// chownToPostgres hands dir to the postgres user, who must exist.
func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs a postgres user to run the server: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return fmt.Errorf("hand %s to the postgres user: %w", dir, err)
	}
	// The parent (often /tmp) must be traversable; MkdirTemp made dir 0700.
	return os.Chmod(dir, 0o700)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
