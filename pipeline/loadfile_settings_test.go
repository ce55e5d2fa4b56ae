package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// settingsCSV has a NULL-marker candidate (`\N`), an empty field and a
// zero date.
const settingsCSV = "id,Created At,note,day\n" +
	"1,2024-01-01 10:00:00,\\N,0000-00-00\n" +
	"2,2024-01-01 11:00:00,,2024-02-02\n"

// settingsStep is one LoadFile of settingsCSV (or otherCSV) into the
// table "s" and what it must do.
type settingsStep struct {
	mode      load.Mode
	key       []string
	tz        string // --source-timezone, "" for none
	preserve  bool   // --identifiers preserve
	nullStr   string
	zeroDates string
	idType    string // the id column's metadata type, "" for integer
	other     bool   // load otherCSV instead
	force     bool
	status    string // want
	note      string // the skip's note contains it
	warning   string // a warning contains it
	err       error  // want errors.Is
	// query, run on the table after the step, returns want (rows as
	// text joined by "|", "" for NULL, rows by ";").
	query, want string
}

// otherCSV is another file of the same table.
const otherCSV = "id,Created At,note,day\n3,2024-03-03 03:00:00,x,2024-03-03\n"

// TestLoadFileSettingsSkip: a file loaded again is skipped only when
// every setting that shapes its rows is the same (with a note naming the
// earlier load); with another time zone, column metadata, NULL marker,
// zero-date rule, identifier rule, mode or merge key it is loaded
// again. An append skips only a file appended since the table's latest
// replace, and refuses one appended with other settings, rather than
// holding its rows twice.
func TestLoadFileSettingsSkip(t *testing.T) {
	t.Parallel()
	const (
		created  = "SELECT id, extract(epoch FROM created_at)::bigint FROM %s ORDER BY 1"
		notes    = "SELECT id, note, day::text FROM %s ORDER BY 1"
		count    = "SELECT count(*) FROM %s"
		sameNote = "already loaded from the same file with the same settings at "
	)
	tests := []struct {
		name  string
		steps []settingsStep
	}{
		{name: "same settings: skipped, with a note", steps: []settingsStep{
			{status: StatusLoaded},
			{status: StatusSkipped, note: sameNote, query: count, want: "2"},
		}},
		{name: "another source time zone", steps: []settingsStep{
			{status: StatusLoaded, query: created, want: "1|1704103200;2|1704106800"}, // 10:00 and 11:00 UTC
			{tz: "Europe/Berlin", status: StatusLoaded, warning: "source time zone (none → Europe/Berlin)",
				query: created, want: "1|1704099600;2|1704103200"}, // an hour earlier
			{tz: "Europe/Berlin", status: StatusSkipped, note: sameNote},
		}},
		{name: "another NULL marker", steps: []settingsStep{
			{status: StatusLoaded, query: notes, want: `1|\N|;2||2024-02-02`},
			{nullStr: `\N`, status: StatusLoaded, warning: `null string ("" → "\\N")`, query: notes, want: "1||;2||2024-02-02"},
		}},
		{name: "zero dates refused now", steps: []settingsStep{
			{status: StatusLoaded, query: notes, want: `1|\N|;2||2024-02-02`},
			{zeroDates: transform.ZeroDatesError, status: StatusFailed, err: transform.ErrBadValue, query: count, want: "2"},
		}},
		{name: "another identifier rule", steps: []settingsStep{
			{status: StatusLoaded},
			{preserve: true, status: StatusLoaded, query: `SELECT "Created At"::text FROM %s ORDER BY 1`,
				want: "2024-01-01 10:00:00;2024-01-01 11:00:00"},
		}},
		{name: "other column metadata", steps: []settingsStep{
			{status: StatusLoaded},
			{idType: "String", status: StatusLoaded, warning: `columns: "id" (Integer as id bigint primary key → String as id text primary key)`,
				query: "SELECT pg_typeof(id)::text FROM %s LIMIT 1", want: "text"},
		}},
		{name: "append, replace --force, append the first file again: loaded", steps: []settingsStep{
			{mode: load.ModeAppend, status: StatusLoaded},
			{mode: load.ModeAppend, status: StatusSkipped, note: "already loaded (append) from the same file with the same settings at "},
			{mode: load.ModeReplace, other: true, force: true, status: StatusLoaded, query: count, want: "1"},
			{mode: load.ModeAppend, status: StatusLoaded, query: "SELECT id FROM %s ORDER BY 1", want: "1;2;3"},
		}},
		{name: "append again with other settings: refused, nothing written", steps: []settingsStep{
			{mode: load.ModeAppend, status: StatusLoaded},
			{mode: load.ModeAppend, nullStr: `\N`, status: StatusFailed, err: load.ErrAlreadyLoaded, query: count, want: "2"},
			// --force passes the check: the table's primary key refuses the rows.
			{mode: load.ModeAppend, nullStr: `\N`, force: true, status: StatusFailed, err: load.ErrDuplicateKey, query: count, want: "2"},
		}},
		{name: "merge: another key is loaded again, the same skipped", steps: []settingsStep{
			{mode: load.ModeMerge, status: StatusLoaded},
			{mode: load.ModeMerge, status: StatusSkipped, note: sameNote},
			{mode: load.ModeMerge, key: []string{"id", "created_at"}, status: StatusLoaded, warning: "merge key (id → id, created_at)"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := fileEnv(t)
			forced := &Runner{Loader: e.newLoader(t, load.Config{Force: true}), Log: testLogger(t)}
			dir := t.TempDir()
			files := map[bool]string{false: mustWriteFile(t, dir, "s.csv", []byte(settingsCSV)),
				true: mustWriteFile(t, dir, "other.csv", []byte(otherCSV))}
			for k, st := range tt.steps {
				opts := Options{Mode: st.mode, Key: st.key,
					Decode: transform.Options{NullString: st.nullStr, ZeroDates: st.zeroDates}}
				if st.tz != "" {
					loc, err := time.LoadLocation(st.tz)
					if err != nil {
						t.Fatal(err)
					}
					opts.Mapping.SourceTimezone = loc
				}
				if st.preserve {
					opts.Mapping.Identifiers = schema.IdentifiersPreserve
				}
				idType := st.idType
				if idType == "" {
					idType = "Integer"
				}
				f := schema.Flag(true)
				cols := []schema.Column{{Name: "id", Type: idType, IsPrimaryKey: f}, {Name: "Created At", Type: "datetime"},
					{Name: "note", Type: "String"}, {Name: "day", Type: "date"}}
				tbl, err := schema.NewTable("", "s", cols, opts.Mapping)
				if err != nil {
					t.Fatal(err)
				}
				runner := e.runner
				if st.force {
					runner = forced
				}
				tr, err := runner.LoadFile(context.Background(), opts, FileJob{Path: files[st.other], Table: tbl})
				if tr.Status != st.status || (st.err == nil) != (err == nil) || st.err != nil && !errors.Is(err, st.err) {
					t.Fatalf("step %d: got %s, %v; want %s, %v", k+1, tr.Status, err, st.status, st.err)
				}
				if st.note != "" && (!strings.Contains(tr.Note, st.note) || !strings.Contains(tr.Note, "(run ")) {
					t.Errorf("step %d: note %q, want it to contain %q and the run", k+1, tr.Note, st.note)
				}
				if st.note == "" && tr.Note != "" {
					t.Errorf("step %d: note %q, want none", k+1, tr.Note)
				}
				if st.warning != "" && !strings.Contains(strings.Join(tr.Warnings, "\n"), st.warning) {
					t.Errorf("step %d: warnings %q, want one containing %q", k+1, tr.Warnings, st.warning)
				}
				if st.query == "" {
					continue
				}
				var got []string
				for _, r := range queryValues(t, e, strings.ReplaceAll(st.query, "%s", schema.Quote(e.target, "s"))) {
					got = append(got, strings.Join(r, "|"))
				}
				if g := strings.Join(got, ";"); g != st.want {
					t.Errorf("step %d: %s: got %q, want %q", k+1, st.query, g, st.want)
				}
			}
		})
	}
}

// queryValues returns sql's rows as text, NULL as "".
func queryValues(t testing.TB, e *env, sql string) [][]string {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		row := make([]string, len(vals))
		for k, v := range vals {
			if v != nil {
				row[k] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}
