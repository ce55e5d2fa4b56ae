// Package atomicfile writes whole files so that a reader, or the machine
// after a power cut, sees either the old file or the new one, never an
// empty or partial one: the data goes to a temp file in the same
// directory, which is synced, renamed over the target, and then the
// directory is synced so the rename itself is on disk.
//
// Every file mbiload writes whole (the run report, the metrics file, a
// report or export saved with --output) goes through this package.
package atomicfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// syncFile and syncDir make a file's data and a directory's entries
// durable; tests replace them to see the order of the steps.
var (
	syncFile = (*os.File).Sync
	syncDir  = func(dir string) error {
		d, err := os.Open(dir)
		if err != nil {
			return err
		}
		defer d.Close()
		return d.Sync()
	}
)

// WriteFile writes data to path atomically and durably, with mode perm.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
}

// Write writes what fill writes to path atomically and durably, with mode
// perm (not filtered by the umask). When fill or any step fails, the temp
// file is removed and path is left as it was.
func Write(path string, perm os.FileMode, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // after a successful rename the name is gone
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := syncFile(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return publish(f.Name(), path)
}

// Rename moves the complete file from (which must be in the same file
// system as to, usually the same directory) over to, durably: from is
// synced before the rename and the directory after it.
func Rename(from, to string) error {
	f, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("write %s: %w", to, err)
	}
	if err := syncFile(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: sync: %w", to, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", to, err)
	}
	return publish(from, to)
}

// publish renames the synced temp file over path and syncs path's
// directory.
func publish(tmp, path string) error {
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("write %s: sync directory: %w", path, err)
	}
	return nil
}
