// Package citustest connects tests to the real Citus cluster (a coordinator
// and two workers) that `make test` starts with scripts/citus.sh, and reads
// what a test checks on it: how a table is distributed, its rows per
// shard, the prepared transactions left on every node.
//
// The coordinator's URL comes from MBILOAD_TEST_CITUS_URL. As for the plain
// database tests (internal/pgtest), a missing URL fails the test under
// MBILOAD_REQUIRE_DB=1 (make test, CI): a Citus test never skips there.
// Each test takes its own schemas with pgtest.Schema on the cluster's pool.
package citustest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mbiload/mbiload/internal/pgtest"
)

// EnvURL holds the Citus coordinator's connection string.
const EnvURL = "MBILOAD_TEST_CITUS_URL"

// URL returns the coordinator's URL, or skips (fails under
// pgtest.EnvRequire) when none is configured.
func URL(t testing.TB) string {
	t.Helper()
	return pgtest.RequiredEnv(t, EnvURL, "the Citus tests must run (make test starts a cluster with scripts/citus.sh)",
		"run make test, or scripts/citus.sh run -- go test ...")
}

// Pool returns a connection pool to the coordinator, closed when the test
// ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, URL(t))
	if err != nil {
		t.Fatalf("connect to the Citus coordinator: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND isactive").Scan(&n); err != nil {
		pool.Close()
		t.Fatalf("the Citus coordinator: %v", err)
	}
	if n < 3 {
		pool.Close()
		t.Fatalf("the Citus cluster has %d active nodes, want a coordinator and two workers", n)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Placement is how a table is spread over the cluster.
type Placement struct {
	// Kind is "distributed" (hash), "reference" or "" (a local table).
	Kind string
	// Column is the distribution column of a distributed table.
	Column string
	// Colocation is the colocation group's id (0 for a local table).
	Colocation int
	// Shards is the number of shards.
	Shards int
}

// TablePlacement reads how table (qualified, quoted as needed) is spread.
func TablePlacement(t testing.TB, pool *pgxpool.Pool, table string) Placement {
	t.Helper()
	var p Placement
	err := pool.QueryRow(context.Background(), `
SELECT CASE WHEN p.partmethod = 'h' THEN 'distributed' WHEN p.repmodel = 't' THEN 'reference' ELSE 'other' END,
       coalesce(column_to_column_name(p.logicalrelid, p.partkey), ''), p.colocationid,
       (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid)
FROM pg_dist_partition p WHERE p.logicalrelid = $1::regclass`, table).Scan(&p.Kind, &p.Column, &p.Colocation, &p.Shards)
	if err == pgx.ErrNoRows {
		return Placement{}
	}
	if err != nil {
		t.Fatalf("placement of %s: %v", table, err)
	}
	return p
}

// ShardRows returns the rows of each placement of table's shards, counted
// on the worker holding it ("shardid@node:port" → rows).
func ShardRows(t testing.TB, pool *pgxpool.Pool, table string) map[string]int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
SELECT shardid, nodename, nodeport, result, success
FROM run_command_on_placements($1::regclass, 'SELECT count(*) FROM %s') ORDER BY 1, 2, 3`, table)
	if err != nil {
		t.Fatalf("rows per shard of %s: %v", table, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var shard int64
		var node, result string
		var port int
		var ok bool
		if err := rows.Scan(&shard, &node, &port, &result, &ok); err != nil {
			t.Fatalf("rows per shard of %s: %v", table, err)
		}
		n, err := strconv.ParseInt(result, 10, 64)
		if !ok || err != nil {
			t.Fatalf("rows of shard %d of %s on %s:%d: %s", shard, table, node, port, result)
		}
		out[strconv.FormatInt(shard, 10)+"@"+node+":"+strconv.Itoa(port)] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows per shard of %s: %v", table, err)
	}
	return out
}

// PreparedTransactions returns the prepared transactions left on every
// node of the cluster ("node:port gid").
func PreparedTransactions(t testing.TB, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
SELECT n.nodename || ':' || n.nodeport || ' ' || r.result
FROM run_command_on_all_nodes($$SELECT coalesce(string_agg(gid, ','), '') FROM pg_prepared_xacts$$) r
     JOIN pg_dist_node n USING (nodeid)
WHERE r.result <> ''`)
	if err != nil {
		t.Fatalf("prepared transactions: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("prepared transactions: %v", err)
	}
	return out
}
