package load

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// ownerTypesSetup makes warehouse.orders by hand ("%s" is the schema), as
// an owner does before mbiload ever loads it; inPlace adds a trigger, so
// that a replace refills the table in place instead of swapping it.
func ownerTypesSetup(t *testing.T, e *env, ddl string, inPlace bool) {
	t.Helper()
	mustExec(t, e.pool, strings.ReplaceAll(ddl, "%s", e.schema))
	if inPlace {
		mustExec(t, e.pool, "CREATE FUNCTION "+e.schema+".noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'")
		mustExec(t, e.pool, "CREATE TRIGGER noop BEFORE INSERT ON "+e.schema+".orders FOR EACH ROW EXECUTE FUNCTION "+e.schema+".noop()")
	}
}

// formatTypes returns format_type of each column of schema.table, in
// order.
func formatTypes(t *testing.T, e *env, table string) []string {
	t.Helper()
	var out []string
	for _, r := range queryText(t, e.pool, "SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute "+
		"WHERE attrelid = '"+e.schema+"."+table+"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum") {
		out = append(out, r[0])
	}
	return out
}

// TestReplaceKeepsOwnerTypes: a replace of a table made by hand keeps the
// types its owner chose (varchar(n), char(n), boolean for an integer,
// json for jsonb, a narrower numeric(p,s)) when every value of the export
// fits, by a swap and in place, load after load; the dry run and the
// result say which were kept. A value that does not fit fails the load
// naming the table, the CSV line and the column, and the table keeps its
// rows and types.
func TestReplaceKeepsOwnerTypes(t *testing.T) {
	t.Parallel()
	cols := []string{"id*:int(11)", "status:varchar(255)", "currency:char(3)", "paid:int(11)", "extra:json", "total:decimal(14,4)"}
	const ddl = `CREATE TABLE %s.orders (id integer PRIMARY KEY, status varchar(10), currency char(3), paid boolean,
  extra json, total numeric(10,2));
INSERT INTO %s.orders VALUES (9, 'old', 'USD', true, '{}', 1.5)`
	const good = "id,status,currency,paid,extra,total\n" +
		"1,shipped,EUR,1,\"{\"\"a\"\": 1}\",12.3400\n" +
		"2,,GB,0,,-99999999.9900\n"
	wantTypes := []string{"id integer", "status character varying(10)", "currency character(3)", "paid boolean",
		"extra json", "total numeric(10,2)"}
	wantRows := [][]string{
		{"1", "shipped", "EUR", "t", `{"a": 1}`, "12.34"},
		{"2", "<nil>", "GB ", "f", "<nil>", "-99999999.99"},
	}
	tests := []struct {
		name   string
		csv    string
		line   int64  // the line of the value that does not fit; 0: the load succeeds
		column string // its column
	}{
		{name: "every value fits", csv: good},
		{name: "varchar(10) too short", csv: good + "3,out for delivery,EUR,1,,1\n", line: 4, column: "status"},
		{name: "char(3) too short", csv: good + "3,x,EURO,1,,1\n", line: 4, column: "currency"},
		{name: "2 is no boolean", csv: "id,status,currency,paid,extra,total\n3,x,EUR,2,,1\n" + good[len("id,status,currency,paid,extra,total\n"):], line: 2, column: "paid"},
		{name: "numeric(10,2) would round", csv: good + "3,x,EUR,1,,1.2345\n", line: 4, column: "total"},
		{name: "numeric(10,2) overflows", csv: good + "3,x,EUR,1,,123456789.0000\n", line: 4, column: "total"},
	}
	for _, tc := range tests {
		for _, inPlace := range []bool{false, true} {
			name := tc.name + "/swap"
			if inPlace {
				name = tc.name + "/in place"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				l := e.loader(t, Config{})
				tbl := mustTable(t, "Orders", cols...)
				ownerTypesSetup(t, e, ddl, inPlace)
				ctx := context.Background()
				plan, err := l.Plan(ctx, tbl, ModeReplace)
				if err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{`kept column "status" as character varying(10) (the owner's type; the export has text)`,
					`kept column "paid" as boolean (the owner's type; the export has integer)`, `kept column "extra" as json`,
					`kept column "total" as numeric(10,2)`} {
					if !slices.ContainsFunc(plan.Changes, func(c string) bool { return strings.HasPrefix(c, want) }) {
						t.Errorf("dry run: changes %q do not say %q", plan.Changes, want)
					}
				}
				before := e.rows(t, "orders", "id")
				res, err := e.load(t, l, tbl, tc.csv, Job{ExportID: "e1"})
				if tc.line > 0 {
					var re *RowError
					if !errors.As(err, &re) || !errors.Is(err, ErrBadValue) || re.Line != tc.line || re.Column != tc.column || re.Table != "Orders" {
						t.Fatalf("got %v, want a bad value in line %d, column %q", err, tc.line, tc.column)
					}
					if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, before, slices.Equal) {
						t.Errorf("after the failed load: got %v, want the old rows %v", got, before)
					}
					if got := formatTypes(t, e, "orders"); !slices.Equal(got, wantTypes) {
						t.Errorf("after the failed load: types %q, want %q", got, wantTypes)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if want := wantMechanism(inPlace); res.Mechanism != want {
					t.Errorf("mechanism %s, want %s", res.Mechanism, want)
				}
				if want := `kept column "currency" as character(3) (the owner's type; the export has text)`; !slices.Contains(res.SchemaChanges, want) {
					t.Errorf("result: changes %q do not say %q", res.SchemaChanges, want)
				}
				// The next load keeps them too: the ledger did not take
				// the owner's types for mbiload's.
				for k, export := range []string{"e1", "e2"} {
					if k > 0 {
						e.mustLoad(t, l, tbl, tc.csv, Job{ExportID: export})
					}
					if got := formatTypes(t, e, "orders"); !slices.Equal(got, wantTypes) {
						t.Errorf("load %s: types %q, want %q", export, got, wantTypes)
					}
					if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, wantRows, slices.Equal) {
						t.Errorf("load %s: rows %q, want %q", export, got, wantRows)
					}
				}
			})
		}
	}
}

// TestReplaceKeepsOwnerIntegerTypes: integers go into the owner's
// narrower integer, text and wider numeric columns; a value out of the
// narrower integer's range fails naming its line and column.
func TestReplaceKeepsOwnerIntegerTypes(t *testing.T) {
	t.Parallel()
	const ddl = "CREATE TABLE %s.orders (id integer PRIMARY KEY, code varchar(3), n smallint, total numeric(20,4))"
	tests := []struct {
		name   string
		csv    string
		want   [][]string
		line   int64
		column string
	}{
		{name: "fits", csv: "id,code,n,total\n1,42,-32768,12.5\n2,-7,32767,\n",
			want: [][]string{{"1", "42", "-32768", "12.5000"}, {"2", "-7", "32767", "<nil>"}}},
		{name: "smallint overflows", csv: "id,code,n,total\n1,42,1,1\n2,1,32768,1\n", line: 3, column: "n"},
		{name: "varchar(3) too short for the number", csv: "id,code,n,total\n1,1234,1,1\n", line: 2, column: "code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			mustExec(t, e.pool, strings.ReplaceAll(ddl, "%s", e.schema))
			tbl := mustTable(t, "Orders", "id*:int(11)", "code:int(11)", "n:bigint", "total:decimal(12,2)")
			_, err := e.load(t, l, tbl, tc.csv, Job{ExportID: "e1"})
			if tc.line > 0 {
				var re *RowError
				if !errors.As(err, &re) || !errors.Is(err, ErrBadValue) || re.Line != tc.line || re.Column != tc.column {
					t.Fatalf("got %v, want a bad value in line %d, column %q", err, tc.line, tc.column)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := formatTypes(t, e, "orders"), []string{"id integer", "code character varying(3)", "n smallint", "total numeric(20,4)"}; !slices.Equal(got, want) {
				t.Errorf("types %q, want %q", got, want)
			}
			if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
		})
	}
}

// TestReplaceTakesVendorTypes: a column whose type mbiload made takes the
// metadata's new type when the vendor changes it (by a swap and in
// place), while a column whose type its owner changed after keeps it; a
// type the export's values cannot be written into is replaced, and the
// change says why.
func TestReplaceTakesVendorTypes(t *testing.T) {
	t.Parallel()
	for _, inPlace := range []bool{false, true} {
		name := "swap"
		if inPlace {
			name = "in place"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			first := mustTable(t, "Orders", "id*:int(11)", "code:int(11)", "name:varchar(40)", "born:date")
			e.mustLoad(t, l, first, "id,code,name,born\n1,7,Ann,2020-01-02\n", Job{ExportID: "e1"})
			mustExec(t, e.pool, "ALTER TABLE "+e.schema+".orders ALTER COLUMN name TYPE varchar(20), ALTER COLUMN born TYPE integer USING 0")
			if inPlace {
				ownerTypesSetup(t, e, "SELECT 1", true)
			}
			// The vendor makes code a string.
			second := mustTable(t, "Orders", "id*:int(11)", "code:varchar(10)", "name:varchar(40)", "born:date")
			res := e.mustLoad(t, l, second, "id,code,name,born\n1,A7,Bob,2021-03-04\n", Job{ExportID: "e2"})
			if want := wantMechanism(inPlace); res.Mechanism != want {
				t.Errorf("mechanism %s, want %s", res.Mechanism, want)
			}
			want := []string{"id integer", "code text", "name character varying(20)", "born date"}
			if got := formatTypes(t, e, "orders"); !slices.Equal(got, want) {
				t.Errorf("types %q, want %q", got, want)
			}
			for _, c := range []string{`retyped column "code" from integer to text`,
				`kept column "name" as character varying(20) (the owner's type; the export has text)`,
				`retyped column "born" from integer to date (the owner's type integer cannot hold the export's date values)`} {
				if !slices.Contains(res.SchemaChanges, c) {
					t.Errorf("changes %q do not say %q", res.SchemaChanges, c)
				}
			}
			if got, want := e.rows(t, "orders", "id"), [][]string{{"1", "A7", "Bob", "2021-03-04"}}; !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("rows %q, want %q", got, want)
			}
		})
	}
}

func wantMechanism(inPlace bool) string {
	if inPlace {
		return MechanismInPlace
	}
	return MechanismSwap
}

// TestMadeType: whose a column's type is, by the last load's ledger row:
// mbiload's when recorded as it is now, or (a row of a version that did
// not record types) when that load wrote the column; the owner's when the
// record says another type or nothing, or there was no load.
func TestMadeType(t *testing.T) {
	t.Parallel()
	tbl := mustTable(t, "Orders", "id*:int(11)", "name:varchar(40)")
	rec := func(types map[string]string) []byte {
		return encodeSourceColumns(tbl, []string{"id"}, nil, types)
	}
	name := &tableColumn{Name: "name", TypeName: "text"}
	tests := []struct {
		name string
		last *lastNames
		want bool
	}{
		{name: "recorded as it is", last: parseLastNames(nil, rec(map[string]string{"name": "text"})), want: true},
		{name: "recorded as another type", last: parseLastNames(nil, rec(map[string]string{"name": "character varying(40)"}))},
		{name: "not recorded: the owner's", last: parseLastNames(nil, rec(map[string]string{}))},
		{name: "an earlier version wrote the column", last: parseLastNames(nil, sourceColumns(tbl, []string{"id"})), want: true},
		{name: "no load", last: parseLastNames(nil, nil)},
		{name: "nothing read", last: nil},
	}
	for _, tc := range tests {
		if got := tc.last.madeType(name); got != tc.want {
			t.Errorf("%s: madeType = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestAppendMergeWriteOwnerTypes: an append (straight into the table, or
// staged when it adds a column) and a merge write the export's values
// into the types the owner chose, each checked; a value that does not fit
// fails naming its line and column, and the table keeps its rows. A
// column whose type mbiload made is still refused (the vendor changed
// it: a replace takes the new type).
func TestAppendMergeWriteOwnerTypes(t *testing.T) {
	t.Parallel()
	const ddl = "CREATE TABLE %s.orders (id integer PRIMARY KEY, status varchar(5), paid boolean); INSERT INTO %s.orders VALUES (9, 'old', true)"
	cols := []string{"id*:int(11)", "status:varchar(255)", "paid:int(11)"}
	tests := []struct {
		name   string
		mode   Mode
		note   bool // the export adds a column: a staged append
		csv    string
		want   [][]string
		line   int64
		column string
	}{
		{name: "append", mode: ModeAppend, csv: "id,status,paid\n1,new,0\n",
			want: [][]string{{"1", "new", "f"}, {"9", "old", "t"}}},
		{name: "staged append", mode: ModeAppend, note: true, csv: "id,status,paid,note\n1,new,0,n\n",
			want: [][]string{{"1", "new", "f", "n"}, {"9", "old", "t", "<nil>"}}},
		{name: "merge", mode: ModeMerge, csv: "id,status,paid\n9,done,0\n1,new,1\n",
			want: [][]string{{"1", "new", "t"}, {"9", "done", "f"}}},
		{name: "append too long", mode: ModeAppend, csv: "id,status,paid\n1,new,0\n2,shipped,1\n", line: 3, column: "status"},
		{name: "staged append no boolean", mode: ModeAppend, note: true, csv: "id,status,paid,note\n1,new,3,n\n", line: 2, column: "paid"},
		{name: "merge too long", mode: ModeMerge, csv: "id,status,paid\n9,shipped,0\n", line: 2, column: "status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			l := e.loader(t, Config{})
			mustExec(t, e.pool, strings.ReplaceAll(ddl, "%s", e.schema))
			c := cols
			if tc.note {
				c = append(slices.Clone(cols), "note:varchar(255)")
			}
			tbl := mustTable(t, "Orders", c...)
			plan, err := l.Plan(context.Background(), tbl, tc.mode)
			if err != nil || len(plan.Problems) > 0 ||
				!slices.Contains(plan.Changes, `column "status": the export's text written into the owner's character varying(5), each value checked to fit`) {
				t.Errorf("dry run: %+v, %v; want the owner's types written, no problem", plan, err)
			}
			before := e.rows(t, "orders", "id")
			_, err = e.load(t, l, tbl, tc.csv, Job{ExportID: "e1", Mode: tc.mode})
			if tc.line > 0 {
				var re *RowError
				if !errors.As(err, &re) || !errors.Is(err, ErrBadValue) || re.Line != tc.line || re.Column != tc.column {
					t.Fatalf("got %v, want a bad value in line %d, column %q", err, tc.line, tc.column)
				}
				if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, before, slices.Equal) {
					t.Errorf("after the failed load: got %v, want the old rows %v", got, before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.rows(t, "orders", "id"); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
		})
	}
	// bigint into mbiload's integer column: an owner's integer would take
	// it, value by value.
	t.Run("a type mbiload made", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		l := e.loader(t, Config{})
		e.mustLoad(t, l, mustTable(t, "Orders", "id*:int(11)", "code:int(11)"), "id,code\n1,7\n", Job{ExportID: "e1", Mode: ModeAppend})
		_, err := e.load(t, l, mustTable(t, "Orders", "id*:int(11)", "code:bigint"), "id,code\n2,7\n", Job{ExportID: "e2", Mode: ModeAppend})
		var ce *ColumnError
		if !errors.As(err, &ce) || !errors.Is(err, ErrIncompatibleType) || ce.Column != "code" {
			t.Fatalf("got %v, want the new type refused", err)
		}
	})
}
