package load

import (
	"strings"
	"testing"
)

// TestNotNullName: the names PostgreSQL 18 gives NOT NULL constraints
// (makeObjectName: the longer name shortened first, the column's on a
// tie, 63 bytes at most, never half a character), as an 18.4 server
// named them.
func TestNotNullName(t *testing.T) {
	a60, b10 := strings.Repeat("a", 60), strings.Repeat("b", 10)
	for _, tc := range []struct{ table, col, want string }{
		{"orders", "id", "orders_id_not_null"},
		{a60, b10, strings.Repeat("a", 43) + "_" + b10 + "_not_null"},
		{a60, b10 + b10 + b10 + b10 + b10 + b10, strings.Repeat("a", 27) + "_" + strings.Repeat("b", 26) + "_not_null"},
		{strings.Repeat("é", 30), "x", strings.Repeat("é", 26) + "_x_not_null"},
	} {
		got := notNullName(tc.table, tc.col)
		if got != tc.want || len(got) > 63 {
			t.Errorf("notNullName(%q, %q) = %q (%d bytes), want %q", tc.table, tc.col, got, len(got), tc.want)
		}
	}
}

// TestNotNullDef: a staging column's NOT NULL carries the old
// constraint's name, NO INHERIT and NOT VALID (the last as an ALTER TABLE
// action), or the name PostgreSQL would give it on the target.
func TestNotNullDef(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old      *tableColumn
		def, add string
	}{
		{"new column", nil, ` CONSTRAINT "orders_total_not_null" NOT NULL`, ""},
		{"before 18 (no name in the catalog)", &tableColumn{NotNull: true}, ` CONSTRAINT "orders_total_not_null" NOT NULL`, ""},
		{"owner's name", &tableColumn{NotNull: true, NotNullName: "my nn"}, ` CONSTRAINT "my nn" NOT NULL`, ""},
		{"NO INHERIT", &tableColumn{NotNull: true, NotNullName: "nn", NotNullNoInherit: true}, ` CONSTRAINT "nn" NOT NULL NO INHERIT`, ""},
		{"NOT VALID", &tableColumn{NotNull: true, NotNullName: "nn", NotNullNotValid: true, NotNullNoInherit: true},
			"", `ADD CONSTRAINT "nn" NOT NULL "total" NO INHERIT NOT VALID`},
	} {
		def, add := notNullDef("orders", "total", tc.old)
		if def != tc.def || add != tc.add {
			t.Errorf("%s: got %q, %q; want %q, %q", tc.name, def, add, tc.def, tc.add)
		}
	}
}

// TestOptionListLeavesOutPgAttver: the attoptions entry PostgreSQL 15.20
// manages itself is never pasted into SQL; the owner's options are.
func TestOptionListLeavesOutPgAttver(t *testing.T) {
	got := optionList([]string{"pg_attver=22158912", "n_distinct=5"})
	if want := "n_distinct = '5'"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
