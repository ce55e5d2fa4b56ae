package main

import (
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestReportsGolden compares what the figures and charts commands print
// with testdata/reports.golden: the help names the subcommands it promises
// (list, describe, export), describe works under that name and its alias
// info, figures list shows each figure's type, and charts list has no
// empty TYPE column (the API gives charts no type).
func TestReportsGolden(t *testing.T) {
	sim := mustCLISim(t, simulator.Config{})
	var tr transcript
	for _, args := range [][]string{
		{"figures", "--help"},
		{"figures", "list"},
		{"figures", "describe", "360531"},
		{"figures", "info", "360532"},
		{"charts", "--help"},
		{"charts", "list"},
		{"charts", "describe", "2038112"},
	} {
		r := runCLI(t.Context(), sim.api(args...)...)
		if r.code != 0 {
			t.Fatalf("%q: exit code %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
		}
		tr.add(args, r.stdout)
	}
	checkGolden(t, "reports.golden", tr.String())
}
