// Command mbiload moves a Magento BI (formerly RJMetrics) data warehouse into
// PostgreSQL: it lists the warehouse's tables through the Data Export API,
// exports them, streams each zip-compressed CSV through Apache Arrow record
// batches and publishes it atomically with binary COPY.
//
// This package holds flags and wiring only; the work is done by packages
// extract, transform, load and pipeline.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// The time zone database, for --source-timezone in minimal container
	// images that have none.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := newApp(os.Stdin, os.Stdout, os.Stderr)
	err := app.RunContext(ctx, interspersed(app, os.Args))
	os.Exit(exitCode(err, os.Stderr))
}
