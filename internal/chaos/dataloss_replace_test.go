//go:build chaos

package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// TestReplaceOwnerColumn: the warehouse owner adds a column "note" to the
// customers table and fills it; the next replace (load-file of the next
// version) must keep every note of a customer still in the export (by the
// primary key), or — the metadata naming no key — fail naming the column
// and leave the table as it was. A note emptied is a row lost.
func TestReplaceOwnerColumn(t *testing.T) {
	c := customerData(t)
	for _, tc := range []struct {
		name, fault string
		keyless     bool
	}{
		{"primary_key", "replace over an owner's filled column (primary key)", false},
		{"no_key", "replace over an owner's filled column (no key: refused)", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScn(t, kindFailSafe, tc.fault)
			cols := c.cols
			if tc.keyless {
				cols = keylessColumns(t, c.cols, filepath.Join(sc.dir, "customers.columns.json"))
			}
			load := func(path string) result {
				return sc.run(sc.env(nil), "load-file", "--progress", "plain", "--table", "customers", "--columns", cols, path)
			}
			sc.expectOK(load(c.v1))
			ctx, cancel := withTimeout(2 * time.Minute)
			defer cancel()
			target := schema.Quote(sc.schema, "customers")
			st.mustExec(t, ctx, "ALTER TABLE "+target+" ADD COLUMN note text")
			st.mustExec(t, ctx, "UPDATE "+target+" SET note = 'note ' || entity_id")

			r := load(c.v2)
			refV1, refV2 := c.refV1.tables[0].ref, c.refV2.tables[0].ref
			if tc.keyless {
				sc.expectFailure(r, "customers", `"note"`, "key")
				sc.countExportDiff(ctx, target, refV1)
			} else {
				sc.expectOK(r)
				sc.expectMessage(r, "keeping the values", "note")
				sc.countExportDiff(ctx, target, refV2)
			}
			// The notes of the customers the table holds now that were in v1.
			var lost, wrong int64
			err := st.db.QueryRow(ctx, `SELECT
  count(*) FILTER (WHERE k.entity_id IS NOT NULL AND t.note IS DISTINCT FROM 'note ' || t.entity_id),
  count(*) FILTER (WHERE k.entity_id IS NULL AND t.note IS NOT NULL)
FROM `+target+` t LEFT JOIN (SELECT DISTINCT entity_id FROM `+refV1+`) k USING (entity_id)`).Scan(&lost, &wrong)
			if err != nil {
				t.Fatalf("count notes: %v", err)
			}
			sc.fig.lost += lost
			sc.fig.dup += wrong
			if lost+wrong > 0 {
				t.Errorf("owner's column: %d notes emptied or changed, %d new customers given a note", lost, wrong)
			}
			switch {
			case t.Failed(): // the figures say what went wrong
			case tc.keyless:
				sc.note("refused naming the column; the notes intact")
			default:
				sc.note("notes kept by key; new customers' notes NULL")
			}
			sc.expectNoDebris()
			sc.expectNoTempFiles()
		})
	}
}

// countExportDiff compares the export's columns of target with the
// reference ref (whose columns they are) and records what differs.
func (sc *scn) countExportDiff(ctx context.Context, target, ref string) {
	sc.t.Helper()
	var cols string
	if err := st.db.QueryRow(ctx, `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, ref).Scan(&cols); err != nil {
		sc.t.Fatalf("columns of %s: %v", ref, err)
	}
	var lost, dup int64
	err := st.db.QueryRow(ctx, "SELECT (SELECT count(*) FROM (SELECT "+cols+" FROM "+ref+" EXCEPT ALL SELECT "+cols+" FROM "+target+") a), "+
		"(SELECT count(*) FROM (SELECT "+cols+" FROM "+target+" EXCEPT ALL SELECT "+cols+" FROM "+ref+") b)").Scan(&lost, &dup)
	if err != nil {
		sc.t.Fatalf("compare %s with %s: %v", target, ref, err)
	}
	sc.fig.lost += lost
	sc.fig.dup += dup
	if lost+dup > 0 {
		sc.t.Errorf("table %s against %s: %d rows missing, %d extra", target, ref, lost, dup)
	}
}

// keylessColumns writes the column metadata src with no primary key to
// dst.
func keylessColumns(t *testing.T, src, dst string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("read %s: %v", src, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse %s: %v", src, err)
	}
	for _, c := range doc["columns"].([]any) {
		c.(map[string]any)["is_primary_key"] = false
	}
	out, err := json.Marshal(doc)
	if err == nil {
		err = os.WriteFile(dst, out, 0o644)
	}
	if err != nil {
		t.Fatalf("write %s: %v", dst, err)
	}
	return dst
}

// TestReplaceOldSnapshotReader: a report in a REPEATABLE READ or
// SERIALIZABLE transaction takes its snapshot (reading another table)
// before a replace and reads the customers table only after the replace
// committed. It must see one whole version — v1 or v2 — for a swap and for
// an in-place refill (the owner's trigger makes it one); rows of v1 it
// does not see, and no v2 either, are rows lost.
func TestReplaceOldSnapshotReader(t *testing.T) {
	c := customerData(t)
	for _, mech := range []string{"swap", "in-place"} {
		for _, iso := range []pgx.TxIsoLevel{pgx.RepeatableRead, pgx.Serializable} {
			t.Run(fmt.Sprintf("%s_%s", mech, iso), func(t *testing.T) {
				sc := newScn(t, kindFailSafe, fmt.Sprintf("%s reader across a replace (%s)", iso, mech))
				sc.expectOK(sc.loadFile(c, c.v1))
				ctx, cancel := withTimeout(2 * time.Minute)
				defer cancel()
				target := schema.Quote(sc.schema, "customers")
				if mech == "in-place" {
					fn := schema.Quote(sc.schema, "touch")
					st.mustExec(t, ctx, "CREATE FUNCTION "+fn+"() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$")
					st.mustExec(t, ctx, "CREATE TRIGGER touch BEFORE INSERT ON "+target+" FOR EACH ROW EXECUTE FUNCTION "+fn+"()")
				}
				reader, err := st.db.BeginTx(ctx, pgx.TxOptions{IsoLevel: iso, AccessMode: pgx.ReadOnly})
				if err != nil {
					t.Fatal(err)
				}
				defer reader.Rollback(ctx)
				if _, err := reader.Exec(ctx, "SELECT count(*) FROM "+schema.Quote(sc.ledger, "loads")); err != nil {
					t.Fatalf("reader snapshot: %v", err)
				}
				r := sc.loadFile(c, c.v2)
				sc.expectOK(r)
				sc.expectMessage(r, "mechanism="+mech)

				diff := func(ref string) (lost, dup int64) {
					err := reader.QueryRow(ctx, "SELECT (SELECT count(*) FROM (TABLE "+ref+" EXCEPT ALL TABLE "+target+") a), "+
						"(SELECT count(*) FROM (TABLE "+target+" EXCEPT ALL TABLE "+ref+") b)").Scan(&lost, &dup)
					if err != nil {
						t.Fatalf("reader compares with %s: %v", ref, err)
					}
					return lost, dup
				}
				l1, d1 := diff(c.refV1.tables[0].ref)
				l2, d2 := diff(c.refV2.tables[0].ref)
				switch {
				case l1 == 0 && d1 == 0:
					sc.note("%s: the old snapshot sees v1 (the old rows)", mech)
				case l2 == 0 && d2 == 0:
					sc.note("%s: the old snapshot sees v2 (the new rows)", mech)
				default:
					sc.fig.lost += l1
					sc.fig.dup += d1
					sc.fig.half++
					t.Errorf("%s reader with a snapshot from before the load sees neither version: against v1 %d missing, %d extra", iso, l1, d1)
				}
				if err := reader.Commit(ctx); err != nil {
					t.Errorf("reader commit: %v", err)
				}
				sc.expectVersion(c.refV2)
				sc.expectNoDebris()
				sc.expectNoTempFiles()
			})
		}
	}
}
