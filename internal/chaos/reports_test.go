//go:build chaos

package chaos

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// reportTargets are the built-in figures and charts a sync loads in these
// scenarios, with the table each lands in.
var reportTargets = []struct {
	kind, id, table string
}{
	{"figure", "360531", "figure_revenue_by_month"},
	{"figure", "360532", "figure_orders_by_status_sql"},
	{"chart", "2038112", "chart_customer_cohorts"},
}

// TestReportListShapes runs figures list and a sync of the built-in
// figures and chart against a simulator serving the figure and chart
// lists in each shape a client must accept: the live service's
// figureExports/chartExports list, the same as an object keyed by id, the
// older figures/charts lists, and the older shape keyed, bare and with
// string ids and unknown fields; once more keyed by id under API faults.
// Every run must exit 0 with each figure and chart table holding exactly
// the rows the simulator's csv export of it holds (the oracle, read from a
// clean simulator of the same data) and the tables identical to their
// source.
func TestReportListShapes(t *testing.T) {
	cases := []struct {
		name, fault string
		flags       []string
	}{
		{name: "live", fault: "figure and chart lists as figureExports/chartExports lists"},
		{name: "keyed", fault: "figure and chart lists keyed by id",
			flags: []string{"--quirks", "keyed-reports"}},
		{name: "legacy", fault: "older figures/charts lists with type",
			flags: []string{"--quirks", "legacy-reports"}},
		{name: "legacy_keyed_bare", fault: "older lists keyed by id, bare, string ids, extra fields",
			flags: []string{"--quirks", "legacy-reports,keyed-reports,bare-arrays,string-ids,extra-fields"}},
		{name: "keyed_faults", fault: "figure lists keyed by id under API 5xx and 429",
			flags: []string{"--quirks", "keyed-reports", "--fault-rate", "0.2", "--throttle-rate", "0.1"}},
	}
	scale := st.cfg.scale
	seed := st.cfg.seed*1000 + 501
	base := newBase(t)
	oracle := reportOracle(t, base, scale, seed)
	v := st.generated(t, scale, seed)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := base.sub(t, kindSurvive, tc.fault)
			sc.schema, sc.ledger = fmt.Sprintf("%s_%d", base.schema, i), fmt.Sprintf("%s_%d", base.ledger, i)
			s := sc.startSim(simArgs{scale: scale, seed: seed, flags: tc.flags})
			r := sc.run(sc.env(s), "figures", "list")
			sc.expectOK(r)
			for _, want := range []string{"360531", "Revenue by Month", "visual", "360532", "sql"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("figures list: got %q, want it to hold %q", r.stdout, want)
				}
			}
			r = sc.sync(s, "--figures", "360531,360532", "--charts", "2038112")
			s.stop()
			sc.expectOK(r)
			sc.expectVersion(v)
			sc.expectReports(oracle)
			sc.expectNoTempFiles()
			sc.fig.injected = s.faults()
		})
	}
}

// reportOracle reads the csv export of every report target (with its
// header row) from a clean simulator of the data at scale and seed: the
// first column's values, by table.
func reportOracle(t *testing.T, sc *scn, scale, seed int64) map[string][]string {
	t.Helper()
	s := sc.startSim(simArgs{scale: scale, seed: seed})
	defer s.stop()
	out := map[string][]string{}
	for _, rt := range reportTargets {
		ctx, cancel := withTimeout(time.Minute)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			s.url+"/"+rt.kind+"/"+rt.id+"/export?format=csv&includeColumnHeaders=1", nil)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		req.Header.Set("X-RJM-API-Key", st.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("oracle export of %s %s: %v", rt.kind, rt.id, err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("oracle export of %s %s: got %d (%v)", rt.kind, rt.id, resp.StatusCode, err)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("oracle export of %s %s: %d records (%v), want a header and rows", rt.kind, rt.id, len(recs), err)
		}
		for _, rec := range recs[1:] {
			out[rt.table] = append(out[rt.table], rec[0])
		}
		slices.Sort(out[rt.table])
	}
	return out
}

// expectReports checks that each report target table holds exactly the
// oracle's rows (by its first column), adding what differs to the rows
// lost and duplicated.
func (sc *scn) expectReports(oracle map[string][]string) {
	sc.t.Helper()
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	for _, rt := range reportTargets {
		want := oracle[rt.table]
		got, err := firstColumn(ctx, schema.Quote(sc.schema, rt.table))
		if err != nil {
			sc.fig.lost += int64(len(want))
			sc.t.Errorf("%s %s: read %s: %v", rt.kind, rt.id, rt.table, err)
			continue
		}
		lost, dup := multisetDiff(want, got), multisetDiff(got, want)
		sc.fig.lost += int64(lost)
		sc.fig.dup += int64(dup)
		if lost+dup > 0 {
			sc.t.Errorf("%s %s: table %s holds %q, want %q", rt.kind, rt.id, rt.table, got, want)
		}
	}
}

// firstColumn returns the text of the first column of every row of a
// table, sorted.
func firstColumn(ctx context.Context, table string) ([]string, error) {
	rows, err := st.db.Query(ctx, "SELECT (to_jsonb(t) -> (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum = 1)) #>> '{}' FROM "+
		table+" t", table)
	if err != nil {
		return nil, err
	}
	vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
	slices.Sort(vals)
	return vals, err
}

// multisetDiff counts the values of a that b lacks, with multiplicity.
func multisetDiff(a, b []string) int {
	left := map[string]int{}
	for _, v := range b {
		left[v]++
	}
	n := 0
	for _, v := range a {
		if left[v] > 0 {
			left[v]--
		} else {
			n++
		}
	}
	return n
}
