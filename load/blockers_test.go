package load

import (
	"slices"
	"testing"
)

// TestBlockers holds the blocker policy to every reason it gives, with the
// exact message and order, from catalog facts alone (no database). Each
// case starts from a table a swap can carry, with an index, a constraint
// and a view that block nothing, and changes what it names.
func TestBlockers(t *testing.T) {
	t.Parallel()
	const prefix = `CREATE INDEX orders_total ON mbi.orders USING `
	str := func(s string) *string { return &s }
	tests := []struct {
		name   string
		change func(info *tableInfo, d *dependents, others *[]string)
		want   []string
	}{
		{name: "nothing blocks", change: func(*tableInfo, *dependents, *[]string) {}},
		{name: "index definition", change: func(_ *tableInfo, d *dependents, _ *[]string) {
			d.Indexes = append(d.Indexes, indexInfo{Name: "odd", Def: "CREATE INDEX odd ON other.t USING btree (id)", Prefix: prefix})
		}, want: []string{`index "odd" has a definition mbiload cannot re-create`}},
		{name: "materialized view", change: func(_ *tableInfo, d *dependents, _ *[]string) {
			d.Views[0].Kind = "m"
		}, want: []string{`materialized view mbi.v reads it`}},
		{name: "view of another role", change: func(_ *tableInfo, d *dependents, _ *[]string) {
			d.Views[0].CanOwn = false
		}, want: []string{`view mbi.v belongs to a role mbiload cannot act as`}},
		{name: "referencing foreign key", change: func(_ *tableInfo, d *dependents, _ *[]string) {
			d.FKRefs = []fkRef{{Name: "items_order_fk", Table: "mbi.items"}}
		}, want: []string{`foreign key "items_order_fk" of mbi.items references it`}},
		{name: "other object", change: func(_ *tableInfo, _ *dependents, others *[]string) {
			*others = []string{"trigger audit on table mbi.orders"}
		}, want: []string{`trigger audit on table mbi.orders depends on it`}},
		{name: "partitioned", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.Kind, info.IsPartition, info.HasSubclass = "p", true, true
		}, want: []string{"it is partitioned"}},
		{name: "partition", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.IsPartition, info.HasSubclass = true, true
		}, want: []string{"it is a partition"}},
		{name: "inherited from", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.HasSubclass = true
		}, want: []string{"other tables inherit from it"}},
		{name: "row-level security", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.RowSecurity, info.ForceRLS = true, true
		}, want: []string{"row-level security is enabled"}},
		{name: "replica identity", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.ReplIdent = "f"
		}, want: []string{"it has a non-default replica identity"}},
		{name: "tablespace", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.Tablespace = 16400
		}, want: []string{"it lives in a non-default tablespace"}},
		{name: "owner", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.CanOwn = false
		}, want: []string{`it belongs to role "etl", which mbiload cannot act as`}},
		{name: "inherits", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.Parents = []string{"mbi.a", "mbi.b"}
		}, want: []string{"it inherits from mbi.a, mbi.b"}},
		{name: "typed table", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.OfType = "mbi.order_t"
		}, want: []string{"it is a table of type mbi.order_t"}},
		{name: "forced row-level security alone", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.ForceRLS = true
		}, want: []string{"row-level security is forced"}},
		{name: "security label", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.Labels = true
		}, want: []string{"it has a security label"}},
		{name: "index statistics target", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.IndexStatTargets = []string{"orders_expr"}
		}, want: []string{`index "orders_expr" has a column statistics target`}},
		{name: "identity column", change: func(info *tableInfo, _ *dependents, _ *[]string) {
			info.Columns[0].Identity = "a"
		}, want: []string{`column "id" is an identity column`}},
		{name: "index tablespace", change: func(_ *tableInfo, d *dependents, _ *[]string) {
			d.Indexes[0].Tablespace = "fast"
		}, want: []string{`index "orders_total" lives in tablespace "fast"`}},
		{name: "constraint index tablespace and storage parameters", change: func(_ *tableInfo, d *dependents, _ *[]string) {
			d.Constraints[0].Index.Tablespace = "fast"
			d.Constraints[0].IndexOptions = []string{"fillfactor=70"}
		}, want: []string{`index "orders_pkey" lives in tablespace "fast"`, `index "orders_pkey" has storage parameters`}},
		{name: "self-referencing foreign key", change: func(_ *tableInfo, d *dependents, _ *[]string) {
			d.Constraints = append(d.Constraints, constraintInfo{Name: "orders_parent_fk", Type: "f", SelfRef: true})
		}, want: []string{`foreign key "orders_parent_fk" references the table itself`}},
		{name: "several, in policy order", change: func(info *tableInfo, d *dependents, others *[]string) {
			info.CanOwn, info.Labels, info.Kind = false, true, "p"
			d.FKRefs = []fkRef{{Name: "b_fk", Table: "mbi.b"}, {Name: "a_fk", Table: "mbi.a"}}
			d.Views[0].Kind = "m"
			d.Indexes[0].Prefix = "CREATE UNIQUE INDEX orders_total ON mbi.orders USING "
			*others = []string{"policy p on table mbi.orders", "rule r on table mbi.orders"}
		}, want: []string{
			`index "orders_total" has a definition mbiload cannot re-create`,
			`materialized view mbi.v reads it`,
			`foreign key "b_fk" of mbi.b references it`,
			`foreign key "a_fk" of mbi.a references it`,
			`policy p on table mbi.orders depends on it`,
			`rule r on table mbi.orders depends on it`,
			"it is partitioned",
			`it belongs to role "etl", which mbiload cannot act as`,
			"it has a security label",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info := &tableInfo{Kind: "r", ReplIdent: "d", Owner: "etl", CanOwn: true,
				Columns: []tableColumn{{Num: 1, Name: "id"}, {Num: 2, Name: "total"}}}
			d := &dependents{
				Indexes: []indexInfo{{Name: "orders_total", Def: prefix + "btree (total)", Prefix: prefix,
					Columns: []int16{2}, Comment: str("by total")}},
				Constraints: []constraintInfo{{Name: "orders_pkey", Type: "p", Columns: []int16{1},
					Index: indexInfo{Name: "orders_pkey"}}},
				Views: []viewInfo{{Name: "mbi.v", Kind: "v", CanOwn: true}},
			}
			var others []string
			tt.change(info, d, &others)
			if got := blockers(info, d, others); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
