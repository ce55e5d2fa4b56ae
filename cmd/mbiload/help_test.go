package main

import (
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestEveryCommandHasExample walks the command tree: every command that
// runs something shows an example in its --help.
func TestEveryCommandHasExample(t *testing.T) {
	app := newApp(nil, io.Discard, io.Discard)
	var walk func(prefix string, cmds []*cli.Command)
	n := 0
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			name := strings.TrimSpace(prefix + " " + c.Name)
			if len(c.Subcommands) > 0 {
				walk(name, c.Subcommands)
				continue
			}
			n++
			if !strings.Contains(c.UsageText, "Example") {
				t.Errorf("mbiload %s --help: got no example in %q, want one", name, c.UsageText)
			}
		}
	}
	walk("", app.Commands)
	if n < 20 {
		t.Errorf("got %d leaf commands, want at least 20 (is the tree walked?)", n)
	}
}
