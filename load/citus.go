package load

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

// Citus (the extension that spreads tables over worker nodes behind a
// coordinator) is met where the owner put it: a load into a hash-
// distributed or reference table keeps it so, in the load's one
// distributed transaction. Every table a load builds next to such a
// target (the staging table of a swap, of an in-place refill, of a merge
// or an append) is distributed the same way and colocated with it, so
// the COPY runs on the workers in parallel and every statement joining
// it with the target is pushed down to the shards. The kinds of
// distribution, as [Result.Distribution] and the dry run name them:
const (
	// DistributionHash is a table hash-distributed by a column.
	DistributionHash = "distributed"
	// DistributionReference is a reference table: one shard, copied to
	// every node.
	DistributionReference = "reference"
)

// distribution is how Citus spreads a table: hash-distributed by column
// (in its colocation group) or a reference table.
type distribution struct {
	kind   string // DistributionHash, DistributionReference or citusLocal
	column string // the distribution column of a hash-distributed table
	// colocation is the colocation group's id.
	colocation int
}

// citusLocal is a Citus local table: on the coordinator only, in Citus's
// metadata (such as one a foreign key to a reference table made). A
// swap's staging table would not be one, so it is refilled in place,
// keeping its identity; readDistribution returns it, readTargetDistribution
// keeps it out of r.plan.dist (its statements are the plain ones).
const citusLocal = "citus local"

// String is what messages and plans show: `distributed by "entity_id"`,
// `reference`.
func (d *distribution) String() string {
	if d.kind == DistributionHash {
		return fmt.Sprintf("distributed by %q", d.column)
	}
	return d.kind
}

// citusInstalled reads whether the database has the citus extension.
func citusInstalled(ctx context.Context, q querier) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')").Scan(&ok); err != nil {
		return false, fmt.Errorf("look up the citus extension: %w", err)
	}
	return ok, nil
}

// readDistribution returns how Citus spreads the table oid, or nil for a
// table it does not (or a server without Citus: citus says whether the
// database has it). A table distributed by append or range (Citus's
// deprecated methods) is refused: mbiload cannot build a table like it.
func readDistribution(ctx context.Context, q querier, citus bool, oid uint32) (*distribution, error) {
	if !citus {
		return nil, nil
	}
	d := &distribution{}
	var method, repmodel string
	err := q.QueryRow(ctx, `
SELECT p.partmethod::text, p.repmodel::text, coalesce(column_to_column_name(p.logicalrelid, p.partkey), ''), p.colocationid
FROM pg_dist_partition p WHERE p.logicalrelid = $1::oid`, oid).Scan(&method, &repmodel, &d.column, &d.colocation)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the table's distribution: %w", err)
	}
	switch {
	case method == "h":
		d.kind = DistributionHash
	case method == "n" && repmodel == "t":
		d.kind, d.column = DistributionReference, ""
	case method == "n":
		d.kind, d.column = citusLocal, ""
	default:
		return nil, fmt.Errorf("%w: the table is distributed by Citus's %q method (append or range), which mbiload cannot load into; "+
			"alter_distributed_table it to hash distribution first", ErrIncompatibleType, method)
	}
	return d, nil
}

// citusSettings are the transaction's settings on a Citus coordinator:
// no local execution, which would otherwise run the statements on the
// coordinator's own placements (reference tables) without a connection
// and then refuse the parallel commands that follow in the same
// transaction ("a local execution has accessed a placement").
const citusSettings = "SELECT set_config('citus.enable_local_execution', 'off', true)"

// readTargetDistribution reads the target's distribution into r.plan.dist
// (nil for a local table) and checks that the export keeps its
// distribution column with its type, without which the rows could not
// stay on their shards.
func (r *loadRun) readTargetDistribution(ctx context.Context, info *tableInfo) error {
	d, err := readDistribution(ctx, r.tx, r.l.citus, info.OID)
	if err != nil || d == nil {
		return err
	}
	if d.kind == citusLocal {
		r.plan.citusLocal = true
		return nil
	}
	r.plan.dist = d
	r.res.Distribution = d.kind
	if d.kind != DistributionHash {
		return nil
	}
	k := fieldIndexByName(r.job.Table, d.column)
	if k < 0 {
		return &ColumnError{Table: r.qtarget, Column: d.column, Err: ErrIncompatibleType,
			Detail: "the table is distributed by it and the export no longer has it; undistribute the table (undistribute_table) or keep the column"}
	}
	if c := info.column(d.column); c != nil && !sameType(c, r.job.Table.Fields[k]) {
		return &ColumnError{Table: r.qtarget, Column: d.column, Err: ErrIncompatibleType,
			Detail: fmt.Sprintf("the table is distributed by it and it changes type from %s to %s; Citus cannot move the rows to other shards in a load: alter_distributed_table first",
				c.TypeName, r.job.Table.Fields[k].Type.PG())}
	}
	return nil
}

// distributeLike makes table (quoted, qualified: a staging table the load
// just created, empty) distributed as the target is, colocated with it:
// hash-distributed by the same column in the target's colocation group,
// or a reference table. Nothing happens for a local target.
func (r *loadRun) distributeLike(ctx context.Context, table string) error {
	d := r.plan.dist
	if d == nil {
		return nil
	}
	var err error
	if d.kind == DistributionHash {
		_, err = r.tx.Exec(ctx, "SELECT create_distributed_table($1::regclass, $2, colocate_with => $3)", table, d.column, r.qtarget)
	} else {
		_, err = r.tx.Exec(ctx, "SELECT create_reference_table($1::regclass)", table)
	}
	if err != nil {
		return fmt.Errorf("make the staging table %s like %s: %w", d, r.qtarget, citusError(err))
	}
	r.steps.done("distribute the staging table")
	return nil
}

// renameStatement is the statement that gives an index or constraint
// built on the staging table of a swap its final name. Citus refuses
// RENAME CONSTRAINT on a distributed table; it renames an index (and so
// the constraint it backs) with ALTER INDEX, which PostgreSQL does too.
func (r *loadRun) renameStatement(rn rename) string {
	if rn.constraint && (r.plan.dist == nil || !rn.index) {
		return "ALTER TABLE " + r.qtarget + " RENAME CONSTRAINT " + schema.Quote(rn.tmp) + " TO " + schema.Quote(rn.final)
	}
	return "ALTER INDEX " + schema.Quote(r.l.cfg.Schema, rn.tmp) + " RENAME TO " + schema.Quote(rn.final)
}

// finalConstraintName says whether a constraint without an index (a
// CHECK or a foreign key) is built on a swap's staging table under its
// final name: on Citus, which cannot rename it afterwards. (Such a name
// needs to be unique on its table only; an index's is a relation name,
// unique in the schema, so it is built under a temporary one.)
func (r *loadRun) finalConstraintName() bool { return r.plan.dist != nil }

// shardSuffixRE is the "_<shard id>" Citus appends to the names of a
// shard and of its indexes and constraints (shard ids start at 102008).
var shardSuffixRE = regexp.MustCompile(`"([^"]*?)_[0-9]{6,}"`)

// citusCopyFailedRE is the message of a COPY a worker failed (it went
// down, or refused a row without saying why), which names the shard.
var citusCopyFailedRE = regexp.MustCompile(`^failed to COPY to shard [0-9]+ on (.*)$`)

// citusCopyCodes are the SQLSTATEs of the constraint violations a worker
// reports during a COPY, which Citus re-raises as XX000, by the words of
// their messages.
var citusCopyCodes = []struct{ text, code string }{
	{"violates check constraint", codeCheckViolation},
	{"violates not-null constraint", codeNotNullViolation},
	{"violates foreign key constraint", codeForeignKeyViolate},
	{"violates exclusion constraint", codeExclusionViolation},
}

// citusNullColumnRE finds the column of a NOT NULL violation's message.
var citusNullColumnRE = regexp.MustCompile(`^null value in column "([^"]*)"`)

// citusUniqueRE is the message of a duplicate key a worker refused during
// a COPY, which Citus re-raises with SQLSTATE XX000.
var citusUniqueRE = regexp.MustCompile(`^duplicate key value violates unique constraint "(.*)"$`)

// citusError takes what Citus's internals put in err's server error out,
// in place: the shard names in the message become the table's, index's or
// constraint's own, the constraint's name is filled in from the message
// (a worker's error comes back without it) and a duplicate key refused
// during a COPY gets its SQLSTATE (23505) back (Citus re-raises it as
// XX000). It returns err.
func citusError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	unshard := func(s string) string { return shardSuffixRE.ReplaceAllString(s, `"$1"`) }
	unshardName := func(s string) string {
		if s == "" {
			return s
		}
		return strings.TrimSuffix(strings.TrimPrefix(unshard(`"`+s+`"`), `"`), `"`)
	}
	pe.Message = unshard(pe.Message)
	pe.Detail = unshard(pe.Detail)
	if m := citusCopyFailedRE.FindStringSubmatch(pe.Message); m != nil {
		pe.Message = "the COPY failed on the worker node " + m[1]
	}
	if m := citusUniqueRE.FindStringSubmatch(pe.Message); m != nil && pe.Code == "XX000" {
		pe.Code = codeUniqueViolation
		pe.ConstraintName = m[1]
	}
	if pe.Code == "XX000" {
		for _, k := range citusCopyCodes {
			if strings.Contains(pe.Message, k.text) {
				pe.Code = k.code
			}
		}
		if m := citusNullColumnRE.FindStringSubmatch(pe.Message); m != nil && pe.Code == codeNotNullViolation {
			pe.ColumnName = m[1]
		}
	}
	if pe.ConstraintName == "" {
		if _, name, ok := strings.Cut(pe.Message, ` constraint "`); ok {
			pe.ConstraintName, _, _ = strings.Cut(name, `"`)
		}
	}
	pe.ConstraintName = unshardName(pe.ConstraintName)
	pe.TableName = unshardName(pe.TableName)
	return err
}

// execKeyedCitus is execKeyed on a Citus coordinator: one statement a
// round trip, as Citus sends a DDL statement's text on to the workers as
// a prepared statement, which cannot hold several.
func (r *loadRun) execKeyedCitus(ctx context.Context, stmt string) (pgconn.CommandTag, error) {
	if _, err := r.tx.Exec(ctx, "SAVEPOINT "+keySavepoint); err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := r.tx.Exec(ctx, stmt)
	if err != nil {
		return tag, citusError(err)
	}
	_, err = r.tx.Exec(ctx, "RELEASE SAVEPOINT "+keySavepoint)
	return tag, err
}

// execScript runs statements separated by ";\n" in one round trip, or on
// a Citus coordinator one by one (see execKeyedCitus).
func (r *loadRun) execScript(ctx context.Context, script string) error {
	if !r.l.citus {
		_, err := r.tx.Exec(ctx, script)
		return err
	}
	for _, s := range strings.Split(script, ";\n") {
		if _, err := r.tx.Exec(ctx, s); err != nil {
			return citusError(err)
		}
	}
	return nil
}

// citusStagedAppend says an append into the existing target info goes
// through a staging table colocated with it: a Citus table with a
// primary key, so that a key value the table holds already can be found
// among the staged rows, numbered, and its CSV line named (the COPY
// into a distributed table reports neither the row nor the SQLSTATE).
// The INSERT from the staging table runs on the shards.
func (r *loadRun) citusStagedAppend(info *tableInfo) bool {
	return r.plan.dist != nil && info.PrimaryKey != ""
}

// citusSequenced adds to a staging table's column definitions and COPY
// columns the row number (seqColumn) when the target is a Citus table,
// and remembers the table in r.seqStage.
func (r *loadRun) citusSequenced(qstage string, defs []string, cols []copyColumn) ([]string, []copyColumn) {
	if r.plan.dist == nil || fieldIndexByName(r.job.Table, seqColumn) >= 0 {
		return defs, cols
	}
	r.seqStage = qstage
	return append(defs, schema.Quote(seqColumn)+" bigint NOT NULL"),
		append(cols, copyColumn{Name: seqColumn, Src: -1, OID: oidInt8, Seq: true})
}

// findDuplicateCitus is findDuplicate on a Citus table, whose ctid order
// is each shard's: the rows are numbered by seqColumn when table is the
// staging table r.seqStage, else only the value and its count are
// found. A value the export holds once but the target already (an
// append) is looked for too: the first staged row whose key the target
// has.
func (r *loadRun) findDuplicateCitus(ctx context.Context, table string, cols []string, ke *KeyError) error {
	q, on, notNull, text := duplicateParts(cols)
	list := strings.Join(q, ", ")
	seq := table == r.seqStage
	order := list
	if seq {
		order = "min(" + schema.Quote(seqColumn) + ")"
	}
	var count int64
	vals := make([]string, len(cols))
	dst := []any{&count}
	for k := range vals {
		dst = append(dst, &vals[k])
	}
	err := r.tx.QueryRow(ctx, "SELECT count(*), "+strings.Join(text, ", ")+" FROM "+table+" d WHERE "+strings.Join(notNull, " AND ")+
		" GROUP BY "+list+" HAVING count(*) > 1 ORDER BY "+order+" LIMIT 1").Scan(dst...)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if found {
		ke.Value, ke.Count, ke.Repeat = keyValue(vals), count, RepeatInExport
	}
	if !seq {
		return nil
	}
	var where string
	if found {
		var eq []string
		for k, c := range q {
			eq = append(eq, fmt.Sprintf("d.%s::text = $%d", c, k+1))
		}
		where = strings.Join(eq, " AND ")
	} else if ke.Repeat != RepeatInExport {
		// The target holds it: the first staged row whose key it has.
		where = "EXISTS (SELECT 1 FROM " + r.qtarget + " t WHERE " + strings.Join(on, " AND ") + ")"
	} else {
		return nil
	}
	args := make([]any, 0, len(vals))
	if found {
		for _, v := range vals {
			args = append(args, v)
		}
	}
	rows, err := r.tx.Query(ctx, "SELECT "+schema.Quote(seqColumn)+", "+strings.Join(text, ", ")+" FROM "+table+" d WHERE "+where+
		" ORDER BY 1 LIMIT 2", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var nums []int64
	for rows.Next() {
		var n int64
		v := make([]string, len(cols))
		dst := []any{&n}
		for k := range v {
			dst = append(dst, &v[k])
		}
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		nums = append(nums, n)
		if !found {
			ke.Value, ke.Repeat = keyValue(v), RepeatInTable
			break
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	ke.Rows = nums
	ke.Lines = make([]int64, len(nums))
	for k, n := range nums {
		ke.Lines[k] = r.lines.line(n)
	}
	return nil
}

// mergeWriter is the merge mechanism of the load: the server's (see
// Loader.mergeWriter), but for a Citus reference table, which MERGE
// refuses as its target: [referenceMerge].
func (r *loadRun) mergeWriter() mergeWriter {
	if r.plan.dist != nil && r.plan.dist.kind == DistributionReference {
		return referenceMerge{}
	}
	return r.l.mergeWriter()
}

// referenceMerge is the merge into a Citus reference table: an UPDATE of
// the rows whose key the staged rows have, then an INSERT of the staged
// rows whose key the table does not have, under the key savepoint (Citus
// runs neither MERGE into a reference table nor data-modifying CTEs). The
// UPDATE changes no key, so the INSERT finds the same keys MERGE would.
type referenceMerge struct{}

func (referenceMerge) write(ctx context.Context, r *loadRun, m mergeStatement) (int64, error) {
	if _, err := r.tx.Exec(ctx, "SAVEPOINT "+keySavepoint); err != nil {
		return 0, err
	}
	var n int64
	if len(m.set) > 0 {
		tag, err := r.tx.Exec(ctx, "UPDATE "+m.target+" t SET "+strings.Join(m.set, ", ")+" FROM "+m.source+" s WHERE "+m.on)
		if err != nil {
			return 0, citusError(err)
		}
		n += tag.RowsAffected()
	}
	tag, err := r.tx.Exec(ctx, "INSERT INTO "+m.target+" ("+strings.Join(m.names, ", ")+") SELECT "+strings.Join(m.values, ", ")+
		" FROM "+m.source+" s WHERE NOT EXISTS (SELECT 1 FROM "+m.target+" t WHERE "+m.on+")")
	if err != nil {
		return 0, citusError(err)
	}
	n += tag.RowsAffected()
	if _, err := r.tx.Exec(ctx, "RELEASE SAVEPOINT "+keySavepoint); err != nil {
		return 0, err
	}
	return n, nil
}

// execKeep runs keep, the CREATE TABLE qkeep AS SELECT that sets a
// refill's key and user's columns aside; on Citus it creates qkeep
// empty, distributes it like the target and fills it with an INSERT that
// runs on the shards (a local qkeep would be out of the workers' reach).
func (r *loadRun) execKeep(ctx context.Context, keep, qkeep string) error {
	if r.plan.dist == nil {
		_, err := r.tx.Exec(ctx, keep)
		return err
	}
	create, query, ok := strings.Cut(keep, " AS SELECT ")
	if !ok {
		return fmt.Errorf("unexpected statement %q", keep)
	}
	if _, err := r.tx.Exec(ctx, create+" AS SELECT "+query+" WITH NO DATA"); err != nil {
		return err
	}
	if err := r.distributeLike(ctx, qkeep); err != nil {
		return err
	}
	_, err := r.tx.Exec(ctx, "INSERT INTO "+qkeep+" SELECT "+query)
	return citusError(err)
}

// citusAnalyzed says the load's ANALYZE is left out: the table is a
// Citus table, whose statistics are its shards', on the workers, where
// autovacuum analyzes the new rows after the commit (they count as
// changes there as anywhere). The coordinator's ANALYZE of a distributed
// table visits its shards one after the other at the session's full
// statistics target (the quick target does not reach the workers):
// 2.9 s of a 1M-row replace with 32 shards, as long as the rest of the
// publish.
func (r *loadRun) citusAnalyzed() bool { return r.plan.dist != nil }

// citusSequential puts the load's transaction in Citus's sequential mode
// (one connection per worker) when the target has a foreign key, before
// anything runs on the shards: Citus adds a foreign key to a reference
// table (to the staging table of a swap) only over the connections that
// wrote the shards, and refuses it after a parallel COPY ("cannot modify
// table ... because there was a parallel operation on a distributed
// table in the transaction"). The COPY is then slower, for such tables
// only.
func (r *loadRun) citusSequential(ctx context.Context, deps *dependents) error {
	if r.plan.dist == nil || r.plan.dist.kind != DistributionHash {
		return nil
	}
	for _, c := range deps.Constraints {
		if c.Type == "f" {
			if _, err := r.tx.Exec(ctx, "SELECT set_config('citus.multi_shard_modify_mode', 'sequential', true)"); err != nil {
				return fmt.Errorf("configure the session: %w", err)
			}
			return nil
		}
	}
	return nil
}
