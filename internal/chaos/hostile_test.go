//go:build chaos

package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// hostileTables are source table names: SQL metacharacters, quotes,
// 200-byte names (two that differ only past byte 63), names equal after
// snake_case normalising or differing only in case, unicode.
var hostileTables = []string{
	`"; DROP TABLE x; --`,
	`Robert'); DROP TABLE students;--`,
	`$1; SELECT pg_sleep(30)`,
	`back\slash "and" 'quotes'`,
	strings.Repeat("long_table_name_", 13)[:200],
	strings.Repeat("long_table_name_", 13)[:199] + "X",
	"Sales Order",
	"sales_order",
	"SALES-ORDER",
	"sales__order",
	"Größe_日本語_таблица",
}

// hostileColumns are the column metadata of every hostile table.
var hostileColumns = []schema.Column{
	{Name: "id", Type: "int(11)", IsPrimaryKey: true},
	{Name: `"; DROP TABLE x; --`, Type: "varchar(255)"},
	{Name: "it's", Type: "varchar(255)"},
	{Name: "Col", Type: "int(11)"},
	{Name: "col", Type: "int(11)"},
	{Name: "COL", Type: "int(11)"},
	{Name: strings.Repeat("column_", 29)[:200], Type: "text"},
	{Name: "日本語 列", Type: "decimal(12,4)"},
	{Name: "select", Type: "varchar(32)"},
	{Name: `a"b`, Type: "varchar(32)"},
}

// TestHostileNames loads tables with hostile table and column names (and,
// in preserve mode, a hostile target schema name), twice each (create,
// then replace): every source table must land in its own table, equal to
// its reference, with the source names verbatim in the comments, and
// nothing outside the scenario's schemas may change.
func TestHostileNames(t *testing.T) {
	base := newBase(t)
	dirs := [2]string{filepath.Join(base.dir, "v1"), filepath.Join(base.dir, "v2")}
	for v, dir := range dirs {
		writeHostileDir(t, dir, v+1)
	}
	var sims [2]*sim
	for v, dir := range dirs {
		sims[v] = base.startSim(simArgs{dirs: []string{dir}})
	}
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	for _, sql := range []string{
		"CREATE TABLE IF NOT EXISTS public.x (v int)", "INSERT INTO public.x VALUES (1)",
		"CREATE TABLE IF NOT EXISTS public.students (v int)", "INSERT INTO public.students VALUES (1)",
	} {
		st.mustExec(t, ctx, sql)
	}
	modes := []struct {
		name, fault, identifiers, schema string
	}{
		{"snake", "hostile table and column names (snake_case)", "snake", ""},
		{"preserve", "hostile names, preserved verbatim, hostile schema name", "preserve",
			`Weird "schema"; DROP SCHEMA public CASCADE; --`},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			sc := base.sub(t, kindFailSafe, m.fault)
			if m.schema != "" {
				sc.schema = m.schema
			}
			opts := schema.Options{Identifiers: schema.IdentifierMode(m.identifiers)}
			var vers [2]*version
			for v, dir := range dirs {
				var files []fileTable
				for _, name := range hostileTables {
					files = append(files, fileTable{source: name, cols: hostileColumns, csv: filepath.Join(dir, name+".csv")})
				}
				vers[v] = st.fromFiles(t, fmt.Sprintf("hostile v%d (%s)", v+1, m.identifiers), files, opts)
			}
			before := catalogSnapshot(t, sc)
			for v := range vers {
				env := sc.env(sims[v])
				env["MBILOAD_IDENTIFIERS"] = m.identifiers
				r := sc.run(env, "sync", "--progress", "plain")
				sc.expectOK(r)
				sc.expectVersion(vers[v])
				sc.expectHostileLayout()
				sc.expectNoDebris()
				sc.expectNoTempFiles()
			}
			if after := catalogSnapshot(t, sc); !slices.Equal(after, before) {
				sc.fig.half++
				t.Errorf("relations outside the scenario's schemas changed:\n%s", diffLines(before, after))
			}
			var n int
			if err := st.db.QueryRow(ctx, "SELECT (SELECT count(*) FROM public.x) + (SELECT count(*) FROM public.students)").Scan(&n); err != nil || n != 2 {
				t.Errorf("decoy tables public.x and public.students: got %d rows (err %v), want 2", n, err)
			}
		})
	}
}

// expectHostileLayout checks the target schema holds exactly one table
// per hostile source table, commented with the source name, whose columns
// are commented with the source column names in order.
func (sc *scn) expectHostileLayout() {
	sc.t.Helper()
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	rows, err := sc.query(ctx, `SELECT c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''),
  (SELECT coalesce(array_agg(coalesce(col_description(c.oid, a.attnum), '') ORDER BY a.attnum), '{}')
   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1`, sc.schema)
	if err != nil {
		sc.t.Errorf("list target tables: %v", err)
		return
	}
	var comments, names []string
	for _, r := range rows {
		names = append(names, r.name)
		comments = append(comments, r.comment)
		var want []string
		for _, c := range hostileColumns {
			want = append(want, c.Name)
		}
		if !slices.Equal(r.cols, want) {
			sc.t.Errorf("table %q: column comments got %q, want %q", r.name, r.cols, want)
		}
	}
	want := slices.Clone(hostileTables)
	slices.Sort(want)
	slices.Sort(comments)
	if !slices.Equal(comments, want) {
		sc.t.Errorf("tables of schema %q by comment: got %q, want one per source table %q", sc.schema, comments, want)
	}
	sc.t.Logf("target tables in %q: %q", sc.schema, names)
}

type tableComments struct {
	name, comment string
	cols          []string
}

func (sc *scn) query(ctx context.Context, sql string, args ...any) ([]tableComments, error) {
	rows, err := st.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableComments, error) {
		var tc tableComments
		return tc, r.Scan(&tc.name, &tc.comment, &tc.cols)
	})
}

// catalogSnapshot lists every relation and schema outside the scenario's
// schemas (with oid and file node, so a drop-and-recreate or a TRUNCATE
// shows).
func catalogSnapshot(t *testing.T, sc *scn) []string {
	t.Helper()
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	rows, err := st.db.Query(ctx, `SELECT format('%s.%s %s oid=%s node=%s', n.nspname, c.relname, c.relkind, c.oid, c.relfilenode)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ($1, $2) AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname NOT IN ($1, $2) AND nspname NOT LIKE 'pg\_t%'
ORDER BY 1`, sc.schema, sc.ledger)
	if err != nil {
		t.Fatalf("catalog snapshot: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("catalog snapshot: %v", err)
	}
	return out
}

func diffLines(before, after []string) string {
	var b strings.Builder
	for _, l := range before {
		if !slices.Contains(after, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range after {
		if !slices.Contains(before, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// writeHostileDir writes every hostile table (CSV and column metadata)
// into dir, with values that differ per table and per version v.
func writeHostileDir(t *testing.T, dir string, v int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create %s: %v", dir, err)
	}
	meta, err := schema.MarshalColumns(hostileColumns)
	if err != nil {
		t.Fatalf("marshal columns: %v", err)
	}
	values := []string{`'); DROP TABLE x; --`, `"quoted"`, "", "\\N", "日本語", "line\nbreak", "tab\there", "NULL"}
	for ti, name := range hostileTables {
		var b strings.Builder
		for i, c := range hostileColumns {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvQuote(c.Name))
		}
		b.WriteString("\n")
		for row := 0; row < 5+ti; row++ {
			id := row + 1
			val := values[(row+ti+v)%len(values)]
			fields := []string{
				fmt.Sprint(id),
				csvQuote(fmt.Sprintf("t%d v%d %s", ti, v, val)),
				csvQuote(val),
				fmt.Sprint(row * v), fmt.Sprint(-row), "",
				csvQuote(strings.Repeat("z", row*v)),
				fmt.Sprintf("%d.%04d", ti*v, row),
				csvQuote("select"),
				"",
			}
			if row%2 == 1 {
				fields[9] = csvQuote(`a"b`)
			}
			b.WriteString(strings.Join(fields, ",") + "\n")
		}
		for path, data := range map[string]string{
			filepath.Join(dir, name+".csv"):          b.String(),
			filepath.Join(dir, name+".columns.json"): string(meta),
		} {
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatalf("write %s: %v", path, err)
			}
		}
	}
}

// csvQuote quotes a non-NULL text field (so "" is an empty string, not NULL).
func csvQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
