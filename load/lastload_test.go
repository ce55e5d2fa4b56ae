package load

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// sourceColumns encodes source_columns for t as a load that records only
// its NOT NULLs (nil: not recorded) wrote it.
func sourceColumns(t *schema.Table, notNull []string) []byte {
	return encodeSourceColumns(t, notNull, nil, nil)
}

// TestParseLastNames: source_columns as earlier versions wrote it (names
// only: every NOT NULL the owner's), as loads write it now, damaged; and
// a new row read the way earlier versions read it still gives the names.
func TestParseLastNames(t *testing.T) {
	t.Parallel()
	tbl := mustTable(t, "people", "id*:int(11)", "Qty Left:int(11)")
	src := "People"
	tests := []struct {
		name    string
		cols    []byte
		want    map[string]string
		notNull map[string]bool // nil: not recorded
	}{
		{name: "no row", cols: nil, want: map[string]string{}},
		{name: "before the record", cols: []byte(`{"id": "id", "qty_left": "Qty Left"}`),
			want: map[string]string{"id": "id", "qty_left": "Qty Left"}},
		{name: "now", cols: sourceColumns(tbl, []string{"id"}),
			want: map[string]string{"id": "id", "qty_left": "Qty Left"}, notNull: map[string]bool{"id": true}},
		{name: "now, nothing NOT NULL", cols: sourceColumns(tbl, []string{}),
			want: map[string]string{"id": "id", "qty_left": "Qty Left"}, notNull: map[string]bool{}},
		{name: "a failed load's (not recorded)", cols: sourceColumns(tbl, nil),
			want: map[string]string{"id": "id", "qty_left": "Qty Left"}},
		{name: "damaged record", cols: []byte(`{"id": "id", "": {"not_null": "id"}}`), want: map[string]string{"id": "id"}},
		{name: "not JSON", cols: []byte(`[`), want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := parseLastNames(&src, tt.cols)
			if got.table != src || !maps.Equal(got.cols, tt.want) {
				t.Errorf("got %q %v, want %q %v", got.table, got.cols, src, tt.want)
			}
			if (got.notNull == nil) != (tt.notNull == nil) || !maps.Equal(got.notNull, tt.notNull) {
				t.Errorf("not null: got %v, want %v", got.notNull, tt.notNull)
			}
		})
	}
	// An earlier version decodes a map of strings, ignoring the error.
	old := map[string]string{}
	_ = json.Unmarshal(sourceColumns(tbl, []string{"id"}), &old)
	if got := slices.Sorted(maps.Keys(old)); !slices.Equal(got, []string{"", "id", "qty_left"}) || old["qty_left"] != "Qty Left" {
		t.Errorf("read as before: got %v, want every column's source name", old)
	}
}
