package load

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// Snapshot columns, appended after the export's columns in <table>_history.
const (
	colExportID   = "_export_id"
	colExportedAt = "_exported_at"
)

// extraColumn is a column a snapshot adds to every row.
type extraColumn struct {
	name string
	def  string // type and constraints for CREATE/ALTER
	col  copyColumn
}

// snapshotColumns returns the snapshot's export id (the job's, or
// "sha256:<hex>" for a local file) and export time (UTC wall clock, NULL
// when unknown) columns.
func (r *loadRun) snapshotColumns() []extraColumn {
	id := r.job.ExportID
	if id == "" {
		id = "sha256:" + r.job.SHA256
	}
	idField := binary.BigEndian.AppendUint32(nil, uint32(len(id)))
	idField = append(idField, id...)
	at := nullField[:]
	if !r.job.ExportedAt.IsZero() {
		at = binary.BigEndian.AppendUint32(nil, 8)
		at = binary.BigEndian.AppendUint64(at, uint64(r.job.ExportedAt.UnixMicro()-pgEpochMicros))
	}
	return []extraColumn{
		{name: colExportID, def: "text NOT NULL", col: copyColumn{Name: colExportID, Src: -1, OID: oidText, Const: idField}},
		{name: colExportedAt, def: "timestamp", col: copyColumn{Name: colExportedAt, Src: -1, OID: oidTimestamp, Const: at}},
	}
}

// chooseAppend picks how an append adds the export's rows to the target,
// or a snapshot to <table>_history with the extras columns. A missing
// table is created. New source columns are added; target columns the
// export lacks get NULL (or their default); an incompatible type, or such
// a column NOT NULL without a default (see unfilled), is an error before
// any row is written. A NOT NULL the metadata no longer asks for is
// dropped (see relaxed). Without new columns or such a NOT NULL the rows
// are COPYed straight into the table (ROW EXCLUSIVE: readers are never
// blocked); otherwise they are staged first, so the ACCESS EXCLUSIVE lock
// that ALTER TABLE takes is held only for the final insert.
func (r *loadRun) chooseAppend(extras []extraColumn) (mechanism, error) {
	t, info := r.job.Table, r.plan.info
	if info == nil {
		return create{key: r.appendKey(), extras: extras}, nil
	}
	owned, err := r.ownedColumns(info, r.plan.last)
	if err != nil {
		return nil, err
	}
	adds, changes := addedColumns(t, info)
	p := appendPlan{adds: adds, extras: extras, owned: owned}
	for k, f := range t.Fields {
		c := info.column(f.Name)
		if c == nil {
			p.cols = append(p.cols, fieldColumns(t)[k])
			continue
		}
		p.cols = append(p.cols, targetColumn(k, f, c))
		if keptType(owned, c.Name) != nil {
			p.cols[k] = ownerColumns(t, owned)[k]
		}
	}
	for _, e := range extras {
		if info.column(e.name) == nil {
			p.adds = append(p.adds, schema.Quote(e.name)+" "+strings.TrimSuffix(e.def, " NOT NULL"))
			changes = append(changes, fmt.Sprintf("added column %q", e.name))
		}
		p.cols = append(p.cols, e.col)
	}
	for _, c := range info.Columns {
		if fieldIndexByName(t, c.Name) < 0 && !slices.ContainsFunc(extras, func(e extraColumn) bool { return e.name == c.Name }) {
			if unfilled(&c) {
				// Every new row would fail at the server, naming no column.
				return nil, r.unfilledError(&c)
			}
			changes = append(changes, fmt.Sprintf("column %q is not in the export: NULL in the new rows", c.Name))
		}
	}
	p.relax = relaxed(t, r.appendKey(), info, r.plan.last)
	kept, w := r.keepNotNull(info, p.relax, nil)
	p.record = w
	p.record.changes = append(changes, w.changes...)
	refuseNulls(p.cols, t, nil, kept)
	if len(p.adds) == 0 && len(p.relax) == 0 && !r.citusStagedAppend(info) {
		return copyAppend{p}, nil
	}
	return stagedInsert{p}, nil
}

// addedColumns are the definitions (nullable: the rows there are have no
// value) of the export's columns info lacks, and the changes naming them.
func addedColumns(t *schema.Table, info *tableInfo) (defs, changes []string) {
	for _, f := range t.Fields {
		if info.column(f.Name) == nil {
			defs = append(defs, fieldDef(schema.Field{Name: f.Name, Type: f.Type}))
			changes = append(changes, fmt.Sprintf("added column %q (%s)", f.Name, f.Type.PG()))
		}
	}
	return defs, changes
}

// appendPlan is what an append into an existing target writes: the
// COPY's columns in the target's types (owned in the owner's, see
// ownedColumns), the columns it adds, the NOT NULLs it drops (relax).
type appendPlan struct {
	cols         []copyColumn
	adds         []string
	extras       []extraColumn
	relax, owned []*tableColumn
	record       written
}

// copyAppend COPYs the rows straight into the target.
type copyAppend struct{ appendPlan }

func (m copyAppend) write(ctx context.Context, r *loadRun) (written, error) {
	w := m.record
	if err := r.copyInto(ctx, r.qtarget, copyPlain, m.cols); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return w, r.keyError(ctx, err, "", r.targetKey(r.plan.info, pe.ConstraintName), RepeatInTableOrExport)
		}
		return w, err
	}
	w.mechanism, w.rows = MechanismCopy, r.res.RowsRead
	return w, nil
}

// appendKey is the primary key an append builds when it creates the
// table; a history table has none.
func (r *loadRun) appendKey() []int {
	if r.job.Mode == ModeAppend {
		return r.job.Table.PrimaryKey()
	}
	return nil
}

// stagedInsert stages the rows (owned in the owner's type), then alters
// the target (see alterColumns) and inserts them.
type stagedInsert struct{ appendPlan }

func (m stagedInsert) write(ctx context.Context, r *loadRun) (written, error) {
	t, info, w := r.job.Table, r.plan.info, m.record
	qstage, _ := r.stageName()
	defs := ownerColumnDefs(t, m.owned)
	stageCols := ownerColumns(t, m.owned)
	for _, e := range m.extras {
		defs = append(defs, schema.Quote(e.name)+" "+e.def)
		stageCols = append(stageCols, e.col)
	}
	defs, stageCols = r.citusSequenced(qstage, defs, stageCols)
	if err := r.createTable(ctx, qstage, defs, tableOptions{}); err != nil {
		return w, err
	}
	if err := r.distributeLike(ctx, qstage); err != nil {
		return w, err
	}
	for k := range t.Fields {
		stageCols[k].NotNull = m.cols[k].NotNull
	}
	if err := r.copyInto(ctx, qstage, copyFreeze, stageCols); err != nil {
		return w, err
	}
	// Nothing to alter: a Citus append (citusStagedAppend), under the
	// ROW EXCLUSIVE lock of its INSERT only.
	if err := r.alterColumns(ctx, m.adds, m.relax); err != nil {
		return w, err
	}
	names := quoteColumns(m.cols)
	tag, err := r.execKeyed(ctx, "INSERT INTO "+r.qtarget+" ("+names+") SELECT "+names+" FROM "+qstage)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			if err := r.keyError(ctx, err, qstage, r.targetKey(info, pe.ConstraintName), RepeatInTableOrExport); errors.As(err, new(*KeyError)) {
				return w, err
			}
		}
		return w, fmt.Errorf("insert the staged rows: %w", err)
	}
	w.mechanism, w.rows = MechanismStagedInsert, tag.RowsAffected()
	if w.rows != r.res.RowsRead {
		return w, &RowCountError{What: "rows published versus rows COPYed", Got: w.rows, Want: r.res.RowsRead}
	}
	now, err := lookupTable(ctx, r.tx, r.l.cfg.Schema, r.target)
	if err != nil {
		return w, err
	}
	if err := r.comments(ctx, r.qtarget, now, ontoSameTable); err != nil {
		return w, err
	}
	_, err = r.tx.Exec(ctx, "DROP TABLE "+qstage)
	return w, err
}

// alterColumns adds the columns adds (their definitions) to the target
// and drops the NOT NULL of relax, under the publish lock, which it takes
// (ACCESS EXCLUSIVE) when there is anything to alter.
func (r *loadRun) alterColumns(ctx context.Context, adds []string, relax []*tableColumn) error {
	if len(adds) == 0 && len(relax) == 0 {
		return nil
	}
	if err := r.lockPublish(ctx, []string{r.qtarget}, "ACCESS EXCLUSIVE"); err != nil {
		return err
	}
	for _, a := range adds {
		if _, err := r.tx.Exec(ctx, "ALTER TABLE "+r.qtarget+" ADD COLUMN "+a); err != nil {
			return fmt.Errorf("add column: %w", err)
		}
	}
	return r.execAll(ctx, dropNotNull(r.qtarget, relax), "drop NOT NULL")
}
