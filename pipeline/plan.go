package pipeline

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// planTable is the dry run of syncTable: the same first stages, reading
// the API and the database, then what the run would do (see plan) instead
// of waiting, downloading and loading. It creates and records nothing.
func (r *Runner) planTable(ctx context.Context, s *syncRun, t extract.Table) TableReport {
	rn := r.begin(ctx, tableEntry(s.opts, t), s.labels[tableKey(t)], s.slots)
	tr := &rn.tr
	tbl, exp, reused, last, err := r.tableExport(rn, s, t)
	if last != nil {
		tr.Status, tr.ExportID, tr.Plan, tr.PlanAction = StatusPlanned, last.ExportID, s.cycle.dryRunPlan(last), PlanUpToDate
	} else if err == nil {
		tr.Status = StatusPlanned
		tr.Plan, tr.PlanAction, err = r.plan(ctx, s.opts, tbl, exp, reused)
	}
	if err != nil {
		rn.fail(err)
	}
	return rn.finish(r.sayTable(t))
}

// planReport is the dry run of syncReport: the figure (chart) is exported
// and its columns inferred, and nothing is loaded.
func (r *Runner) planReport(ctx context.Context, s *syncRun, j reportJob) TableReport {
	rn := r.begin(ctx, r.reportEntry(j), s.labels[j.key()], s.slots)
	tr := &rn.tr
	last := s.cycle.upToDate(j.target.name) // nil when unresolved: no name
	switch {
	case j.err != nil:
		rn.fail(j.err)
	case last != nil:
		tr.Status, tr.ExportID, tr.Plan, tr.PlanAction = StatusPlanned, last.ExportID, s.cycle.dryRunPlan(last), PlanUpToDate
	default:
		path, tbl, err := r.fetchReport(rn, s.opts, j)
		if err != nil {
			rn.fail(err)
			break
		}
		os.Remove(path)
		tr.Status, tr.PlanAction = StatusPlanned, PlanLoad
		tr.Plan = fmt.Sprintf("replace %s with %s %s (%d columns, types inferred)\n", tr.Target, j.kind, j.id, len(tbl.Fields))
		for _, w := range tr.Warnings {
			tr.Plan += "warning: " + w + "\n"
		}
	}
	return rn.finish(r.sayReport(j))
}

// plan describes, for a dry run, what a sync would do with one table: the
// export it would use, the target, the mode and the table's DDL or its
// differences from the existing table. It reads the database and changes
// nothing.
func (r *Runner) plan(ctx context.Context, opts Options, tbl *schema.Table, exp extract.Export, reused bool) (plan, action string, err error) {
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
		dist, err := load.DistributionDDL(r.Distribute, tbl, opts.Mode, r.schema())
		if err != nil {
			b.WriteString("would fail: " + r.errorText(err) + "\n")
			return b.String(), PlanFail, nil
		}
		b.WriteString(dist)
		appendWarnings(&b, tbl)
		return b.String(), PlanCreate, nil
	}
	diff, err := r.Loader.Plan(ctx, tbl, opts.Mode)
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(&b, "%s into %s\n", opts.Mode, schema.Quote(diff.Schema, diff.Table))
	if diff.Distribution != "" {
		b.WriteString("citus: " + diff.Distribution + "\n")
	}
	switch {
	case !diff.Exists:
		b.WriteString(ddlFor(tbl, opts.Mode, diff.Schema))
		b.WriteString(diff.DistributionDDL)
		action = PlanCreate
	case len(diff.Changes) == 0:
		b.WriteString("table exists with the same columns\n")
		action = PlanLoad
	default:
		for _, c := range diff.Changes {
			b.WriteString(c)
			b.WriteByte('\n')
		}
		action = PlanChange
	}
	for _, p := range diff.Problems {
		b.WriteString("would fail: " + p + "\n")
		action = PlanFail
	}
	appendWarnings(&b, tbl)
	return b.String(), action, nil
}

// ddlFor is the DDL of the table a first load in mode creates: the
// table's own, under its <table>_history name for snapshot (which adds the
// export id and time columns).
//
// Every column gets its source name as its comment; the plan shows the
// comments that differ from the column's name only (most are the same).
func ddlFor(tbl *schema.Table, mode load.Mode, pgSchema string) string {
	t := *tbl
	t.Name = load.TargetTable(tbl, mode)
	var b strings.Builder
	b.WriteString(t.CreateTableSQL(pgSchema, t.Name) + ";\n")
	same := 0
	for i, c := range t.CommentSQL(pgSchema, t.Name) {
		if i > 0 && t.Fields[i-1].Source.Name == t.Fields[i-1].Name {
			same++
			continue
		}
		b.WriteString(c + ";\n")
	}
	if same > 0 {
		fmt.Fprintf(&b, "-- and a COMMENT ON COLUMN of each of the other %d columns: its source name, the same as the column's\n", same)
	}
	if mode == load.ModeSnapshot {
		b.WriteString("-- plus the columns _export_id text NOT NULL and _exported_at timestamp\n")
	}
	return b.String()
}

func appendWarnings(b *strings.Builder, tbl *schema.Table) {
	for _, w := range tbl.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
}
