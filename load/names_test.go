package load

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// TestHostileNames: SQL metacharacters, very long, unicode and
// case-differing names load into distinct tables and columns, and nothing
// else in the schema is touched.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustExec(t, e.pool, "CREATE TABLE "+e.schema+".canary (v text)")
	mustExec(t, e.pool, "INSERT INTO "+e.schema+".canary VALUES ('alive')")
	long := strings.Repeat("Ω", 100) // 200 bytes
	names := []string{
		`Robert'); DROP TABLE canary;--`,
		`a"b`,
		`semi;colon -- comment /* x */`,
		long,
		"Bestellungen ÄÖÜ 注文",
		"Orders",
		"orders",
		`$1 \N`,
	}
	cols := []string{`id*:int(11)`, `"quoted" col:varchar(10)`, `x'); DROP SCHEMA public;--:text`, long + ":text", `Case:text`, `case:text`, `CASE:text`}
	header := make([]string, len(cols))
	for k, c := range cols {
		n, _, _ := strings.Cut(c, ":")
		header[k] = csvQuote(strings.TrimSuffix(n, "*"))
	}
	csv := strings.Join(header, ",") + "\n1,a,b,c,d,e,f\n2,,,,,,\n"
	for _, mode := range []schema.IdentifierMode{schema.IdentifiersSnake, schema.IdentifiersPreserve} {
		t.Run(string(mode), func(t *testing.T) {
			e := &env{pool: e.pool, schema: e.schema, ledger: e.ledger}
			l := e.loader(t, Config{})
			seen := map[string]string{}
			for _, n := range names {
				tbl := mustTableMode(t, n, mode, cols...)
				if prev, dup := seen[tbl.Name]; dup {
					if mode == schema.IdentifiersPreserve {
						t.Fatalf("%q and %q both map to %q", prev, n, tbl.Name)
					}
					continue // snake_case folds "Orders" and "orders" together by design
				}
				seen[tbl.Name] = n
				res := e.mustLoad(t, l, tbl, csv, Job{ExportID: n})
				if res.RowsLoaded != 2 {
					t.Errorf("%q: got %d rows, want 2", n, res.RowsLoaded)
				}
				q := schema.Quote(e.schema, tbl.Name)
				got := queryText(t, e.pool, "SELECT count(*), count(DISTINCT attname) FROM pg_attribute WHERE attrelid = "+schema.QuoteLiteral(q)+"::regclass AND attnum > 0")
				if got[0][0] != "7" || got[0][1] != "7" {
					t.Errorf("%q: got %v columns, want 7 distinct", n, got)
				}
				if c := queryText(t, e.pool, "SELECT obj_description("+schema.QuoteLiteral(q)+"::regclass, 'pg_class')"); c[0][0] != n {
					t.Errorf("table comment: got %q, want %q", c[0][0], n)
				}
				// A second load swaps.
				if res := e.mustLoad(t, l, tbl, csv, Job{ExportID: n + "2"}); res.Mechanism != MechanismSwap {
					t.Errorf("%q: second load got %s, want swap", n, res.Mechanism)
				}
			}
			var want []string
			for name := range seen {
				want = append(want, name)
			}
			want = append(want, "canary")
			slices.Sort(want)
			var got []string
			for _, r := range queryText(t, e.pool, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"+e.schema+"' AND c.relkind = 'r' ORDER BY 1") {
				got = append(got, r[0])
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("tables: got %q, want %q", got, want)
			}
			if got := queryText(t, e.pool, "SELECT v FROM "+e.schema+".canary"); got[0][0] != "alive" {
				t.Errorf("canary: got %v", got)
			}
			for _, n := range seen {
				mustExec(t, e.pool, "DROP TABLE "+schema.Quote(e.schema, mustTableMode(t, n, mode, cols...).Name))
			}
		})
	}
}

func mustTableMode(t testing.TB, name string, mode schema.IdentifierMode, cols ...string) *schema.Table {
	t.Helper()
	tbl := mustTable(t, name, cols...)
	var cc []schema.Column
	for _, f := range tbl.Fields {
		cc = append(cc, f.Source)
	}
	out, err := schema.NewTable("", name, cc, schema.Options{Identifiers: mode})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func csvQuote(s string) string {
	if strings.ContainsAny(s, "\",\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// TestConcurrentReader polls count(*) and sum(id) from the table and from
// a view on it while replaces run: every answer is the old or the new
// table's, never empty or partial, and never an error.
func TestConcurrentReader(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	l := e.loader(t, Config{})
	tbl := ordersTable(t)
	gen := func(n, base int) string {
		var b strings.Builder
		b.WriteString("id,Customer Name,total,created\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%d,name %d,%d.25,2024-01-01 00:00:00\n", base+i, i, i)
		}
		return b.String()
	}
	small, large := gen(3000, 1), gen(5000, 100001)
	valid := map[string]bool{
		"3000 4501500":   true, // sum of 1..3000
		"5000 512502500": true, // sum of 100001..105000
	}
	e.mustLoad(t, l, tbl, small, Job{ExportID: "e0"})
	mustExec(t, e.pool, "CREATE VIEW "+e.schema+".v AS SELECT id FROM "+e.schema+".orders")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var polls atomic.Int64
	var bad sync.Map
	for _, rel := range []string{"orders", "v"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				var n, sum int64
				err := e.pool.QueryRow(ctx, "SELECT count(*), coalesce(sum(id), 0) FROM "+e.schema+"."+rel).Scan(&n, &sum)
				if ctx.Err() != nil {
					return
				}
				polls.Add(1)
				if err != nil {
					bad.Store(rel+": "+err.Error(), true)
					continue
				}
				if k := fmt.Sprint(n, " ", sum); !valid[k] {
					bad.Store(rel+": "+k, true)
				}
			}
		}()
	}
	for i := 1; i <= 6; i++ {
		csv := small
		if i%2 == 1 {
			csv = large
		}
		e.mustLoad(t, l, tbl, csv, Job{ExportID: fmt.Sprint("e", i)})
		// A read between two loads: of the three, at most two were in
		// flight when the load ended.
		waitCount(t, &polls, polls.Load()+3)
	}
	cancel()
	wg.Wait()
	bad.Range(func(k, _ any) bool {
		t.Errorf("reader saw %v, want only old or new counts", k)
		return true
	})
	if polls.Load() < 20 {
		t.Errorf("got %d polls, want the readers to have run during the loads", polls.Load())
	}
}
