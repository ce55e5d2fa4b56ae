package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBashCompletion loads the script of `mbiload completion bash` into a
// real bash, with the built binary on PATH, and asks it to complete
// command lines as bash does on TAB: commands, subcommands, a flag being
// typed, nothing after a flag that takes a value. Asking runs no command
// (a sync without a database would fail).
func TestBashCompletion(t *testing.T) {
	bin := mustBuild(t)
	dir := filepath.Dir(bin)
	script := filepath.Join(dir, "mbiload.bash")
	out, err := exec.Command(bin, "completion", "bash").Output()
	if err != nil {
		t.Fatalf("mbiload completion bash: %v", err)
	}
	if err := os.WriteFile(script, out, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string // the words typed, the last one being completed
		want string // COMPREPLY, one per line
	}{
		{line: "mbiload sy", want: "sync"},
		{line: "mbiload comp", want: "completion"},
		{line: "mbiload tables de", want: "describe"},
		{line: "mbiload --schema x tables l", want: "list"},
		{line: "mbiload figures ", want: "list\ndescribe\nexport"},
		{line: "mbiload sync --tab", want: "--tables"},
		{line: "mbiload sync --dry", want: "--dry-run"},
		{line: "mbiload sync --mode ", want: ""},
		{line: "mbiload sync ", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			words := strings.Split(tt.line, " ")
			quoted := make([]string, len(words))
			for i, w := range words {
				quoted[i] = "'" + w + "'"
			}
			prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
				strconv.Itoa(len(words)-1) + "\n_mbiload_complete\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
			cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog)
			cmd.Env = []string{"PATH=" + dir + ":/usr/bin:/bin", "HOME=" + dir}
			got, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, got)
			}
			if g := strings.TrimSpace(string(got)); g != tt.want {
				t.Errorf("completions of %q: got %q, want %q", tt.line, g, tt.want)
			}
		})
	}
	for _, shell := range []string{"zsh", "fish"} {
		out, err := exec.Command(bin, "completion", shell).Output()
		if err != nil || !strings.Contains(string(out), "mbiload") {
			t.Errorf("mbiload completion %s: %v\n%s", shell, err, out)
		}
	}
	if r := runCLI(t.Context(), "completion", "tcsh"); r.code != 2 {
		t.Errorf("completion tcsh: exit code %d, want 2", r.code)
	}
}
