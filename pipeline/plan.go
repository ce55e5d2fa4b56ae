package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// plan describes, for a dry run, what a sync would do with one table: the
// export it would use, the target, the mode and the table's DDL or its
// differences from the existing table. It reads the database and changes
// nothing.
func (r *Runner) plan(ctx context.Context, opts Options, tbl *schema.Table, exp extract.Export, reused bool) (string, error) {
	var b strings.Builder
	if reused {
		fmt.Fprintf(&b, "reuse export %s (created %s)\n", exp.ID, exp.CreatedAt.Format(extract.TimestampLayout))
	} else {
		fmt.Fprintf(&b, "create a new export of table %s\n", tbl.SourceID)
	}
	if r.Loader == nil {
		fmt.Fprintf(&b, "%s into %s\n", opts.Mode, schema.Quote(r.schema(), load.TargetTable(tbl, opts.Mode)))
		b.WriteString("the warehouse is not set up yet: a first run creates the schemas and the ledger, then:\n")
		b.WriteString(ddlFor(tbl, opts.Mode, r.schema()))
		appendWarnings(&b, tbl)
		return b.String(), nil
	}
	diff, err := r.Loader.Plan(ctx, tbl, opts.Mode)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "%s into %s\n", opts.Mode, schema.Quote(diff.Schema, diff.Table))
	if !diff.Exists {
		b.WriteString(ddlFor(tbl, opts.Mode, diff.Schema))
	} else if len(diff.Changes) == 0 {
		b.WriteString("table exists with the same columns\n")
	} else {
		for _, c := range diff.Changes {
			b.WriteString(c)
			b.WriteByte('\n')
		}
	}
	for _, p := range diff.Problems {
		b.WriteString("would fail: " + p + "\n")
	}
	appendWarnings(&b, tbl)
	return b.String(), nil
}

// ddlFor is the DDL of the table a first load in mode creates: the
// table's own, under its <table>_history name for snapshot (which adds the
// export id and time columns).
func ddlFor(tbl *schema.Table, mode load.Mode, pgSchema string) string {
	if mode != load.ModeSnapshot {
		return tbl.DDL(pgSchema)
	}
	hist := *tbl
	hist.Name = load.TargetTable(tbl, load.ModeSnapshot)
	return hist.DDL(pgSchema) + "-- plus the columns _export_id text NOT NULL and _exported_at timestamp\n"
}

func appendWarnings(b *strings.Builder, tbl *schema.Table) {
	for _, w := range tbl.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
}
