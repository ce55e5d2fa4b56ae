package load

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// columnDefs returns the column definitions of t's fields (name, type, NOT
// NULL), in metadata order, for CREATE TABLE. Keys are added separately,
// after the COPY, which builds them faster than inserting row by row.
func columnDefs(t *schema.Table) []string {
	out := make([]string, len(t.Fields))
	for k, f := range t.Fields {
		out[k] = fieldDef(f)
	}
	return out
}

// keyedColumnDefs is columnDefs with the columns of the primary key pk
// NOT NULL, as adding the key after the COPY makes them: the server then
// skips the scan that would check them (refuseNulls did).
func keyedColumnDefs(t *schema.Table, pk []int) []string {
	out := columnDefs(t)
	for _, k := range pk {
		if !t.Fields[k].Source.NotNull() {
			out[k] += " NOT NULL"
		}
	}
	return out
}

func fieldDef(f schema.Field) string {
	d := schema.Quote(f.Name) + " " + f.Type.PG()
	if f.Source.NotNull() {
		d += " NOT NULL"
	}
	return d
}

// tableOptions are the optional parts of a CREATE TABLE.
type tableOptions struct {
	unlogged bool     // CREATE UNLOGGED TABLE
	suffix   string   // after the column list: USING, WITH
	more     []string // statements run in the same round trip
}

// createTable creates table (quoted).
func (r *loadRun) createTable(ctx context.Context, table string, defs []string, opts tableOptions) error {
	prefix := ""
	if opts.unlogged {
		prefix = "UNLOGGED "
	}
	sql := "CREATE " + prefix + "TABLE " + table + " (\n  " + strings.Join(defs, ",\n  ") + "\n)" + opts.suffix
	for _, m := range opts.more {
		sql += ";\n" + m
	}
	if _, err := r.tx.Exec(ctx, sql); err != nil {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	r.steps.done("create table")
	return nil
}

// stageName returns a fresh staging table name in the ledger schema, quoted
// and unquoted. The table is created in the load's transaction, so a
// killed process, a dropped connection or a server restart rolls it back:
// there is never staging debris to clean up.
func (r *loadRun) stageName() (quoted, name string) {
	name = "stage_" + randomHex(8)
	return schema.Quote(r.l.cfg.LedgerSchema, name), name
}

// fieldColumns maps the table's fields to COPY columns of their own types.
func fieldColumns(t *schema.Table) []copyColumn {
	out := make([]copyColumn, len(t.Fields))
	for k, f := range t.Fields {
		out[k] = copyColumn{Name: f.Name, Src: k, OID: f.Type.PGOID(), NumericScale: fieldScale(f.Type)}
	}
	return out
}

// fieldScale is the numeric scale the encoder writes for a field's type.
func fieldScale(t schema.Type) int32 {
	if t.Kind == schema.KindNumeric && t.Precision > 0 {
		return t.Scale
	}
	return -1
}

func quoteColumns(cols []copyColumn) string {
	names := make([]string, len(cols))
	for k, c := range cols {
		names[k] = c.Name
	}
	return quoteNames(names)
}

func quoteNames(names []string) string {
	q := make([]string, len(names))
	for k, n := range names {
		q[k] = schema.Quote(n)
	}
	return strings.Join(q, ", ")
}

// copyInto streams the job's source into table, and checks the counts.
func (r *loadRun) copyInto(ctx context.Context, table string, opts copyOptions, cols []copyColumn) error {
	start := time.Now()
	cr, err := copyBatches(ctx, r.tx.Conn().PgConn(), table, opts, r.job.Source, r.job.Table.ArrowSchema(), cols, r.job.Progress)
	if r.l.citus {
		err = citusError(err)
	}
	r.res.CopyDuration = time.Since(start)
	r.steps.done("copy")
	r.lines = cr.Lines
	if err != nil {
		r.res.RowsRead = cr.Sent
		var re *RowError
		if errors.As(err, &re) {
			re.Mode = r.job.Mode
			return err // it names the table, the line and the column
		}
		return fmt.Errorf("copy: %w", err)
	}
	return r.afterCopy(cr)
}

// relOptionRE is what a reloptions entry's name looks like; anything else
// is never pasted into SQL.
var relOptionRE = regexp.MustCompile(`^[a-z_][a-z0-9_.]*$`)

// withOptions is the WITH clause of reloptions entries (see optionList).
func withOptions(opts []string) string {
	if o := optionList(opts); o != "" {
		return " WITH (" + o + ")"
	}
	return ""
}

// optionList turns reloptions or attoptions entries ("fillfactor=70")
// into a list of options with quoted values ("fillfactor = '70'"),
// leaving out pg_attver: PostgreSQL 15.20 keeps it in every column's
// attoptions, a number of its own for each table that cannot be set.
func optionList(opts []string) string {
	var parts []string
	for _, o := range opts {
		name, val, ok := strings.Cut(o, "=")
		if !ok || !relOptionRE.MatchString(name) || name == "pg_attver" {
			continue
		}
		parts = append(parts, name+" = "+schema.QuoteLiteral(val))
	}
	return strings.Join(parts, ", ")
}

// commentTarget says which table comments writes on.
type commentTarget int

const (
	// ontoNewTable is a table the load created: every comment is written.
	ontoNewTable commentTarget = iota
	// ontoSameTable is the table old describes, published in place: only
	// the comments whose text changes are written.
	ontoSameTable
)

// comments sets the table and column comments of table (quoted) to the
// source names, except where old (the table as it was, or nil) has a
// comment a user wrote: one that differs from the source name and from
// what the last load recorded.
func (r *loadRun) comments(ctx context.Context, table string, old *tableInfo, onto commentTarget) error {
	t := r.job.Table
	sameTable := onto == ontoSameTable
	var lastTable string
	var lastCols map[string]string
	if old != nil {
		lastTable, lastCols = r.plan.last.table, r.plan.last.cols
	}
	want := func(oldComment *string, source, last string) (string, bool) {
		if oldComment != nil && *oldComment != source && (last == "" || *oldComment != last) {
			return *oldComment, !sameTable // a user's comment: keep it
		}
		return source, !sameTable || oldComment == nil || *oldComment != source
	}
	var stmts []string
	var oldComment *string
	if old != nil {
		oldComment = old.Comment
	}
	if text, write := want(oldComment, t.SourceName, lastTable); write {
		stmts = append(stmts, "COMMENT ON TABLE "+table+" IS "+schema.QuoteLiteral(text))
	}
	for _, f := range t.Fields {
		var oc *string
		if old != nil {
			if c := old.column(f.Name); c != nil {
				oc = c.Comment
			}
		}
		if text, write := want(oc, f.Source.Name, lastCols[f.Name]); write {
			stmts = append(stmts, "COMMENT ON COLUMN "+table+"."+schema.Quote(f.Name)+" IS "+schema.QuoteLiteral(text))
		}
	}
	for _, s := range stmts {
		if _, err := r.tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("comment: %w", err)
		}
	}
	return nil
}
