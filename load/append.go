package load

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// Snapshot columns, appended after the export's columns in <table>_history.
const (
	colExportID   = "_export_id"
	colExportedAt = "_exported_at"
)

// extraColumn is a column a load adds to every row (snapshot's export id
// and time).
type extraColumn struct {
	name string
	def  string // type and constraints for CREATE/ALTER
	col  copyColumn
}

// snapshotColumns returns the export id and export time columns of a
// snapshot load. The export id is the job's, or "sha256:<hex>" for a local
// file; the time is the export's as a UTC wall-clock timestamp (NULL when
// unknown).
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

// appendRows adds the export's rows to the target (append) or to
// <table>_history with the snapshot columns (snapshot). A missing table is
// created. New source columns are added; target columns the export lacks
// get NULL (or their default); an incompatible type, or such a column NOT
// NULL without a default (see unfilled), is an error before any row is
// written. A NOT NULL the metadata no longer asks for is dropped
// (see relaxed). Without new columns or such a NOT NULL the rows are
// COPYed straight into the table (ROW EXCLUSIVE: readers are never
// blocked); otherwise they are staged first, so the ACCESS EXCLUSIVE lock
// that ALTER TABLE takes is held only for the final insert.
func (r *loadRun) appendRows(ctx context.Context) error {
	t := r.job.Table
	var extras []extraColumn
	if r.job.Mode == ModeSnapshot {
		extras = r.snapshotColumns()
		for _, e := range extras {
			if fieldIndexByName(t, e.name) >= 0 {
				return fmt.Errorf("%w: the table has a column named %q, which snapshot mode adds", ErrInvalidJob, e.name)
			}
		}
	}
	info, err := lookupTable(ctx, r.tx, r.l.cfg.Schema, r.target)
	if err != nil {
		return err
	}
	if info == nil {
		return r.createAndAppend(ctx, extras)
	}
	if err := r.readTargetDistribution(ctx, info); err != nil {
		return err
	}
	last, err := r.lastLoad(ctx)
	if err != nil {
		return err
	}
	owned, err := r.ownedColumns(info, last)
	if err != nil {
		return err
	}
	var cols []copyColumn
	var adds []string
	for k, f := range t.Fields {
		c := info.column(f.Name)
		if c == nil {
			adds = append(adds, fieldDef(schema.Field{Name: f.Name, Type: f.Type}))
			r.res.SchemaChanges = append(r.res.SchemaChanges, fmt.Sprintf("added column %q (%s)", f.Name, f.Type.PG()))
			cols = append(cols, fieldColumns(t)[k])
			continue
		}
		cols = append(cols, targetColumn(k, f, c))
		if keptType(owned, c.Name) != nil {
			cols[k] = ownerColumns(t, owned)[k]
		}
	}
	for _, e := range extras {
		if info.column(e.name) == nil {
			adds = append(adds, schema.Quote(e.name)+" "+strings.TrimSuffix(e.def, " NOT NULL"))
			r.res.SchemaChanges = append(r.res.SchemaChanges, fmt.Sprintf("added column %q", e.name))
		}
		cols = append(cols, e.col)
	}
	for _, c := range info.Columns {
		if fieldIndexByName(t, c.Name) < 0 && !isExtra(extras, c.Name) {
			if unfilled(&c) {
				// Every new row would fail at the server, naming no column.
				return r.unfilledError(&c)
			}
			r.res.SchemaChanges = append(r.res.SchemaChanges, fmt.Sprintf("column %q is not in the export: NULL in the new rows", c.Name))
		}
	}
	if err := r.dropForcedExport(ctx, info); err != nil {
		return err
	}
	relax := relaxed(t, r.appendKey(), info, last)
	kept := r.keepNotNull(info, relax, nil)
	refuseNulls(cols, t, nil, kept)
	if len(adds) == 0 && len(relax) == 0 && !r.citusStagedAppend(info) {
		if err := r.copyInto(ctx, r.qtarget, copyPlain, cols); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				return r.keyError(ctx, err, "", r.targetKey(info, pe.ConstraintName), RepeatInTableOrExport)
			}
			return err
		}
		r.res.Mechanism = MechanismCopy
		r.res.RowsLoaded = r.res.RowsRead
		return nil
	}
	return r.stagedInsert(ctx, info, cols, adds, extras, relax, owned)
}

// appendKey is the primary key an append builds when it creates the
// table; a history table has none.
func (r *loadRun) appendKey() []int {
	if r.job.Mode == ModeAppend {
		return r.job.Table.PrimaryKey()
	}
	return nil
}

func isExtra(extras []extraColumn, name string) bool {
	for _, e := range extras {
		if e.name == name {
			return true
		}
	}
	return false
}

// createAndAppend is the first append or snapshot load: the table is
// created (with the primary key for append; a history table has none, its
// keys repeat across exports) and filled.
func (r *loadRun) createAndAppend(ctx context.Context, extras []extraColumn) error {
	t := r.job.Table
	pk := r.appendKey()
	r.notNull = createdNotNull(t, pk)
	r.types = madeTypes(t, nil, nil, nil, true)
	defs := keyedColumnDefs(t, pk)
	cols := fieldColumns(t)
	for _, e := range extras {
		defs = append(defs, schema.Quote(e.name)+" "+e.def)
		cols = append(cols, e.col)
	}
	if err := r.createTable(ctx, r.qtarget, defs, tableOptions{}); err != nil {
		return err
	}
	if err := r.distributeCreated(ctx); err != nil {
		return err
	}
	refuseNulls(cols, t, pk, nil)
	if err := r.copyInto(ctx, r.qtarget, copyFreeze, cols); err != nil {
		return err
	}
	if len(pk) > 0 {
		if err := r.addPrimaryKey(ctx, r.qtarget, "", pk); err != nil {
			return err
		}
	}
	if err := r.comments(ctx, r.qtarget, nil, ontoNewTable); err != nil {
		return err
	}
	r.res.Mechanism = MechanismCreate
	r.res.RowsLoaded = r.res.RowsRead
	return nil
}

// stagedInsert stages the rows in the export's types, then adds the new
// columns, drops the NOT NULL of relax and inserts the rows under the
// publish lock. The columns of owned are staged in the owner's type.
func (r *loadRun) stagedInsert(ctx context.Context, info *tableInfo, cols []copyColumn, adds []string, extras []extraColumn, relax, owned []*tableColumn) error {
	t := r.job.Table
	qstage, _ := r.stageName()
	defs := ownerColumnDefs(t, owned)
	stageCols := ownerColumns(t, owned)
	for _, e := range extras {
		defs = append(defs, schema.Quote(e.name)+" "+e.def)
		stageCols = append(stageCols, e.col)
	}
	defs, stageCols = r.citusSequenced(qstage, defs, stageCols)
	if err := r.createTable(ctx, qstage, defs, tableOptions{}); err != nil {
		return err
	}
	if err := r.distributeLike(ctx, qstage); err != nil {
		return err
	}
	for k := range t.Fields {
		stageCols[k].NotNull = cols[k].NotNull
	}
	if err := r.copyInto(ctx, qstage, copyFreeze, stageCols); err != nil {
		return err
	}
	if len(adds) > 0 || len(relax) > 0 { // else a Citus append (citusStagedAppend)
		if err := lockForPublish(ctx, r.tx, []string{r.qtarget}, info.OID, "ACCESS EXCLUSIVE", r.l.cfg.PublishLockTry, r.l.cfg.LockTimeout, r.log); err != nil {
			return err
		}
	}
	for _, a := range adds {
		if _, err := r.tx.Exec(ctx, "ALTER TABLE "+r.qtarget+" ADD COLUMN "+a); err != nil {
			return fmt.Errorf("add column: %w", err)
		}
	}
	if err := r.execAll(ctx, dropNotNull(r.qtarget, relax), "drop NOT NULL"); err != nil {
		return err
	}
	names := quoteColumns(cols)
	tag, err := r.execKeyed(ctx, "INSERT INTO "+r.qtarget+" ("+names+") SELECT "+names+" FROM "+qstage)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			if err := r.keyError(ctx, err, qstage, r.targetKey(info, pe.ConstraintName), RepeatInTableOrExport); errors.As(err, new(*KeyError)) {
				return err
			}
		}
		return fmt.Errorf("insert the staged rows: %w", err)
	}
	r.res.Mechanism = MechanismStagedInsert
	r.res.RowsLoaded = tag.RowsAffected()
	if r.res.RowsLoaded != r.res.RowsRead {
		return &RowCountError{What: "rows published versus rows COPYed", Got: r.res.RowsLoaded, Want: r.res.RowsRead}
	}
	now, err := lookupTable(ctx, r.tx, r.l.cfg.Schema, r.target)
	if err != nil {
		return err
	}
	if err := r.comments(ctx, r.qtarget, now, ontoSameTable); err != nil {
		return err
	}
	_, err = r.tx.Exec(ctx, "DROP TABLE "+qstage)
	return err
}
