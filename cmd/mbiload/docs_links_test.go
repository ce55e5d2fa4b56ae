package main

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

var (
	fencedBlock = regexp.MustCompile("(?ms)^```[^\n]*\n.*?^```[ \t]*$")
	codeSpan    = regexp.MustCompile("`[^`]*`")
	mdLink      = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]+)\)`)
	mdHeading   = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$`)
)

// docFiles are the Markdown files whose relative links TestDocLinks checks,
// relative to the repository root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "load/README.md"}
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		files = append(files, strings.TrimPrefix(filepath.ToSlash(d), "../../"))
	}
	return files
}

// headingAnchors returns the anchors GitHub gives the headings of a
// Markdown text: lower case, punctuation dropped, spaces to hyphens, and
// -1, -2, ... on repeats.
func headingAnchors(md string) map[string]bool {
	md = fencedBlock.ReplaceAllString(md, "")
	out := map[string]bool{}
	seen := map[string]int{}
	for _, m := range mdHeading.FindAllStringSubmatch(md, -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			out[slug+"-"+strconv.Itoa(n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// TestDocLinks checks every relative link of the README, docs/*.md and
// load/README.md: the file it names exists, and its #anchor, if any, is a
// heading of that file.
func TestDocLinks(t *testing.T) {
	files := docFiles(t)
	if len(files) < 5 {
		t.Fatalf("found %v: want the README, load/README.md and docs/ (performance, fault suite, toolchain)", files)
	}
	for _, want := range []string{"docs/performance.md", "docs/fault-suite.md", "docs/toolchain.md"} {
		if _, err := os.Stat("../../" + want); err != nil {
			t.Errorf("%s: %v", want, err)
		}
	}
	anchors := map[string]map[string]bool{}
	anchorsOf := func(file string) map[string]bool {
		if a, ok := anchors[file]; ok {
			return a
		}
		data, err := os.ReadFile("../../" + file)
		if err != nil {
			t.Fatal(err)
		}
		anchors[file] = headingAnchors(string(data))
		return anchors[file]
	}
	checked := 0
	for _, file := range files {
		text := readRepoFile(t, file)
		text = fencedBlock.ReplaceAllString(text, "")
		text = codeSpan.ReplaceAllString(text, "code")
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			target := m[2]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			name, anchor, _ := strings.Cut(target, "#")
			dest := file
			if name != "" {
				dest = path.Clean(path.Join(path.Dir(file), name))
				if strings.HasPrefix(dest, "../") {
					t.Errorf("%s: link %q leaves the repository", file, target)
					continue
				}
				if _, err := os.Stat("../../" + dest); err != nil {
					t.Errorf("%s: link %q: %v", file, target, err)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(dest, ".md") {
				t.Errorf("%s: link %q: an anchor into a file that is not Markdown", file, target)
				continue
			}
			if !anchorsOf(dest)[anchor] {
				t.Errorf("%s: link %q: %s has no heading with the anchor #%s", file, target, dest, anchor)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d relative links, want the README's contents and its docs/ links (20 or more)", checked)
	}
}

// TestHeadingAnchors checks the anchor rule TestDocLinks relies on with
// headings of the README's kinds.
func TestHeadingAnchors(t *testing.T) {
	got := headingAnchors("# mbiload\n## Load modes and their guarantees (`--mode`)\n```sh\n# not a heading\n```\n" +
		"### `mbiload sync`\n## Quickstart: your own account\n## Exit codes\n### Exit codes\n")
	for _, want := range []string{"mbiload", "load-modes-and-their-guarantees---mode", "mbiload-sync",
		"quickstart-your-own-account", "exit-codes", "exit-codes-1"} {
		if !got[want] {
			t.Errorf("no anchor %q in %v", want, got)
		}
	}
	if got["not-a-heading"] {
		t.Errorf("a comment in a code block made an anchor: %v", got)
	}
}

// TestREADMEOpening checks that the README opens, before its first
// section, with exactly the two set-up commands (make demo, make test),
// both targets of the Makefile, and mentions demo --keep.
func TestREADMEOpening(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	intro, _, _ := strings.Cut(readme, "\n## ")
	block := between(t, intro, "```sh\n", "```")
	var cmds []string
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if strings.Join(cmds, "; ") != "make demo; make test" {
		t.Errorf("the README's opening block runs %q, want exactly make demo and make test", cmds)
	}
	makefile := readRepoFile(t, "Makefile")
	for _, target := range []string{"demo", "test"} {
		if !regexp.MustCompile(`(?m)^` + target + `:`).MatchString(makefile) {
			t.Errorf("the Makefile has no %s target", target)
		}
	}
	if !strings.Contains(intro, "demo --keep") {
		t.Errorf("the README's opening does not mention demo --keep")
	}
}
