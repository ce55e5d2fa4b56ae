//go:build chaos

package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// statusTables are Magento's sales_order_status and
// sales_order_status_history: a snapshot of the first appends to
// <table>_history, the second's name. Every column is nullable, as the
// vendor serves them, so nothing but the naming stops rows going astray.
var statusTables = []struct {
	name string
	cols []schema.Column
	csv  string
}{
	{"sales_order_status", []schema.Column{{Name: "status", Type: "varchar(32)"}, {Name: "label", Type: "varchar(128)"}},
		"status,label\npending,Pending\nprocessing,Processing\ncomplete,Complete\ncanceled,Canceled\n"},
	{"sales_order_status_history", []schema.Column{{Name: "entity_id", Type: "int(10)"}, {Name: "parent_id", Type: "int(10)"},
		{Name: "comment", Type: "text"}, {Name: "status", Type: "varchar(32)"}},
		"entity_id,parent_id,comment,status\n1,100,placed,pending\n2,100,,processing\n3,100,shipped,complete\n" +
			"4,101,placed,pending\n5,101,\"changed \"\"mind\"\"\",canceled\n6,102,placed,pending\n"},
}

// TestSnapshotBesideHistoryTable is issue 11's first item: with both
// sales_order_status and sales_order_status_history in the warehouse, a
// snapshot of the first must not write the second (before, it appended
// its rows there, adding its columns, and the next replace of the second
// took them away: exit 0 both times). Sync gives the snapshot a free name;
// a load-file, which has no table list, is refused by the ledger. Rows
// lost: the second table's or the snapshot's rows that are not where they
// belong after each run; rows duplicated: rows that are where they do not.
func TestSnapshotBesideHistoryTable(t *testing.T) {
	base := newBase(t)
	dir, v := writeStatusTables(t, base)
	s := base.startSim(simArgs{dirs: []string{dir}})
	status, history := v.table("sales_order_status"), v.table("sales_order_status_history")

	t.Run("sync", func(t *testing.T) {
		sc := base.sub(t, kindSurvive, "snapshot of a table beside one named <table>_history")
		sc.expectOK(sc.sync(s))
		sc.expectVersion(v)
		sc.expectOK(sc.sync(s, "--mode", "snapshot", "--tables", "sales_order_status"))
		sc.expectVersion(v)
		// LoadDir numbers the tables by name: sales_order_status is 1.
		snaps := schema.Quote(sc.schema, "sales_order_status_history_1")
		sc.expectSnapshot(snaps, status, 1)
		sc.expectOK(sc.sync(s, "--tables", "sales_order_status_history"))
		sc.expectVersion(v)
		sc.expectSnapshot(snaps, status, 1)
		sc.expectNoDebris()
		sc.expectNoTempFiles()
	})

	t.Run("load-file", func(t *testing.T) {
		sc := base.sub(t, kindFailSafe, "snapshot load-file into another table's name")
		sc.expectOK(sc.sync(s, "--tables", "sales_order_status_history"))
		cols := filepath.Join(dir, "sales_order_status.columns.json")
		r := sc.run(sc.env(nil), "load-file", "--table", "sales_order_status", "--columns", cols,
			"--mode", "snapshot", "--progress", "plain", filepath.Join(dir, "sales_order_status.csv"))
		sc.expectFailure(r, "sales_order_status_history", "snapshot")
		ctx, cancel := withTimeout(time.Minute)
		defer cancel()
		c := st.compare(ctx, schema.Quote(sc.schema, history.target), history.ref)
		sc.fig.lost += c.lost
		sc.fig.dup += c.dup
		if !c.equal() {
			sc.t.Errorf("table %s after the refused snapshot: got %v, want it as published", history.target, c)
		}
		sc.expectNoDebris()
		sc.expectNoTempFiles()
	})
}

// TestForcedSnapshotOnce is issue 11's seventh item: a snapshot of one
// export, then the same export again with --force, twice (sync reusing
// the export): the history table must hold that export once. Before, each
// forced run appended another copy (rows duplicated).
func TestForcedSnapshotOnce(t *testing.T) {
	sc := newScn(t, kindSurvive, "forced snapshot of an export already in the history")
	dir, v := writeStatusTables(t, sc)
	s := sc.startSim(simArgs{dirs: []string{dir}})
	args := []string{"--mode", "snapshot", "--tables", "sales_order_status", "--reuse-exports", "1h"}
	sc.expectOK(sc.sync(s, args...))
	for range 2 {
		sc.expectOK(sc.sync(s, append(args, "--force")...))
	}
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	var exports int
	var target string
	if err := st.db.QueryRow(ctx, "SELECT count(DISTINCT export_id), min(target_table) FROM "+schema.Quote(sc.ledger, "loads")+
		" WHERE status = 'loaded'").Scan(&exports, &target); err != nil || exports != 1 {
		t.Fatalf("exports loaded: got %d (err %v), want the one export reused", exports, err)
	}
	sc.expectSnapshot(schema.Quote(sc.schema, target), v.table("sales_order_status"), 1)
	sc.expectNoDebris()
	sc.expectNoTempFiles()
}

// writeStatusTables writes statusTables (CSV and column metadata) into a
// directory of the scenario for `mbiload simulate --dir`, and returns it
// with the reference of its tables.
func writeStatusTables(t *testing.T, sc *scn) (string, *version) {
	t.Helper()
	dir := filepath.Join(sc.dir, "warehouse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var files []fileTable
	for _, tb := range statusTables {
		meta, err := schema.MarshalColumns(tb.cols)
		if err != nil {
			t.Fatal(err)
		}
		for path, data := range map[string]string{
			filepath.Join(dir, tb.name+".csv"): tb.csv, filepath.Join(dir, tb.name+".columns.json"): string(meta),
		} {
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		files = append(files, fileTable{source: tb.name, cols: tb.cols, csv: filepath.Join(dir, tb.name+".csv"), target: tb.name})
	}
	return dir, st.fromFiles(t, "sales_order_status and sales_order_status_history", files)
}

// expectSnapshot checks that the history table target holds the rows of
// rt exactly exports times (its own columns, without the export id and
// time), counting the difference as rows lost and duplicated.
func (sc *scn) expectSnapshot(target string, rt *refTable, exports int) {
	sc.t.Helper()
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	var exists bool
	if err := st.db.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", target).Scan(&exists); err != nil || !exists {
		sc.fig.lost += rt.rows * int64(exports)
		sc.t.Errorf("history table %s: missing (err %v), want %d snapshot(s) of %s", target, err, exports, rt.source)
		return
	}
	var cols []string
	rows, err := st.db.Query(ctx, `SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = $1::regclass
AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, rt.ref)
	if err == nil {
		for rows.Next() {
			var c string
			if err = rows.Scan(&c); err != nil {
				break
			}
			cols = append(cols, c)
		}
		rows.Close()
	}
	if err != nil {
		sc.t.Fatalf("columns of %s: %v", rt.ref, err)
	}
	list := strings.Join(cols, ", ")
	want := fmt.Sprintf("SELECT %s FROM %s, generate_series(1, %d)", list, rt.ref, exports)
	var lost, dup int64
	sql := "SELECT (SELECT count(*) FROM (" + want + " EXCEPT ALL SELECT " + list + " FROM " + target + ") a), " +
		"(SELECT count(*) FROM (SELECT " + list + " FROM " + target + " EXCEPT ALL " + want + ") b)"
	if err := st.db.QueryRow(ctx, sql).Scan(&lost, &dup); err != nil {
		sc.fig.lost += rt.rows * int64(exports)
		sc.t.Errorf("compare history table %s with %s: %v", target, rt.ref, err)
		return
	}
	sc.fig.lost += lost
	sc.fig.dup += dup
	if lost != 0 || dup != 0 {
		sc.t.Errorf("history table %s: %d rows lost, %d rows duplicated against %d snapshot(s) of %s", target, lost, dup, exports, rt.source)
	}
}
