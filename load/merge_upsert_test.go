package load

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestMergeWriters runs the same merges through each merge mechanism the
// server can run — PostgreSQL's MERGE (15 and later) and the UPDATE and
// INSERT of 14 (upsertMerge, forced here on any version) — and wants the
// same rows, row counts and errors from each: the last row of a key
// wins, a key without a unique index merges, a key-only table inserts,
// and a CHECK names the line of the row it refuses.
func TestMergeWriters(t *testing.T) {
	t.Parallel()
	writers := map[string]int{"UPDATE and INSERT": 140000}
	if v := serverVersionNum(t, newEnv(t)); v >= 150000 {
		writers["MERGE"] = v
	}
	for name, version := range writers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			l.version = version
			tbl := mustTable(t, "customers", "id*:int(11)", "name:varchar(20)", "score:int(11)")
			res := e.mustLoad(t, l, tbl, "id,name,score\n1,Ann,1\n2,Bob,2\n1,Ann v2,3\n", Job{Mode: ModeMerge, ExportID: "e1"})
			if res.Mechanism != MechanismMerge || res.RowsRead != 3 || res.RowsLoaded != 2 {
				t.Errorf("first merge: got %s, %d read, %d loaded; want merge, 3, 2", res.Mechanism, res.RowsRead, res.RowsLoaded)
			}
			res = e.mustLoad(t, l, tbl, "id,name,score\n2,Bob v2,20\n3,Cy,30\n2,Bob v3,21\n", Job{Mode: ModeMerge, ExportID: "e2"})
			if res.RowsLoaded != 2 {
				t.Errorf("second merge: got %d rows loaded, want 2 (one update, one insert)", res.RowsLoaded)
			}
			want := [][]string{{"1", "Ann v2", "3"}, {"2", "Bob v3", "21"}, {"3", "Cy", "30"}}
			if got := e.rows(t, "customers", "id"); !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("got %v, want %v (last row of a key wins)", got, want)
			}

			// A key no unique index backs (the owner dropped the primary key
			// the first merge made): INSERT ... ON CONFLICT could not merge
			// on it, MERGE and the UPDATE and INSERT can.
			nokey := mustTable(t, "scores", "name:varchar(10)", "v:int(11)")
			e.mustLoad(t, l, nokey, "name,v\na,1\n", Job{Mode: ModeMerge, Key: []string{"name"}, ExportID: "k1"})
			mustExec(t, e.pool, "ALTER TABLE "+e.schema+".scores DROP CONSTRAINT scores_pkey")
			res = e.mustLoad(t, l, nokey, "name,v\na,7\nb,8\n", Job{Mode: ModeMerge, Key: []string{"name"}, ExportID: "k2"})
			if got := e.rows(t, "scores", "1, 2"); res.RowsLoaded != 2 || !slices.EqualFunc(got, [][]string{{"a", "7"}, {"b", "8"}}, slices.Equal) {
				t.Errorf("merge on a key without a unique index: got %v and %d rows loaded, want a,7, b,8 and 2", got, res.RowsLoaded)
			}

			// Every column in the key: nothing to update, new keys inserted.
			keyOnly := mustTable(t, "tags", "tag*:varchar(10)")
			e.mustLoad(t, l, keyOnly, "tag\nx\n", Job{Mode: ModeMerge, ExportID: "t1"})
			res = e.mustLoad(t, l, keyOnly, "tag\nx\ny\n", Job{Mode: ModeMerge, ExportID: "t2"})
			if got := e.rows(t, "tags", "1"); res.RowsLoaded != 1 || !slices.EqualFunc(got, [][]string{{"x"}, {"y"}}, slices.Equal) {
				t.Errorf("key-only merge: got %v and %d rows loaded, want x, y and 1", got, res.RowsLoaded)
			}

			mustExec(t, e.pool, "ALTER TABLE "+e.schema+".customers ADD CONSTRAINT score_small CHECK (score < 100)")
			_, err := e.load(t, l, tbl, "id,name,score\n4,Di,4\n1,Ann v3,500\n", Job{Mode: ModeMerge, ExportID: "e3"})
			const wantCheck = `merge customers: line 3: check constraint "score_small" (CHECK ((score < 100))) refuses score = 500 (SQLSTATE 23514)`
			if !errors.Is(err, ErrConstraint) || !strings.HasSuffix(err.Error(), wantCheck) {
				t.Errorf("CHECK: got %v, want ErrConstraint ending %q", err, wantCheck)
			}
			if got := e.rows(t, "customers", "id"); !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("after the refused merge: got %v, want %v", got, want)
			}
		})
	}
}
