package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionFlag is the hidden flag with which a shell's completion script
// asks mbiload for the words that can follow (urfave/cli's protocol: the
// command path and flags so far, then this flag; no action runs).
const completionFlag = "--generate-bash-completion"

// bashCompletion asks mbiload for the candidates and filters them by the
// word being completed. It needs nothing from the bash-completion package.
const bashCompletion = `# bash completion for mbiload; load it with
#   source <(mbiload completion bash)
# or save it as /etc/bash_completion.d/mbiload.
_mbiload_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} opts
  local words=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
  if [[ $cur == -* ]]; then
    opts=$("${COMP_WORDS[0]}" "${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${COMP_WORDS[0]}" "${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  local IFS=$'\n'
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o bashdefault -o default -F _mbiload_complete mbiload
`

// zshCompletion is urfave/cli's zsh script for mbiload.
const zshCompletion = `#compdef mbiload
# zsh completion for mbiload; load it with
#   source <(mbiload completion zsh)
# or save it as _mbiload in a directory of $fpath.
_mbiload() {
  local -a opts
  local cur=${words[-1]}
  if [[ $cur == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _mbiload mbiload
`

// completionArgs are the arguments urfave/cli gets when a shell asks for
// completions (args without the trailing completionFlag): the program and
// the command path only, then completionFlag. Flags and their values are
// left out, since a flag being typed ("--tab") or one missing its value
// fails the parse, and urfave/cli v2 then panics; what is being completed
// is read from os.Args (see completeCommand), as urfave/cli does.
func completionArgs(app *cli.App, args []string) []string {
	out := []string{args[0]}
	cmds := app.Commands
	for _, tok := range args[1:] {
		if tok == "--" {
			break
		}
		if cmd := findCommand(cmds, tok); cmd != nil && !strings.HasPrefix(tok, "-") {
			out = append(out, tok)
			cmds = cmd.Subcommands
		}
	}
	return append(out, completionFlag)
}

// completeCommand lists what can follow cmd: its flags matching a flag
// being typed; nothing after a flag that takes a value (the shell then
// completes file names); else its subcommands, without the help command.
func completeCommand(cmd *cli.Command) cli.BashCompleteFunc {
	return func(c *cli.Context) {
		typed := ""
		if n := len(os.Args); n > 2 && os.Args[n-1] == completionFlag {
			typed = os.Args[n-2]
		}
		switch {
		case takesValue(cmd.Flags, typed) || takesValue(c.App.Flags, typed):
		case strings.HasPrefix(typed, "-"):
			cli.DefaultCompleteWithFlags(cmd)(c)
		default:
			for _, sub := range cmd.Subcommands {
				if !sub.Hidden && sub.Name != "help" {
					fmt.Fprintln(c.App.Writer, sub.Name)
				}
			}
		}
	}
}

func completionCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "completion",
		Usage: "print a shell completion script (bash, zsh or fish) for commands and flags",
		UsageText: "mbiload completion bash|zsh|fish\n\nExamples:\n" +
			"  source <(mbiload completion bash)                 # this shell\n" +
			"  mbiload completion bash > /etc/bash_completion.d/mbiload\n" +
			"  mbiload completion fish > ~/.config/fish/completions/mbiload.fish",
		Action: func(c *cli.Context) error {
			shell, err := oneArg(c, "shell (bash, zsh or fish)")
			if err != nil {
				return err
			}
			var script string
			switch strings.ToLower(shell) {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "fish":
				if script, err = c.App.ToFishCompletion(); err != nil {
					return fmt.Errorf("fish completion: %w", err)
				}
			default:
				return usagef("completion: no script for %q: want bash, zsh or fish", shell)
			}
			_, err = fmt.Fprint(env.stdout, script)
			return err
		},
	}
}
