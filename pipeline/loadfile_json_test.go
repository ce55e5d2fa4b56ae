package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// TestLoadFileJSONServerRefuses loads JSON values that are valid JSON but
// that PostgreSQL's jsonb refuses (a lone surrogate escape, a number beyond
// numeric, \u0000): they are row errors with their line and column, spent
// from the error budget, and the rest of the table loads.
func TestLoadFileJSONServerRefuses(t *testing.T) {
	t.Parallel()
	e := fileEnv(t)
	e.loader = e.newLoader(t, load.Config{MaxBadRows: 3})
	e.runner = &Runner{Loader: e.loader, Log: testLogger(t)}
	ctx := context.Background()
	csv := strings.Join([]string{
		`id,doc`,
		`1,"{""a"":1}"`,
		`2,"{""a"":""\ud800""}"`,
		`3,"{""a"":""\ud83d\ude00""}"`,
		`4,"{""a"":1e1000000}"`,
		`5,"[""\u0000""]"`,
		`6,"{""a"":1e131071}"`,
		``,
	}, "\n")
	path := mustWriteFile(t, t.TempDir(), "docs.csv", []byte(csv))
	tbl, err := schema.NewTable("", "docs", []schema.Column{{Name: "id", Type: "int(11)"}, {Name: "doc", Type: "json"}}, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{}
	tr, err := e.runner.LoadFile(ctx, opts, FileJob{Path: path, Table: tbl})
	if err != nil || tr.Status != StatusLoaded {
		t.Fatalf("LoadFile: got %q, %v; want loaded", tr.Status, err)
	}
	if tr.RowsLoaded != 3 || tr.RowsRejected != 3 {
		t.Errorf("rows: got %d loaded, %d rejected; want 3 and 3", tr.RowsLoaded, tr.RowsRejected)
	}
	got := mustScalar[string](t, e.pool, "SELECT string_agg(line || ' ' || column_name || ': ' || reason, E'\\n' ORDER BY line) FROM "+
		schema.Quote(e.ledger, "rejects"))
	for _, want := range []string{
		`3 doc: value "{\"a\":\"\\ud800\"}" is not valid jsonb at byte 6: \ud800 is a UTF-16 high surrogate`,
		`5 doc: value "{\"a\":1e1000000}" is not valid jsonb at byte 5: the number 1e1000000 is outside the range of PostgreSQL's numeric`,
		`6 doc: value "[\"\\u0000\"]" is not valid jsonb at byte 2: \u0000`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rejects: got\n%s\nwant a line holding %s", got, want)
		}
	}
	ids := mustScalar[string](t, e.pool, "SELECT string_agg(id::text, ',' ORDER BY id) FROM "+schema.Quote(e.target, "docs"))
	if ids != "1,3,6" {
		t.Errorf("loaded ids: got %s, want 1,3,6", ids)
	}

	// Without a budget the first such value fails the table, naming it.
	tbl.Name = "docs_strict"
	strict := &Runner{Loader: e.newLoader(t, load.Config{}), Log: testLogger(t)}
	_, err = strict.LoadFile(ctx, Options{}, FileJob{Path: path, Table: tbl, ExportID: "strict"})
	if err == nil || !strings.Contains(err.Error(), `table "docs" line 3 column "doc"`) {
		t.Errorf("strict load: got %v, want an error naming line 3 column doc", err)
	}
}
