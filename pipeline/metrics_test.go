package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// series is one parsed sample of the Prometheus text format.
type series struct {
	name   string
	labels map[string]string
	value  float64
}

// key renders the series' identity canonically: name and sorted labels.
func (s series) key() string {
	keys := make([]string, 0, len(s.labels))
	for k := range s.labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(s.name)
	for _, k := range keys {
		fmt.Fprintf(&b, ",%s=%q", k, s.labels[k])
	}
	return b.String()
}

// parseExposition parses the Prometheus text exposition format strictly
// enough for node_exporter's textfile collector: every line is a comment
// (# HELP name text, # TYPE name gauge) or name{labels} value; a sample's
// metric has a TYPE line before it; no series appears twice. It returns the
// samples in order.
func parseExposition(text string) ([]series, error) {
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("the text does not end with a line feed")
	}
	typed := map[string]bool{}
	seen := map[string]bool{}
	var out []series
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		n := i + 1
		if strings.HasPrefix(line, "#") {
			f := strings.SplitN(line, " ", 4)
			if len(f) < 3 || (f[1] != "HELP" && f[1] != "TYPE") || !validName(f[2]) {
				return nil, fmt.Errorf("line %d: bad comment %q", n, line)
			}
			if f[1] == "TYPE" {
				if len(f) != 4 || f[3] != "gauge" && f[3] != "counter" {
					return nil, fmt.Errorf("line %d: bad TYPE %q", n, line)
				}
				typed[f[2]] = true
			}
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if !typed[s.name] {
			return nil, fmt.Errorf("line %d: sample of %s before its TYPE line", n, s.name)
		}
		if seen[s.key()] {
			return nil, fmt.Errorf("line %d: duplicate series %s", n, s.key())
		}
		seen[s.key()] = true
		out = append(out, s)
	}
	return out, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}

// parseSample reads `name{a="x",b="y"} value`.
func parseSample(line string) (series, error) {
	s := series{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 || !validName(line[:i]) {
		return s, fmt.Errorf("bad metric name in %q", line)
	}
	s.name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.IndexByte(rest, '=')
			if eq <= 0 || !validName(rest[:eq]) || len(rest) < eq+2 || rest[eq+1] != '"' {
				return s, fmt.Errorf("bad label in %q", line)
			}
			name := rest[:eq]
			rest = rest[eq+2:]
			var val strings.Builder
			closed := false
			for len(rest) > 0 {
				c := rest[0]
				rest = rest[1:]
				if c == '"' {
					closed = true
					break
				}
				if c == '\n' {
					return s, fmt.Errorf("raw line feed in a label value in %q", line)
				}
				if c == '\\' {
					if rest == "" {
						return s, fmt.Errorf("dangling backslash in %q", line)
					}
					switch rest[0] {
					case '\\':
						val.WriteByte('\\')
					case '"':
						val.WriteByte('"')
					case 'n':
						val.WriteByte('\n')
					default:
						return s, fmt.Errorf("bad escape \\%c in %q", rest[0], line)
					}
					rest = rest[1:]
					continue
				}
				val.WriteByte(c)
			}
			if !closed {
				return s, fmt.Errorf("unterminated label value in %q", line)
			}
			if _, dup := s.labels[name]; dup {
				return s, fmt.Errorf("label %s twice in %q", name, line)
			}
			s.labels[name] = val.String()
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
			}
		}
	}
	if !strings.HasPrefix(rest, " ") {
		return s, fmt.Errorf("no value in %q", line)
	}
	fields := strings.Fields(rest)
	if len(fields) < 1 || len(fields) > 2 {
		return s, fmt.Errorf("want a value and an optional timestamp in %q", line)
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, fmt.Errorf("bad value in %q: %w", line, err)
	}
	s.value = v
	return s, nil
}

// mustMetrics writes rep's metrics with lastSuccess and parses them.
func mustMetrics(t testing.TB, rep *Report, lastSuccess LastSuccessFunc) []series {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mbiload.prom")
	if err := WriteMetrics(context.Background(), path, rep, lastSuccess); err != nil {
		t.Fatalf("WriteMetrics: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("metrics file mode: got %v, want 0644 (node_exporter reads it)", st.Mode().Perm())
	}
	out, err := parseExposition(string(data))
	if err != nil {
		t.Fatalf("metrics do not parse: %v\n%s", err, data)
	}
	return out
}

// find returns the value of the series with name and labels, and whether
// there is one.
func find(all []series, name string, labels map[string]string) (float64, bool) {
	want := series{name: name, labels: labels}.key()
	for _, s := range all {
		if s.key() == want {
			return s.value, true
		}
	}
	return 0, false
}

// TestWriteMetricsHostileNames checks label escaping and the values written
// for a report of hostile names, a failed table, a table that is loaded
// several times in one run (a backfill's series) and a figure.
func TestWriteMetricsHostileNames(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	rep := &Report{Command: "backfill", StartedAt: start, Tables: []TableReport{
		{Kind: "table", Source: `quote " back \ slash`, Target: `mbi.quote_back_slash`, TargetTable: "quote_back_slash",
			Status: StatusLoaded, RowsLoaded: 10, Durations: Durations{Total: 1.5}},
		{Kind: "table", Source: "line\nfeed", Target: "mbi.line_feed", TargetTable: "line_feed",
			Status: StatusFailed, Error: "boom", Durations: Durations{Total: 0.25}},
		{Kind: "table", Source: "orders_~_line_items-mps", Target: "mbi.orders_line_items_mps_history", TargetTable: "orders_line_items_mps_history",
			Status: StatusLoaded, ExportID: "1", RowsLoaded: 3, Durations: Durations{Total: 1}},
		{Kind: "table", Source: "orders_~_line_items-mps", Target: "mbi.orders_line_items_mps_history", TargetTable: "orders_line_items_mps_history",
			Status: StatusLoaded, ExportID: "2", RowsLoaded: 4, RowsRejected: 1, Durations: Durations{Total: 2}},
		{Kind: "figure", Source: "Revenue by Month", Target: "mbi.figure_revenue_by_month", TargetTable: "figure_revenue_by_month",
			Status: StatusSkipped},
	}}
	rep.Finish()
	rep.FinishedAt = start.Add(90 * time.Second)
	last := func(_ context.Context, table string) (float64, error) {
		if table == "line_feed" {
			return 0, nil
		}
		return float64(start.Unix()), nil
	}
	got := mustMetrics(t, rep, last)
	labels := func(kind, source, target string) map[string]string {
		return map[string]string{"kind": kind, "source": source, "target": target}
	}
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"quote and backslash rows", "mbiload_table_rows_loaded", labels("table", `quote " back \ slash`, "mbi.quote_back_slash"), 10},
		{"line feed failed", "mbiload_table_failed", labels("table", "line\nfeed", "mbi.line_feed"), 1},
		{"line feed never loaded", "mbiload_table_last_success_timestamp_seconds", labels("table", "line\nfeed", "mbi.line_feed"), 0},
		{"series rows summed", "mbiload_table_rows_loaded", labels("table", "orders_~_line_items-mps", "mbi.orders_line_items_mps_history"), 7},
		{"series rejects summed", "mbiload_table_rows_rejected", labels("table", "orders_~_line_items-mps", "mbi.orders_line_items_mps_history"), 1},
		{"series durations summed", "mbiload_table_duration_seconds", labels("table", "orders_~_line_items-mps", "mbi.orders_line_items_mps_history"), 3},
		{"series did not fail", "mbiload_table_failed", labels("table", "orders_~_line_items-mps", "mbi.orders_line_items_mps_history"), 0},
		{"figure last success", "mbiload_table_last_success_timestamp_seconds", labels("figure", "Revenue by Month", "mbi.figure_revenue_by_month"), float64(start.Unix())},
		{"run failed tables", "mbiload_run_tables_failed", map[string]string{"command": "backfill"}, 1},
		{"run not a success", "mbiload_run_success", map[string]string{"command": "backfill"}, 0},
		{"run duration", "mbiload_run_duration_seconds", map[string]string{"command": "backfill"}, 90},
		{"run time", "mbiload_run_timestamp_seconds", map[string]string{"command": "backfill"}, float64(start.Unix() + 90)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := find(got, tt.metric, tt.labels)
			if !ok {
				t.Fatalf("no series %s%v", tt.metric, tt.labels)
			}
			if v != tt.want {
				t.Errorf("%s%v: got %v, want %v", tt.metric, tt.labels, v, tt.want)
			}
		})
	}
}

// TestParseExposition checks that the validator rejects what it must, so
// that the metrics tests can fail.
func TestParseExposition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"good", "# HELP m x\n# TYPE m gauge\nm{a=\"b\\\"c\"} 1\nm 2\n", true},
		{"no trailing line feed", "# TYPE m gauge\nm 1", false},
		{"untyped", "m 1\n", false},
		{"duplicate series", "# TYPE m gauge\nm{a=\"b\"} 1\nm{a=\"b\"} 2\n", false},
		{"bad escape", "# TYPE m gauge\nm{a=\"b\\t\"} 1\n", false},
		{"unquoted label", "# TYPE m gauge\nm{a=b} 1\n", false},
		{"bad value", "# TYPE m gauge\nm{a=\"b\"} one\n", false},
		{"bad name", "# TYPE m gauge\n9m 1\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseExposition(tt.text)
			if (err == nil) != tt.ok {
				t.Errorf("parseExposition: got error %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestWriteMetricsLedgerUnreadable checks that a ledger that cannot be read
// leaves out the last-success series of the tables concerned but still
// writes the file, and says so in the error.
func TestWriteMetricsLedgerUnreadable(t *testing.T) {
	t.Parallel()
	rep := &Report{Command: "sync", StartedAt: time.Now().UTC(), Tables: []TableReport{
		{Kind: "table", Source: "a", Target: "mbi.a", TargetTable: "a", Status: StatusFailed},
		{Kind: "table", Source: "b", Target: "mbi.b", TargetTable: "b", Status: StatusLoaded, RowsLoaded: 2},
	}}
	rep.Finish()
	denied := errors.New("permission denied for schema mbiload")
	last := func(_ context.Context, table string) (float64, error) {
		if table == "a" {
			return 0, denied
		}
		return 1, nil
	}
	path := filepath.Join(t.TempDir(), "m.prom")
	err := WriteMetrics(context.Background(), path, rep, last)
	if !errors.Is(err, denied) {
		t.Errorf("got error %v, want one wrapping the ledger's", err)
	}
	data, rerr := os.ReadFile(path)
	if rerr != nil {
		t.Fatalf("got no metrics file (%v), want one written despite the ledger", rerr)
	}
	all, perr := parseExposition(string(data))
	if perr != nil {
		t.Fatal(perr)
	}
	la := map[string]string{"kind": "table", "source": "a", "target": "mbi.a"}
	lb := map[string]string{"kind": "table", "source": "b", "target": "mbi.b"}
	if _, ok := find(all, "mbiload_table_last_success_timestamp_seconds", la); ok {
		t.Errorf("got a last-success series for the table whose ledger was unreadable, want none")
	}
	if v, ok := find(all, "mbiload_table_last_success_timestamp_seconds", lb); !ok || v != 1 {
		t.Errorf("last success of b: got %v %v, want 1", v, ok)
	}
	if v, ok := find(all, "mbiload_table_failed", la); !ok || v != 1 {
		t.Errorf("failed of a: got %v %v, want 1", v, ok)
	}
}
