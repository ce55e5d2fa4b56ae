package progress

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/simulator/simtest"
	"github.com/mbiload/mbiload/internal/testlog"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
)

// tableLabel finds the table attribute of a progress log line.
var tableLabel = regexp.MustCompile(`msg=progress table=("(?:[^"\\]|\\.)*"|\S+)`)

// progressLabels returns the table attribute of every progress line of
// a text log, in order.
func progressLabels(t testing.TB, log string) []string {
	t.Helper()
	var out []string
	for _, m := range tableLabel.FindAllStringSubmatch(log, -1) {
		label := m[1]
		if label[0] == '"' {
			var err error
			if label, err = strconv.Unquote(label); err != nil {
				t.Fatalf("unquote %s: %v", m[1], err)
			}
		}
		out = append(out, label)
	}
	return out
}

// TestPlainKeys checks that the plain display keeps a line per key, named
// by the key's label (by the key itself when none was given), so that two
// tables of one name each get a line.
func TestPlainKeys(t *testing.T) {
	t.Parallel()
	type start struct{ key, label string }
	tests := []struct {
		name   string
		starts []start
		keys   []string // in flight, in the order of their first stage
		want   []string // labels of one report, in order
	}{
		{
			name:   "labels given",
			starts: []start{{"figure 1", "Revenue (figure_revenue)"}, {"figure 2", "Revenue (figure_revenue_2)"}},
			keys:   []string{"figure 1", "figure 2"},
			want:   []string{"Revenue (figure_revenue)", "Revenue (figure_revenue_2)"},
		},
		{
			name:   "one label for two keys",
			starts: []start{{"table 7", "Revenue"}, {"figure 7", "Revenue"}},
			keys:   []string{"table 7", "figure 7"},
			want:   []string{"Revenue", "Revenue"},
		},
		{
			name: "no label",
			keys: []string{"table 9"},
			want: []string{"table 9"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out testlog.Buffer
			p := newPlain(slog.New(slog.NewTextHandler(&out, nil)), time.Hour)
			defer p.Close()
			for _, s := range tt.starts {
				p.Start(s.key, s.label)
			}
			for _, k := range tt.keys {
				p.Stage(k, pipeline.StageExport)
				p.Rows(k, 1)
			}
			p.Stage("table 99", pipeline.StageLoad)
			p.Done("table 99", pipeline.TableReport{})
			p.report()
			got := progressLabels(t, out.String())
			if len(got) != len(tt.want) {
				t.Fatalf("lines: got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d: got %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestBarsKeys checks that the live display draws a line per key with the
// key's label, two lines for two keys of one name.
func TestBarsKeys(t *testing.T) {
	t.Parallel()
	var out testlog.Buffer
	d, draw := testBars(t, &out)
	d.Start("figure 1", "Revenue (figure_revenue)")
	d.Start("figure 2", "Revenue (figure_revenue_2)")
	d.Stage("figure 1", pipeline.StageDownload)
	d.Stage("figure 2", pipeline.StageDownload)
	d.mu.Lock()
	lines := len(d.tables)
	d.mu.Unlock()
	if lines != 2 {
		t.Errorf("lines: got %d, want 2", lines)
	}
	draw() // with both in flight
	text := out.String()
	d.Close()
	for _, want := range []string{"Revenue (figure_revenue)", "Revenue (figure_revenue_2)"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(text) {
			t.Errorf("output: got %q, want it to hold %q", text, want)
		}
	}
}

// inFlight is a plain display that holds each watched label (when a key
// with it starts its first stage) until all of them are there, then
// writes one report and lets them go: a moment with every one of them in
// flight, whatever the scheduling.
type inFlight struct {
	*plain
	mu      sync.Mutex
	waiting map[string]int // watched labels not yet arrived, with how many keys have them
	all     chan struct{}  // closed once every watched label arrived
}

func newInFlight(p *plain, labels []string) *inFlight {
	f := &inFlight{plain: p, waiting: map[string]int{}, all: make(chan struct{})}
	for _, l := range labels {
		f.waiting[l]++
	}
	return f
}

func (f *inFlight) Stage(key, stage string) {
	f.plain.Stage(key, stage)
	f.plain.mu.Lock()
	label := f.plain.labels.of(key)
	f.plain.mu.Unlock()
	f.mu.Lock()
	n, watched := f.waiting[label]
	if !watched {
		f.mu.Unlock()
		return
	}
	if n > 1 {
		f.waiting[label] = n - 1
	} else {
		delete(f.waiting, label)
	}
	last := len(f.waiting) == 0
	f.mu.Unlock()
	if last {
		f.plain.report()
		close(f.all)
		return
	}
	select {
	case <-f.all:
	case <-time.After(10 * time.Second): // the test fails on the missing line
	}
}

// revenueTable is a warehouse table named like the built-in figure.
func revenueTable() simulator.Table {
	cols := []schema.Column{{ID: "1", Name: "id", Type: "Integer", IsPrimaryKey: true}}
	return simulator.Table{ID: "900", Name: "Revenue by Month", Columns: cols, Rows: 1,
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write([]string{"id"})
			cw.Write([]string{"1"})
			cw.Flush()
			return cw.Error()
		}}
}

// TestSyncLines runs a sync (a dry run, which needs no database) of
// figures, charts and tables whose names repeat through the plain
// display, and checks that each one in flight has a line of its own,
// named by its source name and, when the name repeats, its target.
func TestSyncLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		extra   []simulator.Table
		renames map[int64]string
		tables  []string
		figures []string
		charts  []string
		want    []string // labels of the lines, sorted
	}{
		{
			name:    "two figures of one name",
			renames: map[int64]string{simulator.FigureOrdersByStatus: "Revenue by Month"},
			figures: []string{"360531", "360532"},
			want:    []string{"Revenue by Month (figure_revenue_by_month)", "Revenue by Month (figure_revenue_by_month_360532)"},
		},
		{
			name:    "a figure and a chart of one name",
			renames: map[int64]string{simulator.ChartCustomerCohorts: "Revenue by Month"},
			figures: []string{"360531"},
			charts:  []string{"2038112"},
			want:    []string{"Revenue by Month (chart_revenue_by_month)", "Revenue by Month (figure_revenue_by_month)"},
		},
		{
			name:    "a table and a figure of one name",
			extra:   []simulator.Table{revenueTable()},
			tables:  []string{"900"},
			figures: []string{"360531"},
			want:    []string{"Revenue by Month (figure_revenue_by_month)", "Revenue by Month (revenue_by_month)"},
		},
		{
			name:    "names that differ",
			figures: []string{"360531", "360532"},
			charts:  []string{"2038112"},
			want:    []string{"Customer cohorts", "Orders by Status (SQL)", "Revenue by Month"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tables := append(simulator.Generated(20, 1), tt.extra...)
			_, srv := simtest.Start(t, simulator.Config{Key: "sk-PROGRESS-never-print", ClientID: "12", Tables: tables,
				ReportNames: tt.renames})
			client, err := extract.New(extract.Config{BaseURL: srv.URL + "/0.1", APIKey: "sk-PROGRESS-never-print", ClientID: "12",
				Retry: extract.RetryPolicy{InitialDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond, MaxAttempts: 5}})
			if err != nil {
				t.Fatal(err)
			}
			var out testlog.Buffer
			p := newPlain(slog.New(slog.NewTextHandler(&out, nil)), time.Hour)
			display := newInFlight(p, tt.want)
			runner := &pipeline.Runner{Client: client, Observer: display}
			opts := pipeline.Options{DryRun: true, TempDir: t.TempDir(), Concurrency: 2, Tables: tt.tables,
				Figures: tt.figures, Charts: tt.charts}
			if opts.Tables == nil {
				opts.Tables = []string{"sales_order"}
			}
			rep, err := runner.Sync(context.Background(), opts)
			p.Close()
			if err != nil || rep.Status != pipeline.RunSucceeded {
				t.Fatalf("Sync: got %v, status %q, want a planned run", err, rep.Status)
			}
			var got []string
			for _, label := range progressLabels(t, out.String()) {
				for _, w := range tt.want {
					if label == w {
						got = append(got, label)
					}
				}
			}
			sort.Strings(got)
			if len(got) != len(tt.want) {
				t.Fatalf("lines: got %q in %q, want one each of %q", got, out.String(), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d: got %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
