package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of the times in /proc/<pid>/stat: USER_HZ, 100 on
// every Linux architecture Go runs on.
const userHZ = 100

// serverCPU reads the CPU time the PostgreSQL server has used so far from
// /proc, so a case's server CPU is the difference of two readings.
//
// With a postmaster pid it counts the postmaster and its children (the
// backends and background workers): each process's user and system time
// plus that of its children already reaped, so a backend that exited in
// between is still counted once, in the postmaster. Without one it counts
// every process of uid the same way (any server of that user on the machine
// then counts). It only works for a server on this machine.
type serverCPU struct {
	procDir    string
	postmaster int
	uid        int
}

// serverCPUForDataDir meters the server whose data directory is dataDir,
// through the pid in its postmaster.pid.
func serverCPUForDataDir(dataDir string) (serverCPU, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return serverCPU{}, fmt.Errorf("read postmaster.pid: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return serverCPU{}, fmt.Errorf("postmaster.pid: first line %q is not a pid", line)
	}
	return serverCPU{procDir: "/proc", postmaster: pid, uid: -1}, nil
}

// serverCPUForUser meters every process of the named user.
func serverCPUForUser(name string) (serverCPU, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return serverCPU{}, fmt.Errorf("look up user %s: %w", name, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return serverCPU{}, fmt.Errorf("user %s: uid %q: %w", name, u.Uid, err)
	}
	return serverCPU{procDir: "/proc", uid: uid}, nil
}

// zombieWait bounds how long Seconds waits for the server to reap its
// exited children.
const zombieWait = 5 * time.Second

// Seconds returns the CPU seconds the metered processes have used so far.
// An exited child that its parent has not reaped yet (a zombie, as a
// backend is for a moment after its client disconnects) shows only part of
// its time, and the rest reaches the parent's count when it is reaped, so
// Seconds waits until there are none, up to zombieWait.
func (s serverCPU) Seconds() (float64, error) {
	deadline := time.Now().Add(zombieWait)
	for {
		secs, zombies, err := s.read()
		if err != nil || zombies == 0 || time.Now().After(deadline) {
			return secs, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// read sums the metered processes' times once and counts the zombies
// among them.
func (s serverCPU) read() (float64, int, error) {
	entries, err := os.ReadDir(s.procDir)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", s.procDir, err)
	}
	var ticks int64
	found, zombies := false, 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join(s.procDir, e.Name())
		if s.postmaster == 0 {
			fi, err := os.Stat(dir)
			if err != nil {
				continue // the process exited
			}
			if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != s.uid {
				continue
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		st, err := parseStat(data)
		if err != nil {
			return 0, 0, fmt.Errorf("process %d: %w", pid, err)
		}
		if s.postmaster > 0 && pid != s.postmaster && st.ppid != s.postmaster {
			continue
		}
		found = found || s.postmaster == 0 || pid == s.postmaster
		if st.state == "Z" {
			zombies++
		}
		ticks += st.utime + st.stime + st.cutime + st.cstime
	}
	if !found {
		return 0, 0, fmt.Errorf("no server process in %s (postmaster %d, uid %d)", s.procDir, s.postmaster, s.uid)
	}
	return float64(ticks) / userHZ, zombies, nil
}

// procStat holds the fields of /proc/<pid>/stat the meter needs.
type procStat struct {
	state                        string // R, S, D, Z, ...
	ppid                         int
	utime, stime, cutime, cstime int64
}

// parseStat parses /proc/<pid>/stat. The command name, in parentheses, may
// hold spaces and parentheses itself, so fields are counted from the last
// ')'.
func parseStat(data []byte) (procStat, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return procStat{}, fmt.Errorf("parse stat %.60q: no command name", data)
	}
	// After the name: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("parse stat %.60q: got %d fields after the name, want at least 15", data, len(f))
	}
	st := procStat{state: f[0]}
	var err error
	if st.ppid, err = strconv.Atoi(f[1]); err != nil {
		return procStat{}, fmt.Errorf("parse stat ppid %q: %w", f[1], err)
	}
	for i, dst := range []*int64{&st.utime, &st.stime, &st.cutime, &st.cstime} {
		if *dst, err = strconv.ParseInt(f[11+i], 10, 64); err != nil {
			return procStat{}, fmt.Errorf("parse stat field %d %q: %w", 14+i, f[11+i], err)
		}
	}
	return st, nil
}
