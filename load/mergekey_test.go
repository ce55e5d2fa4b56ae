package load

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// TestMergeKeyNotUnique: a merge on a key the target holds more than once
// fails before anything is written — the table keeps its rows, the ledger
// records the failure — with an error naming the table, the key and a
// repeated value. A key proved unique by an index (on all the key columns
// or some) or by the rows themselves merges; NULL key values in the target
// do not count. A table the merge creates gets the key as primary key.
func TestMergeKeyNotUnique(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup []string // %[1]s is the schema; the table is t (id, v, w)
		key   []string
		csv   string
		msg   string   // "" when the merge succeeds
		want  []string // the rows after, "id|v|w" ordered by id, v, w
		count int64    // rows merged
	}{
		{name: "two rows hold the key, no other key",
			setup: []string{"CREATE TABLE %[1]s.t (id bigint, v text, w text)",
				"INSERT INTO %[1]s.t VALUES (1, 'dup', 'a'), (2, 'dup', 'b'), (3, 'one', 'c')"},
			key: []string{"v"}, csv: "id,v,w\n9,dup,new\n",
			msg:  `merge t: key (v) is not unique in the table "%[1]s"."t": value "dup" is held by 2 rows`,
			want: []string{"1|dup|a", "2|dup|b", "3|one|c"}},
		{name: "two rows hold the key, the table has another primary key",
			setup: []string{"CREATE TABLE %[1]s.t (id bigint PRIMARY KEY, v text, w text)",
				"INSERT INTO %[1]s.t VALUES (1, 'x', 'a'), (2, 'dup', 'b'), (3, 'dup', 'c'), (4, 'dup', 'd')"},
			key: []string{"v"}, csv: "id,v,w\n9,dup,w\n",
			msg:  `merge t: key (v) is not unique in the table "%[1]s"."t": value "dup" is held by 3 rows`,
			want: []string{"1|x|a", "2|dup|b", "3|dup|c", "4|dup|d"}},
		{name: "composite key repeated",
			setup: []string{"CREATE TABLE %[1]s.t (id bigint, v text, w text)",
				"INSERT INTO %[1]s.t VALUES (1, 'a', 'x'), (1, 'a', 'y'), (2, 'a', 'z')"},
			key: []string{"id", "v"}, csv: "id,v,w\n1,a,new\n",
			msg:  `merge t: key (id, v) is not unique in the table "%[1]s"."t": value (1, "a") is held by 2 rows`,
			want: []string{"1|a|x", "1|a|y", "2|a|z"}},
		{name: "unique by its rows, no index",
			setup: []string{"CREATE TABLE %[1]s.t (id bigint, v text, w text)",
				"INSERT INTO %[1]s.t VALUES (1, 'a', 'x'), (2, 'b', 'y'), (3, NULL, 'n1'), (4, NULL, 'n2')"},
			key: []string{"v"}, csv: "id,v,w\n9,a,new\n5,c,add\n",
			want: []string{"3||n1", "4||n2", "5|c|add", "9|a|new", "2|b|y"}, count: 2},
		{name: "a unique index on some of the key columns",
			setup: []string{"CREATE TABLE %[1]s.t (id bigint, v text, w text)", "CREATE UNIQUE INDEX ON %[1]s.t (id)",
				"INSERT INTO %[1]s.t VALUES (1, 'a', 'x'), (2, 'b', 'y')"},
			key: []string{"v", "id"}, csv: "id,v,w\n1,a,new\n",
			want: []string{"1|a|new", "2|b|y"}, count: 1},
		{name: "a partial unique index proves nothing",
			setup: []string{"CREATE TABLE %[1]s.t (id bigint, v text, w text)", "CREATE UNIQUE INDEX ON %[1]s.t (v) WHERE id > 1",
				"INSERT INTO %[1]s.t VALUES (1, 'a', 'x'), (2, 'a', 'y')"},
			key: []string{"v"}, csv: "id,v,w\n3,a,new\n",
			msg:  `merge t: key (v) is not unique in the table "%[1]s"."t": value "a" is held by 2 rows`,
			want: []string{"1|a|x", "2|a|y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			for _, s := range tt.setup {
				mustExec(t, e.pool, fmt.Sprintf(s, e.schema))
			}
			tbl := mustTable(t, "t", "id:bigint", "v:text", "w:text")
			res, err := e.load(t, l, tbl, tt.csv, Job{Mode: ModeMerge, Key: tt.key, ExportID: "x1"})
			rows := e.rows(t, "t", "v NULLS FIRST, id, w")
			got := make([]string, len(rows))
			for k, r := range rows {
				got[k] = strings.ReplaceAll(strings.Join(r, "|"), "<nil>", "")
			}
			if !slices.Equal(sorted(got), sorted(tt.want)) {
				t.Errorf("rows after: got %q, want %q", got, tt.want)
			}
			if tt.msg == "" {
				if err != nil || res.RowsLoaded != tt.count {
					t.Fatalf("merge: got %d rows, %v; want %d rows, no error", res.RowsLoaded, err, tt.count)
				}
				return
			}
			msg := fmt.Sprintf(tt.msg, e.schema)
			if !errors.Is(err, ErrKeyNotUnique) || !strings.Contains(err.Error(), msg) {
				t.Fatalf("merge: got %v, want ErrKeyNotUnique with %q", err, msg)
			}
			ledger := queryText(t, e.pool, "SELECT status FROM "+schema.Quote(e.ledger, "loads"))
			if len(ledger) != 1 || ledger[0][0] != StatusFailed {
				t.Errorf("ledger: got %v, want one failed row", ledger)
			}
		})
	}
	t.Run("created: the key is the primary key", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		l := e.loader(t, Config{})
		tbl := mustTable(t, "t", "id:bigint", "v:text", "w:text")
		e.mustLoad(t, l, tbl, "id,v,w\n1,a,x\n2,b,y\n", Job{Mode: ModeMerge, Key: []string{"v"}, ExportID: "c1"})
		pk := mustScalar[string](t, e.pool, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'p' AND conrelid = $1::regclass",
			schema.Quote(e.schema, "t"))
		if pk != "PRIMARY KEY (v)" {
			t.Errorf("the created table's primary key: got %q, want PRIMARY KEY (v)", pk)
		}
	})
}

// sorted returns a sorted copy of s.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
