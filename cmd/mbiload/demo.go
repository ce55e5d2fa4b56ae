package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/localpg"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
	"github.com/urfave/cli/v2"
)

// defaultSampleDir is where the Magento sample tables sit beside a clone.
const defaultSampleDir = "../shared/data/magento-sample"

func demoCommand(env *appEnv) *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the whole job end to end on a simulated API and show a SQL report",
		UsageText: "mbiload demo [--scale ROWS] [--sample-dir DIR] [--keep]\n\n" +
			"Starts the simulated Export API (a generated Magento-like warehouse plus the Magento sample\n" +
			"tables when found), uses DATABASE_URL or else a throwaway PostgreSQL started from the\n" +
			"installed binaries, runs a sync of every table, a figure and a chart, then prints revenue\n" +
			"by month and the best-selling products from the loaded tables.\n\n" +
			"Example:\n  make demo        (or: mbiload demo --scale 1000000 --keep)",
		Flags: append([]cli.Flag{
			&cli.Int64Flag{Name: "scale", Value: 100000, Usage: "rows of the generated sales_order"},
			&cli.StringFlag{Name: "sample-dir", EnvVars: []string{"MBILOAD_SAMPLE_DIR"}, Value: defaultSampleDir,
				Usage: "directory of Magento sample tables to serve too (skipped when missing)"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the throwaway PostgreSQL running afterwards (until Ctrl-C) to explore it with psql"},
		}, runFlags()...),
		Action: func(c *cli.Context) error { return runDemo(c, env) },
	}
}

func runDemo(c *cli.Context, env *appEnv) error {
	ctx := c.Context
	start := time.Now()
	out := env.stdout

	dbURL := c.String("database-url")
	if dbURL == "" {
		fmt.Fprintln(out, "==> DATABASE_URL is not set: starting a throwaway PostgreSQL from the installed binaries")
		srv, err := localpg.Start(ctx, localpg.Options{Settings: map[string]string{"fsync": "off"}, Logger: env.log})
		if err != nil {
			return fmt.Errorf("start throwaway PostgreSQL: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if err := srv.Stop(sctx); err != nil {
				env.log.Error("stop throwaway PostgreSQL", "err", err)
			}
		}()
		dbURL = srv.URL
		if err := c.Set("database-url", dbURL); err != nil {
			return err
		}
	}

	tables := simulator.Generated(c.Int64("scale"), 1)
	sets := [][]simulator.Table{tables}
	if dir := c.String("sample-dir"); dir != "" {
		if sample, err := simulator.LoadDir(dir); err == nil {
			sets = append(sets, sample)
			fmt.Fprintf(out, "==> serving the Magento sample tables from %s\n", termsafe.String(dir))
		} else if !os.IsNotExist(err) {
			env.log.Warn("sample tables not served", "dir", dir, "err", err)
		}
	}
	all, err := simulator.Combine(sets...)
	if err != nil {
		return err
	}
	key := randomKey()
	sim, err := simulator.New(simulator.Config{Key: key, ClientID: "12", Tables: all, ExportDelay: time.Second})
	if err != nil {
		return fmt.Errorf("start simulator: %w", err)
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	simCtx, stopSim := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSim()
	go sim.Serve(simCtx, ln)
	apiURL := "http://" + ln.Addr().String() + "/0.1"
	fmt.Fprintf(out, "==> simulated Export API at %s: %d tables (sales_order: %d rows)\n", apiURL, len(all), c.Int64("scale"))

	client, err := extract.New(extract.Config{BaseURL: apiURL, APIKey: key, ClientID: "12", Logger: env.log,
		Poll: extract.PollPolicy{Initial: 250 * time.Millisecond, Max: time.Second}})
	if err != nil {
		return err
	}
	opts, err := pipelineOptions(c)
	if err != nil {
		return err
	}
	opts.Figures = []string{fmt.Sprint(simulator.FigureRevenueByMonth)}
	opts.Charts = []string{fmt.Sprint(simulator.ChartCustomerCohorts)}
	pool, err := openPool(ctx, c, opts.Concurrency+2)
	if err != nil {
		return err
	}
	defer pool.Close()
	loader, err := newLoader(ctx, c, env, pool, false)
	if err != nil {
		return err
	}
	display, err := newDisplay(c, env)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "==> mbiload sync (every table, one figure, one chart)")
	runner := &pipeline.Runner{Client: client, Loader: loader, Log: env.log, Observer: display, Advice: flagAdvice}
	rep, err := runner.Sync(ctx, opts)
	display.Close()
	if werr := writeOutputs(c, env, rep, loader); werr != nil {
		env.log.Error("write run outputs", "err", werr)
	}
	summarize(c, env, rep)
	if err != nil {
		return err
	}
	if err := runResult(rep); err != nil {
		return err
	}
	if err := demoReport(ctx, env, pool, c.String("schema")); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n==> done in %s\n", time.Since(start).Round(100*time.Millisecond))
	if c.Bool("keep") && c.String("database-url") != "" {
		fmt.Fprintf(out, "PostgreSQL stays up until Ctrl-C:\n  psql '%s'\n", dbURL)
		<-ctx.Done()
	}
	return nil
}

// demoReport prints a short SQL report from the loaded tables.
func demoReport(ctx context.Context, env *appEnv, pool *pgxpool.Pool, pgSchema string) error {
	q := func(title, sql string) error {
		rows, err := pool.Query(ctx, sql)
		if err != nil {
			return fmt.Errorf("demo report %q: %w", title, err)
		}
		defer rows.Close()
		var header []string
		for _, f := range rows.FieldDescriptions() {
			header = append(header, f.Name)
		}
		var cells [][]string
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				return err
			}
			line := make([]string, len(vals))
			for i, v := range vals {
				line[i] = fmt.Sprint(v)
			}
			cells = append(cells, line)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("demo report %q: %w", title, err)
		}
		fmt.Fprintf(env.stdout, "\n==> %s\n", title)
		return printTable(env.stdout, header, cells)
	}
	s := func(table string) string { return schema.Quote(pgSchema, table) }
	if err := q("revenue by month (last 12 months in the data), from "+pgSchema+".sales_order",
		`SELECT to_char(date_trunc('month', created_at), 'YYYY-MM') AS month, count(*) AS orders,
		        sum(grand_total)::numeric(14,2)::text AS revenue, avg(grand_total)::numeric(10,2)::text AS avg_order
		   FROM `+s("sales_order")+` WHERE status <> 'canceled'
		  GROUP BY 1 ORDER BY 1 DESC LIMIT 12`); err != nil {
		return err
	}
	return q("best-selling products, from sales_order_item joined to catalog_product_entity",
		`SELECT p.sku, p.name, sum(i.qty_ordered)::numeric(12,0)::text AS units, sum(i.row_total)::numeric(14,2)::text AS revenue
		   FROM `+s("sales_order_item")+` i JOIN `+s("catalog_product_entity")+` p ON p.entity_id = i.product_id
		  GROUP BY 1, 2 ORDER BY sum(i.row_total) DESC LIMIT 5`)
}

func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
