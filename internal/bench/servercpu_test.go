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

// settleWait bounds how long Seconds waits for a reading that no exiting
// process disturbed.
const settleWait = 5 * time.Second

// Seconds returns the CPU seconds the metered processes have used so far.
//
// A reading is not atomic, and a backend often exits just as it is taken
// (its client has just disconnected): read live and then reaped into the
// postmaster's children's time before the postmaster is read, it would
// count twice; a zombie shows only part of its time. Children are therefore
// read before the postmaster, and a reading during which a counted process
// exited, or that saw a zombie, is taken again, for up to settleWait.
func (s serverCPU) Seconds() (float64, error) {
	deadline := time.Now().Add(settleWait)
	for {
		secs, settled, err := s.read()
		if err != nil || settled || time.Now().After(deadline) {
			return secs, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// read sums the metered processes' times once; settled is false when a
// zombie was seen or a counted process exited during the reading.
func (s serverCPU) read() (secs float64, settled bool, err error) {
	entries, err := os.ReadDir(s.procDir)
	if err != nil {
		return 0, false, fmt.Errorf("read %s: %w", s.procDir, err)
	}
	var ticks int64
	var counted []string
	settled = true
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == s.postmaster {
			continue
		}
		if s.postmaster == 0 && !s.ownedBy(e.Name()) {
			continue
		}
		st, ok, err := s.stat(e.Name())
		if err != nil {
			return 0, false, err
		}
		if !ok || (s.postmaster > 0 && st.ppid != s.postmaster) {
			continue
		}
		settled = settled && st.state != "Z"
		ticks += st.utime + st.stime + st.cutime + st.cstime
		counted = append(counted, e.Name())
	}
	if s.postmaster > 0 {
		st, ok, err := s.stat(strconv.Itoa(s.postmaster))
		if err != nil {
			return 0, false, err
		}
		if !ok {
			return 0, false, fmt.Errorf("postmaster %d is not running", s.postmaster)
		}
		ticks += st.utime + st.stime + st.cutime + st.cstime
	} else if len(counted) == 0 {
		return 0, false, fmt.Errorf("no process of uid %d in %s", s.uid, s.procDir)
	}
	for _, pid := range counted {
		if _, err := os.Stat(filepath.Join(s.procDir, pid)); err != nil {
			settled = false // exited: maybe counted again in its parent
		}
	}
	return float64(ticks) / userHZ, settled, nil
}

// ownedBy reports whether process pid belongs to s.uid.
func (s serverCPU) ownedBy(pid string) bool {
	fi, err := os.Stat(filepath.Join(s.procDir, pid))
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == s.uid
}

// stat reads process pid's stat; ok is false when the process is gone.
func (s serverCPU) stat(pid string) (procStat, bool, error) {
	data, err := os.ReadFile(filepath.Join(s.procDir, pid, "stat"))
	if err != nil {
		return procStat{}, false, nil
	}
	st, err := parseStat(data)
	if err != nil {
		return procStat{}, false, fmt.Errorf("process %s: %w", pid, err)
	}
	return st, true, nil
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
