package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed rewrites args so that flags written after positional
// arguments ("mbiload tables describe orders --ddl") still count as flags:
// urfave/cli v2 stops reading flags at the first positional argument. It
// finds the (sub)command the arguments name, then moves each of that
// command's flags (with its value, when it takes one) in front of the
// positional arguments. Everything after "--" is left alone.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	cmds := app.Commands
	flags := app.Flags
	var leaf *cli.Command
	// Walk the command path: global flags and command names, in order.
	for len(rest) > 0 {
		tok := rest[0]
		if tok == "--" {
			break
		}
		if strings.HasPrefix(tok, "-") && tok != "-" {
			n := flagTokens(flags, rest)
			out = append(out, rest[:n]...)
			rest = rest[n:]
			continue
		}
		cmd := findCommand(cmds, tok)
		if cmd == nil {
			break
		}
		out = append(out, tok)
		rest = rest[1:]
		leaf, cmds, flags = cmd, cmd.Subcommands, cmd.Flags
	}
	if leaf == nil {
		return args
	}
	var moved, positional []string
	for len(rest) > 0 {
		tok := rest[0]
		if tok == "--" {
			positional = append(positional, rest...)
			break
		}
		if strings.HasPrefix(tok, "-") && tok != "-" {
			if len(rest) == 1 && takesValue(flags, tok) {
				// "-o" last with no value: left last, so that the parser
				// reports the missing value instead of taking an argument.
				positional = append(positional, tok)
				break
			}
			n := flagTokens(flags, rest)
			moved = append(moved, rest[:n]...)
			rest = rest[n:]
			continue
		}
		positional = append(positional, tok)
		rest = rest[1:]
	}
	out = append(out, moved...)
	return append(out, positional...)
}

// flagTokens returns how many tokens the flag at rest[0] takes: 2 when it
// is a known flag that takes a value and the value is not attached with "=",
// else 1.
func flagTokens(flags []cli.Flag, rest []string) int {
	if len(rest) > 1 && takesValue(flags, rest[0]) {
		return 2
	}
	return 1
}

// takesValue reports whether tok is a known flag that takes a value not
// attached with "=".
func takesValue(flags []cli.Flag, tok string) bool {
	name := strings.TrimLeft(tok, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				df, ok := f.(cli.DocGenerationFlag)
				return ok && df.TakesValue()
			}
		}
	}
	return false
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
