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
// positional arguments. Global flags written after the command name
// ("mbiload sync --database-url ...") move in front of it, where v2 reads
// them; a command's own flag of the same name wins. Everything after "--"
// is left alone. A shell asking for completions is answered by
// [completionArgs].
func interspersed(app *cli.App, args []string) []string {
	if n := len(args); n > 1 && args[n-1] == completionFlag {
		return completionArgs(app, args[:n-1])
	}
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	var globals []string
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
			if leaf != nil && !knownFlag(flags, tok) && knownFlag(app.Flags, tok) {
				n := flagTokens(app.Flags, rest)
				globals = append(globals, rest[:n]...)
				rest = rest[n:]
				continue
			}
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
			if !knownFlag(flags, tok) && knownFlag(app.Flags, tok) {
				if len(rest) == 1 && takesValue(app.Flags, tok) {
					positional = append(positional, tok)
					break
				}
				n := flagTokens(app.Flags, rest)
				globals = append(globals, rest[:n]...)
				rest = rest[n:]
				continue
			}
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
	out = append(out, positional...)
	if len(globals) == 0 {
		return out
	}
	return append(append([]string{out[0]}, globals...), out[1:]...)
}

// knownFlag reports whether tok ("-x", "--name" or "--name=value") names
// one of flags.
func knownFlag(flags []cli.Flag, tok string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(tok, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
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
