package main

import (
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/urfave/cli/v2"
)

// Global flag categories, as shown by --help.
const (
	catAPI = "Export API"
	catDB  = "PostgreSQL"
	catLog = "Logging"
)

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "api-url", Category: catAPI, EnvVars: []string{"MBILOAD_API_URL"}, Value: extract.DefaultBaseURL,
			Usage: "Export API base URL"},
		&cli.StringFlag{Name: "api-key", Category: catAPI, EnvVars: []string{"MBILOAD_API_KEY"}, DefaultText: "none",
			Usage: "API key (prefer the environment variable or --api-key-file: flags show in ps)"},
		&cli.StringFlag{Name: "api-key-file", Category: catAPI, EnvVars: []string{"MBILOAD_API_KEY_FILE"},
			Usage: "read the API key from this file (e.g. a mounted Kubernetes secret)"},
		&cli.StringFlag{Name: "client-id", Category: catAPI, EnvVars: []string{"MBILOAD_CLIENT_ID"},
			Usage: "the warehouse's client id"},
		&cli.BoolFlag{Name: "insecure-http", Category: catAPI, EnvVars: []string{"MBILOAD_INSECURE_HTTP"},
			Usage: "allow a plain http:// API URL to a non-loopback host (sends the key in clear text)"},
		&cli.DurationFlag{Name: "poll-interval", Category: catAPI, EnvVars: []string{"MBILOAD_POLL_INTERVAL"}, Value: time.Second,
			Usage: "first wait between polls of an export's status; waits grow toward --poll-max"},
		&cli.DurationFlag{Name: "poll-max", Category: catAPI, EnvVars: []string{"MBILOAD_POLL_MAX"}, Value: time.Minute,
			Usage: "longest wait between polls (the vendor asks for at least 60s on its status endpoints)"},
		&cli.DurationFlag{Name: "export-timeout", Category: catAPI, EnvVars: []string{"MBILOAD_EXPORT_TIMEOUT"}, Value: 6 * time.Hour,
			Usage: "give up waiting for an export after this long"},
		&cli.StringFlag{Name: "database-url", Category: catDB, EnvVars: []string{"DATABASE_URL"}, DefaultText: "none",
			Usage: "PostgreSQL connection string"},
		&cli.StringFlag{Name: "database-password-file", Category: catDB, EnvVars: []string{"MBILOAD_DATABASE_PASSWORD_FILE"},
			Usage: "read the database password from this file (a mounted secret); it replaces the URL's"},
		&cli.StringFlag{Name: "schema", Category: catDB, EnvVars: []string{"MBILOAD_SCHEMA"}, Value: "mbi",
			Usage: "PostgreSQL schema of the loaded tables"},
		&cli.StringFlag{Name: "ledger-schema", Category: catDB, EnvVars: []string{"MBILOAD_LEDGER_SCHEMA"}, Value: "mbiload",
			Usage: "PostgreSQL schema of the load ledger and reject table"},
		&cli.StringFlag{Name: "log-level", Category: catLog, EnvVars: []string{"MBILOAD_LOG_LEVEL"}, Value: "info",
			Usage: "debug, info, warn or error"},
		&cli.StringFlag{Name: "log-format", Category: catLog, EnvVars: []string{"MBILOAD_LOG_FORMAT"}, Value: "text",
			Usage: "text or json"},
	}
}
