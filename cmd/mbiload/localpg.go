package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/mbiload/mbiload/internal/localpg"
	"github.com/urfave/cli/v2"
)

func localpgCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "localpg",
		Usage: "run a command against a throwaway local PostgreSQL (for tests, benchmarks and demos)",
		UsageText: "mbiload localpg [--fsync=off] [--pg-bin DIR] [-- COMMAND [ARGS...]]\n\n" +
			"Starts PostgreSQL from the installed binaries (or those in --pg-bin) in a temporary directory on a free port,\n" +
			"runs COMMAND with DATABASE_URL pointing at it, then stops the server and deletes it.\n" +
			"When DATABASE_URL is already set, COMMAND simply runs with it. Without COMMAND, the\n" +
			"server runs until interrupted and its URL is printed.\n\n" +
			"Example:\n  mbiload localpg -- go test ./load/...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "fsync", Value: "on", Usage: "the server's fsync setting (off is fine for throwaway data)"},
			&cli.StringFlag{Name: "pg-bin", EnvVars: []string{localpg.BinDirEnv}, DefaultText: "installed",
				Usage: "the directory of the PostgreSQL binaries (initdb, pg_ctl, postgres) to run, for any version"},
		},
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if url := c.String("database-url"); url != "" && len(args) > 0 {
				return runChild(c.Context, args, url)
			}
			srv, err := localpg.Start(c.Context, localpg.Options{
				Settings: map[string]string{"fsync": c.String("fsync")},
				Logger:   env.log,
				BinDir:   c.String("pg-bin"),
			})
			if err != nil {
				return fmt.Errorf("start throwaway PostgreSQL: %w", err)
			}
			defer func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Context), time.Minute)
				defer cancel()
				if err := srv.Stop(ctx); err != nil {
					env.log.Error("stop throwaway PostgreSQL", "err", err)
				}
			}()
			if len(args) == 0 {
				fmt.Fprintf(env.stdout, "DATABASE_URL=%s\n", srv.URL)
				<-c.Context.Done()
				return nil
			}
			return runChild(c.Context, args, srv.URL)
		},
	}
}

// runChild runs args with DATABASE_URL set and returns its exit status as
// an exitStatus error.
func runChild(ctx context.Context, args []string, url string) error {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitStatus{code: ee.ExitCode()}
	}
	if err != nil {
		return fmt.Errorf("run %s: %w", args[0], err)
	}
	return nil
}
