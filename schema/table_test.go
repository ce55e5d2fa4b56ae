package schema

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustColumns(t testing.TB, path string) []Column {
	t.Helper()
	cols, err := ReadColumnsFile(path)
	if err != nil {
		t.Fatalf("read columns: %v", err)
	}
	return cols
}

func TestParseColumnsLenient(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr bool
	}{
		{"wrapped", `{"columns":[{"id":1,"name":"a","type":"Integer"}]}`, 1, false},
		{"bare array", `[{"id":"1","name":"a","type":"Integer"},{"name":"b","type":"String"}]`, 2, false},
		{"other wrapper key with one array", `{"data":[{"name":"a","type":"Integer"}],"count":1}`, 1, false},
		{"case-insensitive key", `{"Columns":[{"name":"a","type":"Integer"}]}`, 1, false},
		{"null list", `{"columns":null}`, 0, false},
		{"no name", `[{"id":1,"type":"Integer"}]`, 0, true},
		{"not json", `<html>`, 0, true},
		{"empty", ``, 0, true},
		{"bad flag", `[{"name":"a","type":"Integer","is_primary_key":"maybe"}]`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, err := ParseColumns([]byte(tt.in))
			if tt.wantErr {
				if err == nil || !errors.Is(err, ErrBadMetadata) {
					t.Fatalf("got %v, %v; want ErrBadMetadata", cols, err)
				}
				return
			}
			if err != nil || len(cols) != tt.want {
				t.Fatalf("got %d columns, %v; want %d", len(cols), err, tt.want)
			}
		})
	}
}

func TestColumnFields(t *testing.T) {
	cols := mustColumns(t, "testdata/hostile.columns.json")
	c := cols[0]
	if c.ID != "17" || !bool(c.IsPrimaryKey) || !c.NotNull() {
		t.Errorf("got id %q pk %v notnull %v, want 17 true true (string id, 1 as true, \"false\" as false)", c.ID, c.IsPrimaryKey, c.NotNull())
	}
	if cols[1].Precision != 12 || cols[1].Scale != 4 || !bool(cols[1].IsCalculated) || cols[1].NotNull() {
		t.Errorf("got %+v, want precision 12 scale 4 calculated nullable", cols[1])
	}
	if cols[2].NotNull() {
		t.Errorf("got NOT NULL for a column whose metadata does not say, want nullable")
	}
}

func TestIDJSON(t *testing.T) {
	tests := []struct {
		in, want, out string
	}{
		{`51`, "51", `51`},
		{`"51"`, "51", `51`},
		{`"abc-1"`, "abc-1", `"abc-1"`},
		{`"007"`, "007", `"007"`},
		{`null`, "", `""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var id ID
			if err := id.UnmarshalJSON([]byte(tt.in)); err != nil || string(id) != tt.want {
				t.Fatalf("got %q, %v; want %q", id, err, tt.want)
			}
			out, err := id.MarshalJSON()
			if err != nil || string(out) != tt.out {
				t.Errorf("marshal: got %s, %v; want %s", out, err, tt.out)
			}
		})
	}
}

func TestNewTable(t *testing.T) {
	cols := mustColumns(t, "testdata/hostile.columns.json")
	tbl, err := NewTable("3", "orders_~_line_items-mps", cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Name != "orders_line_items_mps" {
		t.Errorf("got table name %q, want orders_line_items_mps", tbl.Name)
	}
	want := []string{"variant_id_pk", "customer_s_lifetime_revenue", "ship_to_city", "ship_to_city_2", "created_at", "notes_path"}
	if got := tbl.ColumnNames(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got columns %q, want %q", got, want)
	}
	if len(tbl.Warnings) != 1 || !strings.Contains(tbl.Warnings[0], "mystery type") {
		t.Errorf("got warnings %q, want one about the unknown type", tbl.Warnings)
	}
	if pk := tbl.PrimaryKey(); len(pk) != 1 || pk[0] != 0 {
		t.Errorf("got primary key %v, want [0]", pk)
	}
	if i := tbl.FieldIndex("Ship-To City"); i != 2 {
		t.Errorf("got FieldIndex %d, want 2", i)
	}
	sch := tbl.ArrowSchema()
	if sch.NumFields() != len(cols) || sch.Field(0).Nullable || !sch.Field(1).Nullable {
		t.Errorf("got arrow schema %v, want 6 fields, the first not nullable", sch)
	}
	if v, _ := sch.Field(1).Metadata.GetValue(MetaSourceName); v != "Customer's lifetime revenue" {
		t.Errorf("got source name metadata %q", v)
	}

	t.Run("source time zone makes timestamptz", func(t *testing.T) {
		loc, err := time.LoadLocation("America/New_York")
		if err != nil {
			t.Fatalf("load time zone: %v", err)
		}
		tz, err := NewTable("3", "t", cols, Options{SourceTimezone: loc})
		if err != nil {
			t.Fatal(err)
		}
		if got := tz.Fields[4].Type.Kind; got != KindTimestampTZ {
			t.Errorf("got %v, want timestamptz", got)
		}
	})
	t.Run("errors", func(t *testing.T) {
		if _, err := NewTable("1", "t", nil, Options{}); !errors.Is(err, ErrNoColumns) {
			t.Errorf("no columns: got %v, want ErrNoColumns", err)
		}
		dup := []Column{{Name: "a", Type: "Integer"}, {Name: "a", Type: "String"}}
		if _, err := NewTable("1", "t", dup, Options{}); !errors.Is(err, ErrDuplicateColumn) {
			t.Errorf("duplicate: got %v, want ErrDuplicateColumn", err)
		}
		bad := []Column{{Name: "a", Type: "decimal(2,5)"}}
		if _, err := NewTable("1", "t", bad, Options{}); err == nil || !strings.Contains(err.Error(), `column "a"`) {
			t.Errorf("bad decimal: got %v, want an error naming the column", err)
		}
		if _, err := NewTable("1", "t", dup[:1], Options{Identifiers: "camel"}); err == nil {
			t.Errorf("bad mode: got no error")
		}
	})
}

// TestDDLGolden checks the CREATE TABLE and COMMENT statements of a table
// with hostile names against testdata/hostile.ddl.golden (go test -update
// rewrites it).
func TestDDLGolden(t *testing.T) {
	cols := mustColumns(t, "testdata/hostile.columns.json")
	for _, mode := range []IdentifierMode{IdentifiersSnake, IdentifiersPreserve} {
		t.Run(string(mode), func(t *testing.T) {
			tbl, err := NewTable("3", "orders_~_line_items-mps", cols, Options{Identifiers: mode})
			if err != nil {
				t.Fatal(err)
			}
			got := tbl.DDL("mbi")
			golden := filepath.Join("testdata", "hostile."+string(mode)+".ddl.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test -update once): %v", err)
			}
			if got != string(want) {
				t.Errorf("got DDL:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
