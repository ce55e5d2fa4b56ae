package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// TestLoadFileMySQLValues loads values MySQL stores that have no direct
// PostgreSQL equivalent and checks what the server holds: a tinyint(1)
// other than 0 or 1 is true, a time beyond a day or negative is an
// interval, a partial zero date is NULL, and a zero datetime in a NOT NULL
// column is -infinity. Under --zero-dates error the zero dates are row
// errors naming their line.
func TestLoadFileMySQLValues(t *testing.T) {
	t.Parallel()
	e := fileEnv(t)
	ctx := context.Background()
	csv := strings.Join([]string{
		`id,flag,took,day,made`,
		`1,1,838:59:59,2023-00-10,0000-00-00 00:00:00`,
		`2,2,-01:00:00,2023-10-00,2023-11-05 01:30:00`,
		`3,0,-838:59:59.5,0000-00-00,2023-00-00 10:00:00`,
		`4,-1,13:45:07,2024-02-29,2024-02-29 23:59:59`,
		``,
	}, "\n")
	path := mustWriteFile(t, t.TempDir(), "mysql.csv", []byte(csv))
	notNull := schema.Flag(false)
	cols := []schema.Column{
		{Name: "id", Type: "int(11)"}, {Name: "flag", Type: "tinyint(1)"}, {Name: "took", Type: "time"},
		{Name: "day", Type: "date"}, {Name: "made", Type: "datetime", Nullable: &notNull},
	}
	tbl, err := schema.NewTable("", "mysql", cols, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.runner.LoadFile(ctx, Options{}, FileJob{Path: path, Table: tbl})
	if err != nil || tr.Status != StatusLoaded || tr.RowsLoaded != 4 {
		t.Fatalf("LoadFile: got %q, %d rows, %v; want 4 rows loaded", tr.Status, tr.RowsLoaded, err)
	}
	got := mustScalar[string](t, e.pool, `SELECT string_agg(concat_ws('|', id, flag, took, coalesce(day::text, 'NULL'), made), E'\n' ORDER BY id)
		FROM `+schema.Quote(e.target, "mysql"))
	want := strings.Join([]string{
		"1|t|838:59:59|NULL|-infinity",
		"2|t|-01:00:00|NULL|2023-11-05 01:30:00",
		"3|f|-838:59:59.5|NULL|-infinity",
		"4|t|13:45:07|2024-02-29|2024-02-29 23:59:59",
	}, "\n")
	if got != want {
		t.Errorf("rows:\ngot\n%s\nwant\n%s", got, want)
	}
	wantNotes := []string{
		`table "mysql" column "flag": 2 integers other than 0 and 1 loaded as true (first on line 3)`,
		`table "mysql" column "day": 3 MySQL zero dates loaded as NULL (first on line 2)`,
		`table "mysql" column "made": 2 MySQL zero dates loaded as -infinity (NOT NULL column) (first on line 2)`,
	}
	for _, w := range wantNotes {
		if !contains(tr.Warnings, w) {
			t.Errorf("warnings: got %q, want %q among them", tr.Warnings, w)
		}
	}
	types := mustScalar[string](t, e.pool, `SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, schema.Quote(e.target, "mysql"))
	if types != "integer,boolean,interval,date,timestamp without time zone" {
		t.Errorf("column types: got %s", types)
	}

	tbl.Name = "mysql_strict"
	_, err = e.runner.LoadFile(ctx, Options{Decode: transform.Options{ZeroDates: transform.ZeroDatesError}},
		FileJob{Path: path, Table: tbl, ExportID: "strict"})
	if err == nil || !strings.Contains(err.Error(), `line 2 column "day": value "2023-00-10" is a zero date`) {
		t.Errorf("zero dates as errors: got %v, want line 2 column day named", err)
	}
}
