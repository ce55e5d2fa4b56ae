package main

import (
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sourceStrings returns the string literals of the repository's non-test Go
// files, those joined by + as one, separated by NUL bytes.
func sourceStrings(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "bin" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
		prev := token.ILLEGAL
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.STRING {
				text, err := strconv.Unquote(lit)
				if err != nil {
					return err
				}
				if prev != token.ADD {
					b.WriteByte(0)
				}
				b.WriteString(text)
			}
			if tok != token.COMMENT {
				prev = tok
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return formatVerb.ReplaceAllString(b.String(), "\x00")
}

// formatVerb matches a fmt verb of a format string.
var formatVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// troubleshootingQuotes returns the messages the README's Troubleshooting
// section quotes: the code span that starts each bullet.
func troubleshootingQuotes(t *testing.T) []string {
	t.Helper()
	readme := readRepoFile(t, "README.md")
	_, sec, ok := strings.Cut(readme, "\n## Troubleshooting\n")
	if !ok {
		t.Fatal("the README has no Troubleshooting section")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	var out []string
	for _, m := range regexp.MustCompile("(?m)^- (?:``(.+?)``|`([^`]+)`)").FindAllStringSubmatch(sec, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

// variablePart matches what a quoted message holds in place of a format
// verb: an ellipsis, a quoted name, a URL, a number or a name with a digit,
// a distribution rule (as a flag or as the libraries name it), the
// README's example names, modes and stamps, a list of lines; and the
// texts mbiload passes on from its libraries (pgx's connection errors,
// net/http's status texts, slog's record syntax).
var variablePart = regexp.MustCompile(`--distribute \S+|\b(?:distribution|reference) rule \S+|\blines \d+(?:(?:, | and )\d+)*|\.\.\.|\\?"(?:[^"\\]|\\.)*\\?"|https?://[^\s)]+|[\w./:-]*\d[\w./:-]*|` +
	`\b(?:items|nk|uc|pages|orders|character varying|bin\.dat|loader|warehouse|sales_order|replace|append|merge|mbi\.\w+)\b|` +
	`failed to connect to ` + "`[^`]*`" + `|dial error: dial tcp|connect: connection refused|server error: FATAL: role|does not exist|` +
	`Forbidden|Unauthorized|Gone|Not Found|Too Many Requests|Service Unavailable|level=WARN msg=|\w+=`)

// covered reports whether chunk, a stretch of a quoted message between
// two variable parts, is pieced together from the source's literals as a
// message is: a literal's end, whole literals, a literal's start (corpus
// marks the start and end of every literal, and each format verb, with a
// NUL byte), or a stretch of one literal; it returns the chunk when not.
func covered(corpus string, segments map[string]bool, chunk string) (bool, string) {
	if strings.Contains(corpus, chunk) {
		return true, ""
	}
	n := len(chunk)
	reach := make([]bool, n+1)
	for i := 1; i < n; i++ { // the first piece ends a literal
		reach[i] = strings.Contains(corpus, chunk[:i]+"\x00")
	}
	for i := 1; i < n; i++ {
		if !reach[i] {
			continue
		}
		for j := i + 1; j < n; j++ { // whole literals
			if !reach[j] && segments[chunk[i:j]] {
				reach[j] = true
			}
		}
		if strings.Contains(corpus, "\x00"+chunk[i:]) { // the last piece starts one
			return true, ""
		}
	}
	return false, chunk
}

// TestTroubleshootingMessages checks that every message the README's
// Troubleshooting section quotes is mbiload's own text: with the parts a
// format verb fills (names, numbers, URLs, what a library says) taken
// out, what is left is pieced together from the string literals of the
// source, so a paraphrase, or a message changed in the code and not in the
// README, fails.
func TestTroubleshootingMessages(t *testing.T) {
	corpus := sourceStrings(t)
	segments := map[string]bool{}
	for _, seg := range strings.Split(corpus, "\x00") {
		segments[seg] = true
	}
	quotes := troubleshootingQuotes(t)
	if len(quotes) < 30 {
		t.Fatalf("found %d quoted messages in Troubleshooting, want 30 or more", len(quotes))
	}
	for _, q := range quotes {
		for _, chunk := range variablePart.Split(q, -1) {
			if strings.TrimSpace(chunk) == "" {
				continue
			}
			if ok, rest := covered(corpus, segments, chunk); !ok {
				t.Errorf("Troubleshooting quotes %q:\n  %q is not in the source's messages", q, rest)
				break
			}
		}
	}
}

// TestCoveredRejectsParaphrase checks the piecing rule on a message of
// the source and a paraphrase of it.
func TestCoveredRejectsParaphrase(t *testing.T) {
	corpus := "\x00only LF and CRLF are read: \x00\x00convert the file, e.g. with tr\x00; nothing to do\x00"
	segments := map[string]bool{}
	for _, seg := range strings.Split(corpus, "\x00") {
		segments[seg] = true
	}
	for _, good := range []string{"only LF and CRLF are read: convert the file, e.g. with tr; nothing to do", "are read: convert", "LF and CRLF"} {
		if ok, rest := covered(corpus, segments, good); !ok {
			t.Errorf("%q, pieced from the literals, is not covered: %q", good, rest)
		}
	}
	for _, bad := range []string{"only LF and CRLF are accepted: convert the file", "only LF and CRLF are read: convert it; nothing to do"} {
		if ok, _ := covered(corpus, segments, bad); ok {
			t.Errorf("the paraphrase %q is covered", bad)
		}
	}
}
