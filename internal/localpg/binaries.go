package localpg

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
)

// BinDirEnv names the environment variable that points localpg at a
// directory of PostgreSQL binaries when Options.BinDir is empty: how the
// test suite, the fault suite, the benchmarks and the demo run against any
// installed version (make pgmatrix sets it per version).
const BinDirEnv = "MBILOAD_PG_BIN"

// binDir returns the directory holding initdb and pg_ctl: dir (or else
// $MBILOAD_PG_BIN) when given, otherwise the first found on PATH or in
// Debian's /usr/lib/postgresql/*/bin.
func binDir(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv(BinDirEnv)
	}
	if dir != "" {
		for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				return "", fmt.Errorf("%s in %s: %w", name, dir, ErrNoBinaries)
			}
		}
		return filepath.Abs(dir)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("look for initdb on PATH and in /usr/lib/postgresql/*/bin: %w", ErrNoBinaries)
}

// version reads the major version out of /usr/lib/postgresql/<v>/bin.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}
