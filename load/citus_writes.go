package load

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/schema"
)

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
// through a colocated staging table: a Citus table with a primary key, so
// that a duplicate key can be found among the numbered staged rows and
// its CSV line named (the COPY into a distributed table reports neither
// the row nor the SQLSTATE).
func (r *loadRun) citusStagedAppend(info *tableInfo) bool {
	return r.plan.dist != nil && info.PrimaryKey != ""
}

// citusSequenced adds the row number (seqColumn) to a staging table of a
// Citus target, and remembers the table in r.seqStage.
func (r *loadRun) citusSequenced(qstage string, defs []string, cols []copyColumn) ([]string, []copyColumn) {
	if r.plan.dist == nil || fieldIndexByName(r.job.Table, seqColumn) >= 0 {
		return defs, cols
	}
	r.seqStage = qstage
	return append(defs, schema.Quote(seqColumn)+" bigint NOT NULL"),
		append(cols, copyColumn{Name: seqColumn, Src: -1, OID: oidInt8, Seq: true})
}

// findDuplicateCitus is findDuplicate on a Citus table, whose ctid order
// is each shard's: the rows are numbered by seqColumn in r.seqStage, else
// only the value and its count are found. In r.seqStage, a value the
// target holds already (an append) is looked for too.
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
	err := r.tx.QueryRow(ctx, "SELECT count(*), "+strings.Join(text, ", ")+" FROM "+table+" d WHERE "+strings.Join(notNull, " AND ")+
		" GROUP BY "+list+" HAVING count(*) > 1 ORDER BY "+order+" LIMIT 1").Scan(textDst(vals, &count)...)
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
		if err := rows.Scan(textDst(v, &n)...); err != nil {
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

// mergeWriter is the server's merge mechanism (see Loader.mergeWriter),
// but for a Citus reference table, which MERGE refuses as its target.
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

// execKeep runs keep, the CREATE TABLE qkeep AS SELECT of keepAside; on
// Citus it creates qkeep empty, distributes it like the target and fills
// it on the shards (a local qkeep would be out of the workers' reach).
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
