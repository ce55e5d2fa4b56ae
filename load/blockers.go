package load

import (
	"fmt"
	"strings"
)

// blockers decides, from what the catalog says of a target table (info),
// its dependents (d; d.Blockers is not read) and the other objects that
// depend on it (others, as pg_describe_object names them), which things a
// rename-swap cannot carry: each is a reason to publish in place. It reads
// no database.
func blockers(info *tableInfo, d *dependents, others []string) []string {
	var out []string
	for _, x := range d.Indexes {
		if !strings.HasPrefix(x.Def, x.Prefix) {
			out = append(out, fmt.Sprintf("index %q has a definition mbiload cannot re-create", x.Name))
		}
	}
	for _, v := range d.Views {
		switch {
		case v.Kind != "v":
			out = append(out, fmt.Sprintf("%s %s reads it", relkindName(v.Kind), v.Name))
		case !v.CanOwn:
			out = append(out, fmt.Sprintf("view %s belongs to a role mbiload cannot act as", v.Name))
		}
	}
	for _, f := range d.FKRefs {
		out = append(out, fmt.Sprintf("foreign key %q of %s references it", f.Name, f.Table))
	}
	for _, o := range others {
		out = append(out, o+" depends on it")
	}
	switch {
	case info.Kind == "p":
		out = append(out, "it is partitioned")
	case info.IsPartition:
		out = append(out, "it is a partition")
	case info.HasSubclass:
		out = append(out, "other tables inherit from it")
	}
	if info.RowSecurity {
		out = append(out, "row-level security is enabled")
	}
	if info.ReplIdent != "d" {
		out = append(out, "it has a non-default replica identity")
	}
	if info.Tablespace != 0 {
		out = append(out, "it lives in a non-default tablespace")
	}
	if !info.CanOwn {
		out = append(out, fmt.Sprintf("it belongs to role %q, which mbiload cannot act as", info.Owner))
	}
	return append(out, additionBlockers(info, d)...)
}
