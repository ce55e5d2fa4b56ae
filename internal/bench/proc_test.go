package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// proc is what one child process cost, from wait4's rusage: for a shell
// pipeline the figures cover the children the shell waited for too.
type proc struct {
	Wall     time.Duration
	MaxRSSKB int64         // peak resident set, KiB
	CPU      time.Duration // user + system
	Stdout   string
	Stderr   string
}

// runProc runs name with args and extra environment variables (added to
// this process's environment), and measures it. A non-zero exit is an error
// that quotes the end of the process's stderr.
func runProc(ctx context.Context, env []string, name string, args ...string) (proc, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	p := proc{Wall: time.Since(start), Stdout: stdout.String(), Stderr: stderr.String()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.MaxRSSKB = ru.Maxrss
			p.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if err != nil {
		return p, fmt.Errorf("run %s: %w\n%s", commandLabel(name, args), err, tail(p.Stderr+p.Stdout, 15))
	}
	return p, nil
}

// commandLabel names a command for an error: the program and its first
// argument (the subcommand), never the rest, which may hold a URL.
func commandLabel(name string, args []string) string {
	if len(args) > 0 && !strings.Contains(args[0], "://") {
		return name + " " + args[0]
	}
	return name
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
