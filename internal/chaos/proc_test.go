//go:build chaos

package chaos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sim is a running `mbiload simulate` process.
type sim struct {
	url  string // API base URL, http://127.0.0.1:PORT/0.1
	addr string
	cmd  *exec.Cmd
	log  string // its stderr
	done chan struct{}
}

// simArgs configure a simulator process.
type simArgs struct {
	scale, seed int64
	dirs        []string
	flags       []string // extra flags, after the defaults (the last value wins)
	listen      string   // default 127.0.0.1 on a free port
	key         string   // default the suite's key
}

// startSim starts a simulator and waits until it accepts connections. It is
// stopped when the test ends (or earlier with stop).
func (sc *scn) startSim(a simArgs) *sim {
	t := sc.t
	t.Helper()
	listen := a.listen
	if listen == "" {
		listen = "127.0.0.1:" + strconv.Itoa(freePort(t))
	}
	key := a.key
	if key == "" {
		key = st.key
	}
	work := filepath.Join(sc.dir, "simwork")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatalf("create simulator work dir: %v", err)
	}
	// Export ids are unique across a scenario's simulators, as they are in
	// one real account (the ledger skips an export id already published;
	// each scenario has a ledger of its own). They depend only on the
	// scenario, not on how many simulators earlier scenarios started, so a
	// scenario's logs read the same whatever ran before it. (The faults
	// no longer depend on ids at all: the simulator rolls an export's by
	// its table and its number among that table's exports.)
	simNo := sc.seq.next(true)
	firstID := int64(1_000_000 * (1 + simNo))
	args := []string{"simulate", "--listen", listen, "--scale", strconv.FormatInt(a.scale, 10),
		"--seed", strconv.FormatInt(a.seed, 10), "--first-export-id", strconv.FormatInt(firstID, 10),
		"--export-delay", "0s", "--retry-after", "1s", "--work-dir", work}
	for _, d := range a.dirs {
		args = append(args, "--dir", d)
	}
	args = append(args, a.flags...)
	logPath := filepath.Join(sc.dir, fmt.Sprintf("simulate-%d.log", simNo))
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("create simulator log: %v", err)
	}
	cmd := exec.Command(st.bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "MBILOAD_API_KEY=" + key,
		"MBILOAD_LOG_LEVEL=debug", "TMPDIR=" + work}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start simulator: %v", err)
	}
	s := &sim{url: "http://" + listen + "/0.1", addr: listen, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { cmd.Wait(); logFile.Close(); close(s.done) }()
	t.Cleanup(s.stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", listen, time.Second)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("simulator exited at start:\n%s", tailFile(logPath, 20))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			t.Fatalf("simulator did not listen on %s within 30s:\n%s", listen, tailFile(logPath, 20))
		}
	}
}

// stop ends the simulator (SIGTERM, then SIGKILL after 10s).
func (s *sim) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// requests counts the API requests the simulator logged.
func (s *sim) requests() int {
	data, _ := os.ReadFile(s.log)
	return strings.Count(string(data), "msg=request") + strings.Count(string(data), `"msg":"request"`)
}

// result is a finished mbiload process.
type result struct {
	args   []string
	code   int // exit code; -1 when killed by a signal
	signal syscall.Signal
	stdout string
	stderr string
	dur    time.Duration
}

// out is stdout and stderr together.
func (r result) out() string { return r.stdout + "\n" + r.stderr }

// brief describes the result for a failure message: command, exit code
// and the end of its output.
func (r result) brief() string {
	cmd := "mbiload"
	if len(r.args) > 0 {
		cmd += " " + r.args[0]
	}
	return fmt.Sprintf("%s exited %d after %v; output ends:\n%s", cmd, r.code, r.dur.Round(time.Millisecond), tail(r.out(), 25))
}

// proc is a running mbiload process.
type proc struct {
	cmd    *exec.Cmd
	args   []string
	start  time.Time
	stdout *lineBuf
	stderr *lineBuf
	done   chan struct{}
	res    result
}

// launch starts mbiload with env as its whole environment. Its output is
// kept in the scenario's directory too.
func (sc *scn) launch(env map[string]string, args ...string) *proc {
	t := sc.t
	t.Helper()
	cmd := exec.Command(st.bin, args...)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, args: args, done: make(chan struct{})}
	p.stdout, p.stderr = &lineBuf{}, &lineBuf{}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	p.start = time.Now()
	p.stdout.start, p.stderr.start = p.start, p.start
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mbiload: %v", err)
	}
	n := sc.seq.next(false)
	go func() {
		err := cmd.Wait()
		p.res = result{args: args, stdout: p.stdout.String(), stderr: p.stderr.String(), dur: time.Since(p.start)}
		p.res.code = cmd.ProcessState.ExitCode()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			p.res.signal = ws.Signal()
		}
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			p.res.stderr += "\n(wait: " + err.Error() + ")"
		}
		base := filepath.Join(sc.dir, fmt.Sprintf("run-%02d-%s", n, args[0]))
		os.WriteFile(base+".args", []byte(strings.Join(args, "\n")+"\n"), 0o644)
		os.WriteFile(base+".stdout", []byte(p.res.stdout), 0o644)
		os.WriteFile(base+".stderr", []byte(p.res.stderr), 0o644)
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the process to end, killing it after timeout.
func (p *proc) wait(t testing.TB, timeout time.Duration) result {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.done
		t.Errorf("mbiload %s did not finish within %v (killed)", p.args[0], timeout)
	}
	return p.res
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// run runs mbiload to the end (5 minutes at most).
func (sc *scn) run(env map[string]string, args ...string) result {
	sc.t.Helper()
	r := sc.launch(env, args...).wait(sc.t, 5*time.Minute)
	sc.t.Logf("mbiload %s: exit %d after %v", args[0], r.code, r.dur.Round(time.Millisecond))
	return r
}

// env is the environment of an mbiload run in this scenario: the private
// database, the scenario's schemas, its own TMPDIR, debug logs, and the
// simulator's URL and key when sim is not nil.
func (sc *scn) env(sim *sim) map[string]string {
	m := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "TMPDIR": sc.tmp,
		"DATABASE_URL": st.pg.URL, "MBILOAD_SCHEMA": sc.schema, "MBILOAD_LEDGER_SCHEMA": sc.ledger,
		"MBILOAD_LOG_LEVEL": "debug",
	}
	if sim != nil {
		m["MBILOAD_API_URL"] = sim.url
		m["MBILOAD_API_KEY"] = st.key
		m["MBILOAD_CLIENT_ID"] = "12"
	}
	return m
}

// sync runs `mbiload sync` against sim with plain progress.
func (sc *scn) sync(sim *sim, extra ...string) result {
	sc.t.Helper()
	return sc.run(sc.env(sim), append([]string{"sync", "--progress", "plain"}, extra...)...)
}

// lineBuf is an io.Writer that keeps what was written and when each line
// arrived.
type lineBuf struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	start time.Time
	lines []timedLine
	part  []byte
}

type timedLine struct {
	at   time.Duration
	text string
}

func (b *lineBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	at := time.Since(b.start)
	b.buf.Write(p)
	b.part = append(b.part, p...)
	for {
		i := bytes.IndexByte(b.part, '\n')
		if i < 0 {
			break
		}
		b.lines = append(b.lines, timedLine{at: at, text: string(b.part[:i])})
		b.part = b.part[i+1:]
	}
	return len(p), nil
}

func (b *lineBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// firstLine returns when the first line containing s arrived, or -1.
func (b *lineBuf) firstLine(s string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lines {
		if strings.Contains(l.text, s) {
			return l.at
		}
	}
	return -1
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func tailFile(path string, n int) string {
	data, _ := os.ReadFile(path)
	return tail(string(data), n)
}

// withTimeout is a context for one check.
func withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
