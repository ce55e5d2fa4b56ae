package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordSyncs replaces the sync steps for the test and returns the log of
// what each saw: at the file sync, the target must still hold its old
// content (the temp file is not yet renamed); at the directory sync, the
// new content.
func recordSyncs(t *testing.T, path string) *[]string {
	t.Helper()
	var steps []string
	oldFile, oldDir := syncFile, syncDir
	t.Cleanup(func() { syncFile, syncDir = oldFile, oldDir })
	target := func() string {
		b, err := os.ReadFile(path)
		if err != nil {
			return "<none>"
		}
		return string(b)
	}
	syncFile = func(f *os.File) error {
		steps = append(steps, "file:"+target())
		return oldFile(f)
	}
	syncDir = func(dir string) error {
		if dir != filepath.Dir(path) {
			t.Errorf("synced directory %s, want %s", dir, filepath.Dir(path))
		}
		steps = append(steps, "dir:"+target())
		return oldDir(dir)
	}
	return &steps
}

func TestWriteSyncsFileThenRenamesThenSyncsDir(t *testing.T) {
	tests := []struct {
		name  string
		old   string // "" = no file before
		write func(path string) error
		want  []string
	}{
		{
			name:  "new file",
			write: func(p string) error { return WriteFile(p, []byte("new"), 0o644) },
			want:  []string{"file:<none>", "dir:new"},
		},
		{
			name:  "replaces",
			old:   "old",
			write: func(p string) error { return WriteFile(p, []byte("new"), 0o644) },
			want:  []string{"file:old", "dir:new"},
		},
		{
			name: "rename",
			old:  "old",
			write: func(p string) error {
				tmp := p + ".download"
				if err := os.WriteFile(tmp, []byte("new"), 0o600); err != nil {
					return err
				}
				return Rename(tmp, p)
			},
			want: []string{"file:old", "dir:new"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "report.json")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			steps := recordSyncs(t, path)
			if err := tt.write(path); err != nil {
				t.Fatalf("write: %v", err)
			}
			if got := strings.Join(*steps, " "); got != strings.Join(tt.want, " ") {
				t.Errorf("steps = %q, want %q", got, strings.Join(tt.want, " "))
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != "new" {
				t.Errorf("content = %q, %v; want \"new\"", got, err)
			}
			assertOnlyFile(t, path)
		})
	}
}

func TestWriteModeIgnoresUmask(t *testing.T) {
	for _, perm := range []os.FileMode{0o644, 0o600} {
		path := filepath.Join(t.TempDir(), "metrics.prom")
		if err := WriteFile(path, []byte("x 1\n"), perm); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != perm {
			t.Errorf("mode = %v, want %v", st.Mode().Perm(), perm)
		}
	}
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		breakSync func()
	}{
		{name: "fill fails"},
		{name: "file sync fails", breakSync: func() { syncFile = func(*os.File) error { return boom } }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldFile := syncFile
			t.Cleanup(func() { syncFile = oldFile })
			path := filepath.Join(t.TempDir(), "report.json")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			fill := func(w io.Writer) error {
				if _, err := io.WriteString(w, "half"); err != nil {
					return err
				}
				if tt.breakSync == nil {
					return boom
				}
				return nil
			}
			if tt.breakSync != nil {
				tt.breakSync()
			}
			err := Write(path, 0o644, fill)
			if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want boom naming %s", err, path)
			}
			if got, _ := os.ReadFile(path); string(got) != "old" {
				t.Errorf("content = %q, want the old file kept", got)
			}
			assertOnlyFile(t, path)
		})
	}
}

func TestWriteMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "report.json")
	err := WriteFile(path, []byte("x"), 0o644)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want not-exist naming %s", err, path)
	}
}

// assertOnlyFile checks path is the only entry of its directory: no temp
// file left behind.
func assertOnlyFile(t *testing.T, path string) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != filepath.Base(path) {
		t.Errorf("directory holds %v, want only %s", names, filepath.Base(path))
	}
}
