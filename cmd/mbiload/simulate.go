package main

import (
	"fmt"
	"net"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/urfave/cli/v2"
)

func simulateCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "simulate",
		Usage: "serve a simulated Magento BI Export API (for demos, tests and benchmarks)",
		UsageText: "mbiload simulate [--dir DIR]... [--scale ROWS] [--key KEY] [--client-id N] [flags]\n\n" +
			"Serves every <table>.csv (with its <table>.columns.json) of each --dir as a table, plus a\n" +
			"generated Magento-like warehouse of --scale sales_order rows. With neither, --scale 10000.\n" +
			"Times are served in the account's time zone, --timezone (UTC by default).\n\n" +
			"Example:\n" +
			"  MBILOAD_API_KEY=demo mbiload simulate --dir ../shared/data/magento-sample --scale 100000 \\\n" +
			"      --client-id 12 --export-delay 2s --fault-rate 0.05 --drop-rate 0.1 --timezone America/New_York",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: simulator.DefaultAddr, Usage: "address to listen on"},
			&cli.StringFlag{Name: "key", EnvVars: []string{"MBILOAD_API_KEY"}, DefaultText: "$MBILOAD_API_KEY",
				Usage: "the API key the simulator accepts (required; or read from the file MBILOAD_API_KEY_FILE or --api-key-file names)"},
			&cli.StringFlag{Name: "client-id", EnvVars: []string{"MBILOAD_CLIENT_ID"}, Value: "12", Usage: "the client id bound to the key"},
			&cli.StringSliceFlag{Name: "allow", Usage: "CIDR allowed to use the key (repeatable; default loopback only)"},
			&cli.StringSliceFlag{Name: "dir", Usage: "serve the tables of this directory (repeatable)"},
			&cli.Int64Flag{Name: "scale", Value: -1, DefaultText: "10000 without --dir, else 0", Usage: "rows of the generated sales_order (0: no generated tables)"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of the generated data and of fault decisions"},
			&cli.DurationFlag{Name: "export-delay", Value: 2 * time.Second, Usage: "how long a new export stays Pending"},
			&cli.DurationFlag{Name: "export-ttl", Value: simulator.DefaultExportTTL, Usage: "how long an export can be downloaded before 410"},
			&cli.Int64Flag{Name: "first-export-id", DefaultText: "derived from --seed", Usage: "id of the first export created (give simulators that feed one warehouse distinct ranges)"},
			&cli.Float64Flag{Name: "fault-rate", Usage: "fraction of requests answered 500/502/503"},
			&cli.Float64Flag{Name: "throttle-rate", Usage: "fraction of requests answered 429 with Retry-After"},
			&cli.DurationFlag{Name: "retry-after", Usage: "Retry-After sent with 429 (default 1s)"},
			&cli.DurationFlag{Name: "latency", Usage: "delay added to every response"},
			&cli.Float64Flag{Name: "drop-rate", Usage: "fraction of downloads cut mid-body"},
			&cli.Float64Flag{Name: "reset-rate", Usage: "fraction of connections reset before answering"},
			&cli.Float64Flag{Name: "expire-rate", Usage: "fraction of exports found expired (410) by their first download"},
			&cli.Float64Flag{Name: "export-error-rate", Usage: "fraction of exports that end in Error"},
			&cli.StringFlag{Name: "timezone", EnvVars: []string{"MBILOAD_SIMULATE_TIMEZONE"}, Value: "UTC",
				Usage: "the account's time zone (Area/City): every time served (exports, fullupdatestatus) is its wall clock, with its abbreviation"},
			&cli.StringFlag{Name: "quirks", Usage: "lenient response shapes to switch on, comma separated: " + simulator.QuirkNames},
			&cli.StringFlag{Name: "work-dir", Usage: "where export zips are built (default the system temp dir)"},
		},
		Action: func(c *cli.Context) error {
			cfg, err := simulatorConfig(c, env)
			if err != nil {
				return err
			}
			srv, err := simulator.New(cfg)
			if err != nil {
				return fmt.Errorf("start simulator: %w", err)
			}
			defer srv.Close()
			ln, err := net.Listen("tcp", c.String("listen"))
			if err != nil {
				return fmt.Errorf("listen: %w", err)
			}
			env.log.Info("simulated Export API listening", "url", "http://"+ln.Addr().String()+"/0.1",
				"client_id", cfg.ClientID, "tables", len(cfg.Tables), "timezone", cfg.Location.String())
			return srv.Serve(c.Context, ln)
		},
	}
}

// simulatorConfig reads the simulate command's flags.
func simulatorConfig(c *cli.Context, env *appEnv) (simulator.Config, error) {
	key := c.String("key")
	if key == "" && c.String("api-key-file") != "" {
		// A key file (a container's secret), as the other commands read it.
		k, err := apiKey(c)
		if err != nil {
			return simulator.Config{}, err
		}
		key = k
	}
	if key == "" {
		return simulator.Config{}, usagef("simulate: give the key to accept with --key, MBILOAD_API_KEY or MBILOAD_API_KEY_FILE")
	}
	allow, err := simulator.ParseAllow(c.StringSlice("allow"))
	if err != nil {
		return simulator.Config{}, usageError{err}
	}
	quirks, err := simulator.ParseQuirks(c.String("quirks"))
	if err != nil {
		return simulator.Config{}, usageError{err}
	}
	loc, err := accountTimezone("--timezone", c.String("timezone"))
	if err != nil {
		return simulator.Config{}, usageError{err}
	}
	var sets [][]simulator.Table
	for _, dir := range c.StringSlice("dir") {
		ts, err := simulator.LoadDir(dir)
		if err != nil {
			return simulator.Config{}, fmt.Errorf("load tables: %w", err)
		}
		sets = append(sets, ts)
	}
	scale := c.Int64("scale")
	if scale < 0 {
		scale = 0
		if len(sets) == 0 {
			scale = 10000
		}
	}
	if scale > 0 {
		sets = append([][]simulator.Table{simulator.Generated(scale, c.Int64("seed"))}, sets...)
	}
	tables, err := simulator.Combine(sets...)
	if err != nil {
		return simulator.Config{}, fmt.Errorf("combine tables: %w", err)
	}
	return simulator.Config{
		Key: key, ClientID: c.String("client-id"), Allow: allow, Tables: tables,
		ExportDelay: c.Duration("export-delay"), ExportTTL: c.Duration("export-ttl"), Seed: c.Int64("seed"),
		FaultRate: c.Float64("fault-rate"), ThrottleRate: c.Float64("throttle-rate"), RetryAfter: c.Duration("retry-after"),
		Latency: c.Duration("latency"), DropRate: c.Float64("drop-rate"), ResetRate: c.Float64("reset-rate"),
		ExpireRate: c.Float64("expire-rate"), ExportErrorRate: c.Float64("export-error-rate"),
		FirstExportID: c.Int64("first-export-id"), Quirks: quirks, Logger: env.log, WorkDir: c.String("work-dir"),
		Location: loc,
	}, nil
}
