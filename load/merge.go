package load

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// seqColumn numbers the staged rows in CSV order so that the last row of a
// key wins.
const seqColumn = "_mbiload_seq"

// mergeKey resolves the merge key to field indexes: Job.Key (each name a
// target or a source column name) or else the metadata's primary key.
func mergeKey(job Job) ([]int, error) {
	t := job.Table
	if len(job.Key) == 0 {
		pk := t.PrimaryKey()
		if len(pk) == 0 {
			return nil, fmt.Errorf("%w: table %q has no primary key in its metadata; name the key columns", ErrNoKey, t.SourceName)
		}
		return pk, nil
	}
	var out []int
	for _, name := range job.Key {
		k := fieldIndexByName(t, name)
		if k < 0 {
			k = t.FieldIndex(name)
		}
		if k < 0 {
			return nil, fmt.Errorf("%w: key column %q is not a column of table %q", ErrInvalidJob, name, t.SourceName)
		}
		for _, o := range out {
			if o == k {
				return nil, fmt.Errorf("%w: key column %q named twice", ErrInvalidJob, name)
			}
		}
		out = append(out, k)
	}
	return out, nil
}

// chooseMerge plans a merge on the key, which must be unique in an
// existing target (see checkMergeKey) and is a missing one's primary key.
// Incompatible types are an error before any row is written.
func (r *loadRun) chooseMerge(ctx context.Context) (mechanism, error) {
	t, info := r.job.Table, r.plan.info
	key, err := mergeKey(r.job)
	if err != nil {
		return nil, err
	}
	if fieldIndexByName(t, seqColumn) >= 0 {
		return nil, fmt.Errorf("%w: the table has a column named %q, which merge uses", ErrInvalidJob, seqColumn)
	}
	m := merge{key: key, writer: r.mergeWriter()}
	if info == nil {
		m.record = written{notNull: createdNotNull(t, key), types: madeTypes(t, nil, nil, nil, exportTypes)}
		return m, nil
	}
	var changes []string
	m.adds, changes = addedColumns(t, info)
	if m.owned, err = r.ownedColumns(info, r.plan.last); err != nil {
		return nil, err
	}
	for _, k := range key {
		if info.column(t.Fields[k].Name) == nil {
			return nil, &ColumnError{Table: r.qtarget, Column: t.Fields[k].Name, Detail: "the key column is not in the table", Err: ErrIncompatibleType}
		}
	}
	// Before any mechanism is chosen: every way of merging needs it.
	if err := r.checkMergeKey(ctx, info, key); err != nil {
		return nil, err
	}
	m.relax = relaxed(t, key, info, r.plan.last)
	m.kept, m.record = r.keepNotNull(info, m.relax, nil)
	m.record.changes = append(changes, m.record.changes...)
	return m, nil
}

// merge stages the rows with their CSV order number (a NULL key value, or
// a NULL the target's NOT NULL refuses, fails the COPY with a [RowError]),
// adds the new columns and drops the NOT NULLs the metadata no longer asks
// for (see alterColumns); then the writer updates or inserts, for each
// key, the last staged row. A constraint of the target the rows break is
// a [ConstraintError], a unique index a [KeyError].
type merge struct {
	key    []int
	writer mergeWriter
	// adds, relax and owned are as in appendPlan; kept is the target as
	// the merge leaves its NOT NULLs (nil when the merge creates it).
	adds         []string
	relax, owned []*tableColumn
	kept         *tableInfo
	record       written
}

func (m merge) write(ctx context.Context, r *loadRun) (written, error) {
	t, info, w := r.job.Table, r.plan.info, m.record
	if info == nil {
		defs := append(columnDefs(t), "PRIMARY KEY ("+quoteNames(fieldNames(t, m.key))+")")
		if err := r.createTarget(ctx, defs); err != nil {
			return w, err
		}
	}
	qstage, _ := r.stageName()
	cols := ownerColumns(t, m.owned)
	refuseNulls(cols, t, nil, m.kept)
	for _, k := range m.key {
		cols[k].NotNull = nullMergeKey
	}
	cols = append(cols, copyColumn{Name: seqColumn, Src: -1, OID: oidInt8, Seq: true})
	defs := append(ownerColumnDefs(t, m.owned), schema.Quote(seqColumn)+" bigint NOT NULL")
	if err := r.createTable(ctx, qstage, defs, tableOptions{}); err != nil {
		return w, err
	}
	if err := r.distributeLike(ctx, qstage); err != nil {
		return w, err
	}
	if err := r.copyInto(ctx, qstage, copyFreeze, cols); err != nil {
		return w, err
	}
	if err := r.alterColumns(ctx, m.adds, m.relax); err != nil {
		return w, err
	}
	stmt := newMergeStatement(t, m.key, r.qtarget, qstage)
	rows, err := m.writer.write(ctx, r, stmt)
	if err != nil {
		return w, r.mergeError(ctx, err, info, stmt.source)
	}
	w.mechanism, w.rows = MechanismMerge, rows
	old, onto := (*tableInfo)(nil), ontoNewTable
	if info != nil {
		if old, err = lookupTable(ctx, r.tx, r.l.cfg.Schema, r.target); err != nil {
			return w, err
		}
		onto = ontoSameTable
	}
	if err := r.comments(ctx, r.qtarget, old, onto); err != nil {
		return w, err
	}
	if _, err = r.tx.Exec(ctx, "DROP TABLE "+qstage); err != nil {
		return w, fmt.Errorf("drop the staging table: %w", err)
	}
	return w, nil
}

// mergeError is the error of the merge into the existing target info
// (nil: created by the load) from the staged rows source (a subquery): a
// constraint the rows break as a [ConstraintError] or [KeyError], with a
// CHECK's or foreign key's definition and a CHECK's first refused row
// (see mergeConstraint), anything else as is.
func (r *loadRun) mergeError(ctx context.Context, err error, info *tableInfo, source string) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || info == nil {
		return fmt.Errorf("merge: %w", err)
	}
	if pe.Code == codeUniqueViolation {
		return r.keyError(ctx, err, "", r.targetKey(info, pe.ConstraintName), RepeatInTableOrExport)
	}
	if _, ok := constraintKinds[pe.Code]; !ok {
		return fmt.Errorf("merge: %w", err)
	}
	rowCols := inPlaceColumns(r.job.Table, info, nil)
	var c *constraintInfo
	var row int64
	if pe.Code == codeCheckViolation || pe.Code == codeForeignKeyViolate {
		if c, row, err = r.mergeConstraint(ctx, info, pe, source); err != nil {
			r.l.log.Debug("look for the refused row", "table", r.qtarget, "err", err)
		}
	}
	ce := r.constraintError(pe, c, nil, info, rowCols)
	if e, ok := ce.(*ConstraintError); ok && row > 0 {
		e.Row, e.Line = row, r.lines.line(row)
	}
	return ce
}

// mergeConstraint reads, after the MERGE failed under the key savepoint,
// the target's constraint pe names and, for a CHECK, the first staged row
// among source's (in CSV order) that it refuses (0 when the CHECK uses a
// column the export lacks).
func (r *loadRun) mergeConstraint(ctx context.Context, info *tableInfo, pe *pgconn.PgError, source string) (*constraintInfo, int64, error) {
	if _, err := r.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+keySavepoint); err != nil {
		return nil, 0, err
	}
	c := &constraintInfo{Name: pe.ConstraintName}
	err := r.tx.QueryRow(ctx, "SELECT pg_get_constraintdef(oid), contype::text, conkey FROM pg_constraint WHERE conrelid = $1 AND conname = $2",
		info.OID, pe.ConstraintName).Scan(&c.Def, &c.Type, &c.Columns)
	if err != nil {
		return nil, 0, err
	}
	expr, ok := strings.CutPrefix(strings.TrimSuffix(strings.TrimSuffix(c.Def, " NOT VALID"), " NO INHERIT"), "CHECK ")
	if c.Type != "c" || !ok {
		return c, 0, nil
	}
	// The expression may name a column of the target only: the query
	// then fails and the line stays unknown.
	sql := "SELECT s." + schema.Quote(seqColumn) + " FROM " + source + " s WHERE NOT " + expr +
		" ORDER BY 1 LIMIT 1"
	var row int64
	if err := r.tx.QueryRow(ctx, sql).Scan(&row); err != nil {
		return c, 0, err
	}
	return c, row, nil
}
