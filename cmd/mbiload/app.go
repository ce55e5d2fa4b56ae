package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"

	"github.com/mbiload/mbiload/internal/progress"
	"github.com/urfave/cli/v2"
)

// appEnv is what every command writes to: injected so tests can read it.
type appEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	// logOut is where log lines go: stderr, or above the live progress
	// lines while they are drawn.
	logOut *progress.Output
}

// newApp builds the command-line application.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	env := &appEnv{stdin: stdin, stdout: stdout, stderr: stderr, log: slog.New(slog.DiscardHandler)}
	app := &cli.App{
		Name:    "mbiload",
		Usage:   "load a Magento BI (RJMetrics) data warehouse into PostgreSQL",
		Version: version,
		Description: "mbiload exports tables through the Magento BI Data Export API and publishes each one\n" +
			"atomically in PostgreSQL: readers see the old table or the new one, never a partial one.\n\n" +
			"Example (nightly job):\n" +
			"  export MBILOAD_API_KEY=... MBILOAD_CLIENT_ID=12 DATABASE_URL=postgres://loader@db/warehouse\n" +
			"  mbiload sync --report /var/log/mbiload/last.json",
		Writer:                 stdout,
		ErrWriter:              stderr,
		Reader:                 stdin,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		EnableBashCompletion:   true,
		Suggest:                true,
		Flags:                  globalFlags(),
		Before: func(c *cli.Context) error {
			env.logOut = progress.NewOutput(stderr)
			log, err := newLogger(env.logOut, c.String("log-format"), c.String("log-level"))
			if err != nil {
				return usageError{err}
			}
			env.log = log
			return nil
		},
		// Errors are printed and mapped to exit codes by main, never here.
		ExitErrHandler: func(*cli.Context, error) {},
		Action:         appAction,
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return usageError{err}
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(stderr, "mbiload: no command %q; run 'mbiload --help'\n", name)
		},
		Commands: []*cli.Command{
			syncCommand(env),
			loadFileCommand(env),
			backfillCommand(env),
			demoCommand(env),
			historyCommand(env),
			tablesCommand(env),
			exportsCommand(env),
			reportCommand(env, "figure"),
			reportCommand(env, "chart"),
			updateStatusCommand(env),
			simulateCommand(env),
			localpgCommand(env),
			versionCommand(env),
			completionCommand(env),
		},
	}
	for _, cmd := range app.Commands {
		setUsageErrors(cmd)
	}
	return app
}

// setUsageErrors makes flag errors of every (sub)command usage errors, and
// an unknown subcommand of a command that only groups others too.
func setUsageErrors(cmd *cli.Command) {
	cmd.OnUsageError = func(c *cli.Context, err error, isSubcommand bool) error { return usageError{err} }
	cmd.BashComplete = completeCommand(cmd)
	if cmd.Action == nil && len(cmd.Subcommands) > 0 {
		cmd.Action = groupAction
	}
	for _, sub := range cmd.Subcommands {
		setUsageErrors(sub)
	}
}

// newLogger builds the slog logger for --log-format and --log-level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func versionCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the version and the Go toolchain it was built with",
		UsageText: "mbiload version\n\nExample:\n  mbiload version",
		Action: func(c *cli.Context) error {
			// The toolchain matters to security scanners: the standard
			// library's fixes arrive with it.
			_, err := fmt.Fprintf(env.stdout, "mbiload %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// appAction runs when no known command is named: without arguments it
// shows help; with one it is a usage error. (urfave/cli's default prints a
// "no command" line and exits 0, which would hide a typo in a cron job.)
func appAction(c *cli.Context) error {
	if !c.Args().Present() {
		return cli.ShowAppHelp(c)
	}
	return unknownCommand(c.App.Commands, "", c.Args().First())
}

// groupAction is [appAction] for a command that only groups subcommands.
func groupAction(c *cli.Context) error {
	if !c.Args().Present() {
		return cli.ShowSubcommandHelp(c)
	}
	return unknownCommand(c.Command.Subcommands, commandName(c)+": ", c.Args().First())
}

// unknownCommand is the usage error for a command name not among cmds, with
// a suggestion when one is close.
func unknownCommand(cmds []*cli.Command, prefix, name string) error {
	msg := fmt.Sprintf("%sno command %q", prefix, name)
	if cli.SuggestCommand != nil {
		if hint := cli.SuggestCommand(cmds, name); hint != "" {
			msg += "; " + hint
		}
	}
	return usageError{errors.New(msg)}
}
