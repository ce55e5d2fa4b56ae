//go:build chaos

package chaos

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/internal/simulator/magentogen"
	"github.com/mbiload/mbiload/schema"
)

// version is one state of a warehouse's data as the oracle expects it: a
// reference table per source table, loaded by PostgreSQL's own CSV COPY
// from the same CSV into a table of the same DDL.
type version struct {
	name   string // for messages
	schema string // the reference schema
	tables []refTable
}

// refTable is one table of a version.
type refTable struct {
	source string // the source table's name
	target string // the target table's name (unquoted) in a scenario's schema
	ref    string // the reference table, quoted and qualified
	rows   int64
}

// table returns the version's table of a source name, or nil.
func (v *version) table(source string) *refTable {
	for i := range v.tables {
		if v.tables[i].source == source {
			return &v.tables[i]
		}
	}
	return nil
}

// generated returns the reference of magentogen's warehouse at a scale and
// seed (what `mbiload simulate --scale N --seed S` serves), building it on
// first use.
func (s *suite) generated(t testing.TB, scale, seed int64) *version {
	t.Helper()
	key := fmt.Sprintf("g%d_%d", scale, seed)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.refs[key]; v != nil {
		return v
	}
	ctx, cancel := withTimeout(5 * time.Minute)
	defer cancel()
	v := &version{name: fmt.Sprintf("generated warehouse (scale %d, seed %d)", scale, seed), schema: "ref_" + key}
	s.mustExec(t, ctx, "CREATE SCHEMA "+schema.Quote(v.schema))
	for _, g := range magentogen.Warehouse(scale, seed) {
		tbl, err := schema.NewTable(g.ID, g.Name, g.Columns, schema.Options{})
		if err != nil {
			t.Fatalf("resolve %s: %v", g.Name, err)
		}
		ref := schema.Quote(v.schema, tbl.Name)
		s.mustExec(t, ctx, tbl.CreateTableSQL(v.schema, tbl.Name))
		n, err := s.copyCSV(ctx, ref, func(w io.Writer) error { return g.WriteCSV(ctx, w) })
		if err != nil {
			t.Fatalf("reference COPY of %s: %v", g.Name, err)
		}
		if n != g.Rows {
			t.Fatalf("reference %s: COPY loaded %d rows, want %d", g.Name, n, g.Rows)
		}
		v.tables = append(v.tables, refTable{source: g.Name, target: tbl.Name, ref: ref, rows: n})
	}
	s.refs[key] = v
	return v
}

// fileTable is a source table served or loaded from a CSV file.
type fileTable struct {
	source string
	cols   []schema.Column
	csv    string // the CSV file (header row first)
	target string // the expected target name, "" when found by comment
}

// fromFiles builds the reference of tables read from CSV files, named by
// the mapping options (the defaults when none are given).
func (s *suite) fromFiles(t testing.TB, name string, files []fileTable, opts ...schema.Options) *version {
	t.Helper()
	ctx, cancel := withTimeout(5 * time.Minute)
	defer cancel()
	v := &version{name: name, schema: "ref_f_" + randomHex(4)}
	s.mustExec(t, ctx, "CREATE SCHEMA "+schema.Quote(v.schema))
	for i, f := range files {
		var o schema.Options
		if len(opts) > 0 {
			o = opts[0]
		}
		tbl, err := schema.NewTable("", f.source, f.cols, o)
		if err != nil {
			t.Fatalf("resolve %q: %v", f.source, err)
		}
		refName := fmt.Sprintf("t%d", i+1)
		ref := schema.Quote(v.schema, refName)
		s.mustExec(t, ctx, tbl.CreateTableSQL(v.schema, refName))
		n, err := s.copyCSV(ctx, ref, func(w io.Writer) error {
			in, err := os.Open(f.csv)
			if err != nil {
				return err
			}
			defer in.Close()
			_, err = io.Copy(w, in)
			return err
		})
		if err != nil {
			t.Fatalf("reference COPY of %s: %v", f.csv, err)
		}
		v.tables = append(v.tables, refTable{source: f.source, target: f.target, ref: ref, rows: n})
	}
	return v
}

// copyCSV loads CSV (with a header row) written by write into table with
// PostgreSQL's own COPY, and returns the rows loaded.
func (s *suite) copyCSV(ctx context.Context, table string, write func(io.Writer) error) (int64, error) {
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	tag, err := conn.Conn().PgConn().CopyFrom(ctx, pr, "COPY "+table+" FROM STDIN (FORMAT csv, HEADER true)")
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (s *suite) mustExec(t testing.TB, ctx context.Context, sql string, args ...any) {
	t.Helper()
	if _, err := s.db.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", firstLine(sql), err)
	}
}

// cmp is a target table compared with its reference.
type cmp struct {
	exists    bool
	lost, dup int64 // rows of the reference missing from the target, and extra rows in the target
	err       error // the columns differ, or the comparison failed
}

func (c cmp) equal() bool { return c.exists && c.err == nil && c.lost == 0 && c.dup == 0 }

func (c cmp) String() string {
	switch {
	case !c.exists:
		return "missing"
	case c.err != nil:
		return c.err.Error()
	}
	return fmt.Sprintf("%d rows lost, %d rows duplicated", c.lost, c.dup)
}

// compare compares target (quoted, qualified) with ref: same columns
// (names and types, in order), and EXCEPT ALL empty both ways.
func (s *suite) compare(ctx context.Context, target, ref string) cmp {
	var exists bool
	if err := s.db.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", target).Scan(&exists); err != nil {
		return cmp{exists: true, err: fmt.Errorf("look up %s: %w", target, err)}
	}
	if !exists {
		return cmp{}
	}
	const colsSQL = `SELECT coalesce(string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum), '')
FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`
	var got, want string
	if err := s.db.QueryRow(ctx, colsSQL, target).Scan(&got); err != nil {
		return cmp{exists: true, err: fmt.Errorf("columns of %s: %w", target, err)}
	}
	if err := s.db.QueryRow(ctx, colsSQL, ref).Scan(&want); err != nil {
		return cmp{exists: true, err: fmt.Errorf("columns of %s: %w", ref, err)}
	}
	c := cmp{exists: true}
	if got != want {
		c.err = fmt.Errorf("columns differ: got (%s), want (%s)", got, want)
		s.db.QueryRow(ctx, "SELECT (SELECT count(*) FROM "+ref+"), (SELECT count(*) FROM "+target+")").Scan(&c.lost, &c.dup)
		return c
	}
	sql := "SELECT (SELECT count(*) FROM (TABLE " + ref + " EXCEPT ALL TABLE " + target + ") a), " +
		"(SELECT count(*) FROM (TABLE " + target + " EXCEPT ALL TABLE " + ref + ") b)"
	if err := s.db.QueryRow(ctx, sql).Scan(&c.lost, &c.dup); err != nil {
		c.err = fmt.Errorf("compare %s with %s: %w", target, ref, err)
	}
	return c
}

// target is the quoted name of a reference table's target in the scenario.
func (sc *scn) target(rt *refTable) string {
	if rt.target != "" {
		return schema.Quote(sc.schema, rt.target)
	}
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	var name string
	err := st.db.QueryRow(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND obj_description(c.oid, 'pg_class') = $2`, sc.schema, rt.source).Scan(&name)
	if err != nil {
		return schema.Quote(sc.schema, "(no table commented "+rt.source+")")
	}
	return schema.Quote(sc.schema, name)
}

// expectVersion checks that every table of v is published in the scenario's
// schema exactly, adding what differs to the rows lost and duplicated.
func (sc *scn) expectVersion(v *version) {
	sc.t.Helper()
	ctx, cancel := withTimeout(2 * time.Minute)
	defer cancel()
	for i := range v.tables {
		rt := &v.tables[i]
		target := sc.target(rt)
		c := st.compare(ctx, target, rt.ref)
		if !c.exists {
			c.lost = rt.rows
		}
		sc.fig.lost += c.lost
		sc.fig.dup += c.dup
		if !c.equal() {
			sc.t.Errorf("table %s: got %v, want exactly %s", target, c, v.name)
		}
	}
	sc.expectLedgerCounts(ctx)
}

// publish makes a clean run of magentogen's warehouse at scale and seed on
// a simulator of its own, expects it to publish that version exactly, and
// returns the version.
func (sc *scn) publish(scale, seed int64) *version {
	sc.t.Helper()
	v := st.generated(sc.t, scale, seed)
	s := sc.startSim(simArgs{scale: scale, seed: seed})
	sc.expectOK(sc.sync(s))
	sc.expectVersion(v)
	s.stop()
	return v
}

// expectPrevOrNew checks, after a run that failed or was cut, that every
// table equals either prev (nil: nothing published before, so absent) or
// next. A table equal to neither is half-visible. It returns how many
// tables hold next.
func (sc *scn) expectPrevOrNew(prev, next *version) (atNext int) {
	sc.t.Helper()
	ctx, cancel := withTimeout(2 * time.Minute)
	defer cancel()
	for i := range next.tables {
		rn := &next.tables[i]
		target := sc.target(rn)
		cn := st.compare(ctx, target, rn.ref)
		if cn.equal() {
			atNext++
			continue
		}
		if prev == nil {
			if cn.exists {
				sc.fig.half++
				sc.fig.lost += cn.lost
				sc.fig.dup += cn.dup
				sc.t.Errorf("table %s: half-visible: not published before, and against %s: %v", target, next.name, cn)
			}
			continue
		}
		rp := prev.table(rn.source)
		cp := st.compare(ctx, target, rp.ref)
		if cp.equal() {
			continue
		}
		if !cp.exists {
			cp.lost = rp.rows
			sc.t.Errorf("table %s: the previously published table is gone", target)
		} else {
			sc.fig.half++
			sc.t.Errorf("table %s: half-visible: against the previous %s: %v; against the new %s: %v", target, prev.name, cp, next.name, cn)
		}
		sc.fig.lost += cp.lost
		sc.fig.dup += cp.dup
	}
	sc.expectLedgerCounts(ctx)
	return atNext
}

// expectLedgerCounts checks that the ledger's latest successful load of
// each target table counts the rows the table holds (the ledger row is
// written in the publishing transaction).
func (sc *scn) expectLedgerCounts(ctx context.Context) {
	sc.t.Helper()
	var exists bool
	if err := st.db.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", schema.Quote(sc.ledger, "loads")).Scan(&exists); err != nil || !exists {
		return
	}
	rows, err := st.db.Query(ctx, `SELECT DISTINCT ON (target_table) target_table, rows_loaded FROM `+schema.Quote(sc.ledger, "loads")+`
WHERE target_schema = $1 AND status = 'loaded' AND mode = 'replace' ORDER BY target_table, id DESC`, sc.schema)
	if err != nil {
		sc.t.Errorf("read ledger: %v", err)
		return
	}
	type entry struct {
		table string
		rows  int64
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (entry, error) {
		var e entry
		return e, r.Scan(&e.table, &e.rows)
	})
	if err != nil {
		sc.t.Errorf("read ledger: %v", err)
		return
	}
	for _, e := range entries {
		var n int64
		if err := st.db.QueryRow(ctx, "SELECT count(*) FROM "+schema.Quote(sc.schema, e.table)).Scan(&n); err != nil {
			sc.t.Errorf("ledger names %s.%s, which cannot be read: %v", sc.schema, e.table, err)
			continue
		}
		if n != e.rows {
			sc.t.Errorf("table %s.%s: got %d rows, the ledger's latest load says %d", sc.schema, e.table, n, e.rows)
		}
	}
}

// expectNoDebris counts staging tables left in the ledger schema and
// renamed-away tables left in the target schema as half-visible.
func (sc *scn) expectNoDebris() {
	sc.t.Helper()
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	rows, err := st.db.Query(ctx, `SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'u', 'v', 'm', 'f')
  AND ((n.nspname = $1 AND c.relname NOT IN ('loads', 'rejects'))
    OR (n.nspname = $2 AND (c.relname LIKE 'mbiload\_old\_%' OR c.relname LIKE 'stage\_%')))
ORDER BY 1`, sc.ledger, sc.schema)
	if err != nil {
		sc.t.Errorf("list debris: %v", err)
		return
	}
	debris, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		sc.t.Errorf("list debris: %v", err)
		return
	}
	if len(debris) > 0 {
		sc.fig.half += int64(len(debris))
		sc.t.Errorf("staging debris: got %v, want none", debris)
	}
}

// waitIdle waits until no mbiload session is left on the server (a killed
// client's backend may still be finishing its statement).
func (sc *scn) waitIdle() {
	sc.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := withTimeout(10 * time.Second)
		var n int
		err := st.db.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'mbiload%'").Scan(&n)
		cancel()
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			sc.t.Errorf("mbiload sessions still on the server after 60s (n=%d, err=%v)", n, err)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
