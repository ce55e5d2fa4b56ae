package load

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// Citus (see the package doc) keeps a distributed target so: every table
// a load builds next to it is distributed the same way and colocated with
// it, so the COPY runs on the workers in parallel and every statement
// joining it with the target is pushed down to the shards. The kinds of
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
// swap's staging table would not be one, so it is refilled in place; it
// stays out of r.plan.dist (its statements are the plain ones).
const citusLocal = "citus local"

// String is what messages and plans show: `distributed by "entity_id"`.
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
