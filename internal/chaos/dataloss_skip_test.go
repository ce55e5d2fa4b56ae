//go:build chaos

package chaos

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// TestDataLossSkip loads a file again with corrected settings, and
// appends a file again after a replace: each must be loaded, not skipped
// as "already published" on the file's digest (which kept the wrong rows,
// or lost the append's rows). The table is compared with the reference
// under the settings of the last load; what differs is counted as rows
// lost and duplicated. A load repeating one with the same settings must be
// skipped, saying which load it repeats.
func TestDataLossSkip(t *testing.T) {
	c := customerData(t)

	t.Run("zone", func(t *testing.T) {
		sc := newScn(t, kindSurvive, "reload: same file, --source-timezone added")
		sc.expectOK(sc.loadFile(c, c.v1zip))
		sc.expectVersion(c.refV1)
		const zone = "Europe/Berlin"
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		r := sc.loadFile(c, c.v1zip, "--source-timezone", zone)
		sc.expectOK(r)
		sc.expectMessage(r, "loaded")
		sc.expectVersion(refInZone(t, "customers v1 in "+zone, c, loc))
		r = sc.loadFile(c, c.v1zip, "--source-timezone", zone)
		sc.expectOK(r)
		sc.expectMessage(r, "skipped", "already loaded from the same file with the same settings")
		sc.expectNoDebris()
	})

	t.Run("metadata", func(t *testing.T) {
		sc := newScn(t, kindSurvive, "reload: same file, corrected column metadata")
		// The wrong metadata types website_id as text.
		wrong := c.colsList
		wrong = append([]schema.Column(nil), wrong...)
		for i := range wrong {
			if wrong[i].Name == "website_id" {
				wrong[i].Type = "varchar(255)"
			}
		}
		sc.expectOK(sc.run(sc.env(nil), "load-file", "--progress", "plain", "--table", "customers",
			"--columns", writeColumns(t, sc.dir, "wrong.columns.json", wrong), c.v1zip))
		r := sc.loadFile(c, c.v1zip)
		sc.expectOK(r)
		sc.expectVersion(c.refV1)
		sc.expectNoDebris()
	})

	t.Run("append", func(t *testing.T) {
		sc := newScn(t, kindSurvive, "append, replace --force, append the first file again")
		// Without a primary key, so that appending a version twice is
		// possible (and a duplicate would show as rows, not as an error).
		var cols []schema.Column
		for _, col := range c.colsList {
			col.IsPrimaryKey = false
			cols = append(cols, col)
		}
		colsFile := writeColumns(t, sc.dir, "nopk.columns.json", cols)
		load := func(path string, extra ...string) result {
			args := append([]string{"load-file", "--progress", "plain", "--table", "customers", "--columns", colsFile}, extra...)
			return sc.run(sc.env(nil), append(args, path)...)
		}
		sc.expectOK(load(c.v1zip, "--mode", "append"))
		sc.expectOK(load(c.v2zip, "--mode", "replace", "--force"))
		r := load(c.v1zip, "--mode", "append")
		sc.expectOK(r)
		want := st.fromFiles(t, "customers v2 then v1", []fileTable{{source: "customers", cols: cols, csv: c.v2, target: "customers"}})
		appendRef(t, want, c.v1)
		sc.expectTables(want)
		r = load(c.v1zip, "--mode", "append")
		sc.expectOK(r)
		sc.expectMessage(r, "skipped", "already loaded (append) from the same file with the same settings")
		sc.expectTables(want)
		sc.expectNoDebris()
	})
}

// writeColumns writes column metadata as the API serves it.
func writeColumns(t testing.TB, dir, name string, cols []schema.Column) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"columns": cols})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// refInZone is the reference of customers v1 loaded with the account's
// time zone loc: datetimes become instants, read by PostgreSQL's COPY in
// that zone.
func refInZone(t testing.TB, name string, c *customers, loc *time.Location) *version {
	t.Helper()
	ctx, cancel := withTimeout(5 * time.Minute)
	defer cancel()
	tbl, err := schema.NewTable("", "customers", c.colsList, schema.Options{SourceTimezone: loc})
	if err != nil {
		t.Fatal(err)
	}
	v := &version{name: name, schema: "ref_z_" + randomHex(4)}
	st.mustExec(t, ctx, "CREATE SCHEMA "+schema.Quote(v.schema))
	st.mustExec(t, ctx, tbl.CreateTableSQL(v.schema, "t1"))
	ref := schema.Quote(v.schema, "t1")
	conn, err := st.db.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT set_config('TimeZone', $1, false)", loc.String()); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "RESET TimeZone")
	in, err := os.Open(c.v1)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	tag, err := conn.Conn().PgConn().CopyFrom(ctx, in, "COPY "+ref+" FROM STDIN (FORMAT csv, HEADER true)")
	if err != nil {
		t.Fatalf("reference COPY in %s: %v", loc, err)
	}
	v.tables = []refTable{{source: "customers", target: "customers", ref: ref, rows: tag.RowsAffected()}}
	return v
}

// appendRef appends a CSV file's rows to v's single reference table.
func appendRef(t testing.TB, v *version, csv string) {
	t.Helper()
	ctx, cancel := withTimeout(5 * time.Minute)
	defer cancel()
	n, err := st.copyCSV(ctx, v.tables[0].ref, func(w io.Writer) error {
		in, err := os.Open(csv)
		if err != nil {
			return err
		}
		defer in.Close()
		_, err = io.Copy(w, in)
		return err
	})
	if err != nil {
		t.Fatalf("reference COPY of %s: %v", csv, err)
	}
	v.tables[0].rows += n
}

// expectTables is expectVersion without the ledger's row counts (which
// hold for a table a replace loaded last, not for one appended to).
func (sc *scn) expectTables(v *version) {
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
}
