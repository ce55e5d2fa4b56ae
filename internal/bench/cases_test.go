package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// copyOptions are the COPY options of the psql cases.
const copyOptions = "WITH (FORMAT csv, HEADER true)"

// benchTarget is the psql cases' table, schema-qualified and quoted.
func (h *harness) benchTarget() string { return schema.Quote(benchSchema, h.table.Name) }

// freshTable drops and re-creates the psql cases' table with the DDL
// mbiload would run (`mbiload tables describe --ddl`), then checkpoints.
func (h *harness) freshTable(ctx context.Context) error {
	stmts := []string{"DROP TABLE IF EXISTS " + h.benchTarget(), h.table.CreateTableSQL(benchSchema, h.table.Name)}
	stmts = append(stmts, h.table.CommentSQL(benchSchema, h.table.Name)...)
	if err := h.db.exec(ctx, stmts...); err != nil {
		return err
	}
	return h.db.settle(ctx)
}

// runServerCopy is case (a): the server reads the CSV file itself, the
// limit of any client.
func (h *harness) runServerCopy(ctx context.Context) (sample, error) {
	if err := h.freshTable(ctx); err != nil {
		return sample{}, err
	}
	sql := "COPY " + h.benchTarget() + " FROM " + schema.QuoteLiteral(h.data.CSV) + " " + copyOptions
	s, err := h.timed(func() ([]proc, error) {
		p, err := runProc(ctx, nil, "psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", h.db.URL, "-c", sql)
		if err == nil {
			err = checkCopied(p.Stdout, h.data.Rows)
		}
		return []proc{p}, err
	})
	if err != nil {
		return sample{}, err
	}
	return s, h.db.exec(ctx, "DROP TABLE "+h.benchTarget())
}

// runPsqlPipe is case (b): unzip piped into psql's \copy, what a shell
// script would do.
func (h *harness) runPsqlPipe(ctx context.Context) (sample, error) {
	if err := h.freshTable(ctx); err != nil {
		return sample{}, err
	}
	script := `unzip -p "$BENCH_ZIP" | psql -X -v ON_ERROR_STOP=1 -d "$BENCH_URL" -c "\copy ` +
		strings.ReplaceAll(h.benchTarget(), `"`, `\"`) + ` FROM STDIN ` + copyOptions + `"`
	s, err := h.timed(func() ([]proc, error) {
		p, err := runProc(ctx, []string{"BENCH_ZIP=" + h.data.Zip, "BENCH_URL=" + h.db.URL}, "sh", "-c", script)
		if err == nil {
			err = checkCopied(p.Stdout, h.data.Rows)
		}
		return []proc{p}, err
	})
	if err != nil {
		return sample{}, err
	}
	return s, h.db.exec(ctx, "DROP TABLE "+h.benchTarget())
}

// psqlPipeCommand is case (b)'s command as the table shows it.
const psqlPipeCommand = `sh -c 'unzip -p FILE.zip | psql "$URL" -c "\copy bench.sales_order FROM STDIN WITH (FORMAT csv, HEADER true)"'`

// copied matches psql's command tag after a COPY.
var copied = regexp.MustCompile(`(?m)^COPY (\d+)$`)

// checkCopied checks psql's "COPY n" against the rows expected.
func checkCopied(stdout string, rows int64) error {
	m := copied.FindStringSubmatch(stdout)
	if m == nil {
		return fmt.Errorf("psql printed no COPY count: %.200q", stdout)
	}
	if n, _ := strconv.ParseInt(m[1], 10, 64); n != rows {
		return fmt.Errorf("psql copied %d rows, want %d", n, rows)
	}
	return nil
}

// dropLoaded drops mbiload's target schema, so the next load-file creates
// the table rather than replacing it.
func (h *harness) dropLoaded(ctx context.Context) error {
	return h.db.exec(ctx, "DROP SCHEMA IF EXISTS "+mbiSchema+" CASCADE")
}

// runLoadFile is case (c): mbiload load-file of the zip, forced so every
// run loads.
func (h *harness) runLoadFile(ctx context.Context, ds *dataset) (sample, error) {
	if err := h.db.settle(ctx); err != nil {
		return sample{}, err
	}
	report := filepath.Join(h.work, "load-file-report.json")
	os.Remove(report)
	var rep *runReport
	s, err := h.timed(func() ([]proc, error) {
		p, err := runProc(ctx, h.mbiEnv(), h.bin, "load-file", "--table", benchTable, "--columns", ds.Columns,
			"--force", "--progress", "none", "--report", report, ds.Zip)
		if err == nil {
			rep, err = readRunReport(report, []string{benchTable}, ds.Rows)
		}
		return []proc{p}, err
	})
	if err != nil {
		return sample{}, err
	}
	s.Mechanism = rep.Tables[0].Mechanism
	return s, nil
}

// loadFileCommand is case (c)'s command as the table shows it.
const loadFileCommand = "mbiload load-file --table sales_order --columns sales_order.columns.json --force sales_order.zip"
