package bench

// Fast tests of the harness's own logic; `go test ./...` runs these, never
// the benchmark.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(config) bool
		wantErr bool
	}{
		{name: "defaults", env: nil, want: func(c config) bool {
			return c.Rows == 1_000_000 && c.Runs == 5 && c.MultiRuns == 3 && c.ScaleRows == 5_000_000 &&
				c.ScaleRuns == 2 && c.Seed == 1 && c.JSONPath == filepath.Join("/repo", "bin", "bench.json") && c.DatabaseURL == ""
		}},
		{name: "fewer runs cap the four-table runs", env: map[string]string{envRuns: "2"}, want: func(c config) bool {
			return c.Runs == 2 && c.MultiRuns == 2
		}},
		{name: "scale off", env: map[string]string{envScaleRows: "0", envRows: "1000"}, want: func(c config) bool {
			return c.ScaleRows == 0 && c.Rows == 1000
		}},
		{name: "database and paths", env: map[string]string{envDatabaseURL: "postgres://x@db/y", envCacheDir: "/c", envJSON: "/j.json"},
			want: func(c config) bool {
				return c.DatabaseURL == "postgres://x@db/y" && c.CacheDir == "/c" && c.JSONPath == "/j.json"
			}},
		{name: "profile to the default path", env: map[string]string{envPerf: "1"}, want: func(c config) bool {
			return c.PerfPath == filepath.Join("/repo", "bin", "bench-perf.data")
		}},
		{name: "profile to a path", env: map[string]string{envPerf: "/tmp/p.data"}, want: func(c config) bool { return c.PerfPath == "/tmp/p.data" }},
		{name: "no profile by default", env: map[string]string{envPerf: "0"}, want: func(c config) bool { return c.PerfPath == "" }},
		{name: "not a number", env: map[string]string{envRows: "1e6"}, wantErr: true},
		{name: "zero rows", env: map[string]string{envRows: "0"}, wantErr: true},
		{name: "zero runs", env: map[string]string{envRuns: "0"}, wantErr: true},
		{name: "negative scale", env: map[string]string{envScaleRows: "-1"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := configFromEnv(func(k string) string { return tt.env[k] }, "/repo")
			if tt.wantErr {
				if !errors.Is(err, errBadConfig) {
					t.Errorf("got error %v, want errBadConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if !tt.want(got) {
				t.Errorf("got %+v, want other values", got)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{name: "none", xs: nil, want: 0},
		{name: "one", xs: []float64{3}, want: 3},
		{name: "odd, unsorted", xs: []float64{5, 1, 3}, want: 3},
		{name: "even is the mean of the middle two", xs: []float64{4, 1, 2, 10}, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.xs); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	c := &caseResult{Rows: 1_000_000, CSVBytes: 200_000_000, Samples: []sample{
		{Seconds: 4, PeakRSSMB: 100, ClientCPU: 3, ServerCPU: ptr(2)},
		{Seconds: 2, PeakRSSMB: 120, ClientCPU: 1, ServerCPU: ptr(1)},
		{Seconds: 3, PeakRSSMB: 90, ClientCPU: 2}, // server CPU unknown
	}}
	c.summarize()
	s := c.Summary
	if s.Runs != 3 || s.Median != 3 || s.Min != 2 || s.Max != 4 {
		t.Errorf("times: got runs %d median %v min %v max %v, want 3, 3, 2, 4", s.Runs, s.Median, s.Min, s.Max)
	}
	if s.PeakRSSMB != 120 || s.ClientCPU != 2 {
		t.Errorf("got peak %v client CPU %v, want 120 and 2", s.PeakRSSMB, s.ClientCPU)
	}
	if s.ServerCPU != nil {
		t.Errorf("server CPU: got %v, want nil when a run lacks it", *s.ServerCPU)
	}
	if want := 1_000_000.0 / 3; s.RowsPerSec != want {
		t.Errorf("rows/s: got %v, want %v", s.RowsPerSec, want)
	}
	if want := 200.0 / 3; s.MBPerSec != want {
		t.Errorf("MB/s: got %v, want %v", s.MBPerSec, want)
	}
	sub := c.subset("c_replace", "later", 1, 10)
	if sub.Summary.Runs != 2 || sub.Summary.Median != 2.5 {
		t.Errorf("subset: got %d runs, median %v; want 2 and 2.5", sub.Summary.Runs, sub.Summary.Median)
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    procStat
		wantErr bool
	}{
		{
			name: "plain",
			line: "4242 (postgres) S 4000 4242 4242 0 -1 4194560 1 0 0 0 150 25 7 3 20 0 1 0 100 0 0",
			want: procStat{state: "S", ppid: 4000, utime: 150, stime: 25, cutime: 7, cstime: 3},
		},
		{
			name: "name with spaces and parentheses",
			line: "17 (postgres: a (b) c) R 1 17 17 0 -1 0 0 0 0 0 9 8 7 6 20 0 1 0 100 0 0",
			want: procStat{state: "R", ppid: 1, utime: 9, stime: 8, cutime: 7, cstime: 6},
		},
		{name: "no name", line: "17 postgres R 1", wantErr: true},
		{name: "too short", line: "17 (x) R 1 2 3", wantErr: true},
		{name: "not a number", line: "17 (x) R 1 17 17 0 -1 0 0 0 0 0 x 8 7 6 20", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat([]byte(tt.line))
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestServerCPUCountsItsProcess meters this test process as if it were a
// postmaster and checks that burning CPU shows.
func TestServerCPUCountsItsProcess(t *testing.T) {
	m := serverCPU{procDir: "/proc", postmaster: os.Getpid(), uid: -1}
	before, err := m.Seconds()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	// Burn CPU until the meter shows 50 ms more (on a busy machine the
	// wall time that takes varies); a meter that sees nothing times out.
	after := before
	for start := time.Now(); after-before < 0.05 && time.Since(start) < 10*time.Second; {
		for x, t0 := 0, time.Now(); time.Since(t0) < 20*time.Millisecond; x++ {
		}
		if after, err = m.Seconds(); err != nil {
			t.Fatalf("read: %v", err)
		}
	}
	if after-before < 0.05 {
		t.Errorf("got %.2f s of CPU after 10 s of busy loops, want at least 0.05", after-before)
	}
	gone := serverCPU{procDir: "/proc", postmaster: 1 << 30, uid: -1}
	if _, err := gone.Seconds(); err == nil {
		t.Errorf("got no error for a postmaster that is not running, want one")
	}
}

// TestServerCPUWaitsForReaping checks that a reading waits while a child
// of the metered process is a zombie, whose times are not yet final.
func TestServerCPUWaitsForReaping(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid)
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := parseStat(data); err == nil && st.state == "Z" {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("child did not exit within 10 s")
		}
	}
	const delay = 100 * time.Millisecond
	go func() {
		time.Sleep(delay)
		cmd.Wait()
	}()
	m := serverCPU{procDir: "/proc", postmaster: os.Getpid(), uid: -1}
	start := time.Now()
	if _, err := m.Seconds(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < delay*8/10 {
		t.Errorf("reading took %v, want it to wait about %v for the zombie to be reaped", took, delay)
	}
}

func TestTargets(t *testing.T) {
	mk := func(key string, rows int64, secs []float64, rss float64, wait *float64) *caseResult {
		c := &caseResult{Key: key, Rows: rows}
		for _, s := range secs {
			c.Samples = append(c.Samples, sample{Seconds: s, PeakRSSMB: rss, ExportWait: wait})
		}
		c.summarize()
		return c
	}
	c := mk("c", 1e6, []float64{2, 2, 2}, 200, nil)
	res := &results{Cases: []*caseResult{
		mk("a", 1e6, []float64{2.5}, 10, nil),
		mk("b", 1e6, []float64{2.5}, 10, nil),
		c, c.subset("c_replace", "", 1, 3),
		mk("d", 1e6, []float64{2.5}, 250, ptr(0.5)),
		mk("e", 4e6, []float64{6}, 400, ptr(0.5)),
		mk("e_seq", 4e6, []float64{10}, 250, ptr(2)),
		mk("c_scale", 5e6, []float64{11}, 320, nil),
	}}
	res.Ratios = ratios(res)
	got := map[string]string{}
	for _, tg := range targets(res) {
		v := "n/a"
		if tg.Pass != nil {
			v = map[bool]string{true: "pass", false: "fail"}[*tg.Pass]
		}
		got[tg.Name] = v
	}
	want := map[string]string{
		"(c) <= 0.85 x (b)":                                        "pass", // 0.80
		"(c) <= 1.0 x (a)":                                         "pass", // 0.80
		"(d) <= 1.10 x ((c) + export wait)":                        "pass", // 2.5 / 2.5
		"(e) faster than 4 syncs in a row":                         "pass", // 0.6
		"peak RSS of mbiload (c, d) < 300 MiB":                     "pass", // 250
		"peak RSS at scale / at main size <= 1.25 (not growing)":   "fail", // 320/200
		"seconds per row at scale / at main size <= 1.25 (linear)": "pass", // 2.2/2
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("target %q: got %s, want %s", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d targets, want %d: %v", len(got), len(want), got)
	}

	missing := &results{Cases: []*caseResult{mk("c", 1e6, []float64{2}, 100, nil), {Key: "a", Rows: 1e6}}}
	missing.Ratios = ratios(missing)
	for _, tg := range targets(missing) {
		if tg.Name == "(c) <= 1.0 x (a)" && tg.Pass != nil {
			t.Errorf("target %q with no (a) runs: got %v, want n/a", tg.Name, *tg.Pass)
		}
	}
}

func TestCheckCopied(t *testing.T) {
	tests := []struct {
		name    string
		stdout  string
		wantErr bool
	}{
		{name: "right count", stdout: "COPY 1000\n"},
		{name: "wrong count", stdout: "COPY 999\n", wantErr: true},
		{name: "no tag", stdout: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkCopied(tt.stdout, 1000); (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// TestPrepareDataset generates a small data set, finds it in the cache the
// second time, and makes the four-table directory.
func TestPrepareDataset(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ds, err := prepareDataset(ctx, dir, 300, 7, true)
	if err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(ds.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(csv)) != ds.CSVBytes || ds.ZipBytes == 0 || ds.ZipBytes >= ds.CSVBytes {
		t.Errorf("sizes: got csv file %d, csv in zip %d, zip %d; want equal csv sizes and a smaller zip", len(csv), ds.CSVBytes, ds.ZipBytes)
	}
	if lines := bytes.Count(csv, []byte("\n")); lines < 301 {
		t.Errorf("csv: got %d lines, want at least a header and 300 rows", lines)
	}
	if ds.Generated == 0 {
		t.Errorf("first call: got no generation time, want one")
	}
	again, err := prepareDataset(ctx, dir, 300, 7, true)
	if err != nil {
		t.Fatal(err)
	}
	if again.Generated != 0 || again.CSVBytes != ds.CSVBytes {
		t.Errorf("second call: got generated %v and %d bytes, want the cache and %d bytes", again.Generated, again.CSVBytes, ds.CSVBytes)
	}
	if fi, err := os.Stat(ds.Dir); err != nil || fi.Mode().Perm()&0o005 != 0o005 {
		t.Errorf("cache directory: got %v, %v; want it readable by others (the server)", fi.Mode(), err)
	}
	multi, names, err := ds.multiDir()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "sales_order_1,sales_order_2,sales_order_3,sales_order_4" {
		t.Errorf("names: got %v, want sales_order_1..4", names)
	}
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(multi, n+".csv"))
		if err != nil || fi.Size() != ds.CSVBytes {
			t.Errorf("%s.csv: got %v, %v; want a link of %d bytes", n, fi, err, ds.CSVBytes)
		}
		if _, err := os.Stat(filepath.Join(multi, n+".columns.json")); err != nil {
			t.Errorf("%s.columns.json: %v", n, err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(ds.Dir, "*.tmp-*"))
	if len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}

func TestPrintResults(t *testing.T) {
	c := &caseResult{Key: "c", Label: "mbiload load-file", Command: loadFileCommand, Rows: 1000, CSVBytes: 183_000,
		Samples: []sample{{Seconds: 2, PeakRSSMB: 80, ClientCPU: 1.5, ServerCPU: ptr(1), Mechanism: "create"}}}
	c.summarize()
	broken := &caseResult{Key: "a", Label: "server COPY", Error: "run psql: exit status 1\nERROR: could not open file"}
	res := &results{Data: dataInfo{Table: benchTable, Rows: 1000}, Cases: []*caseResult{c, broken},
		SetupSeconds: map[string]float64{"build mbiload": 3}}
	res.Ratios = ratios(res)
	res.Targets = targets(res)
	var buf bytes.Buffer
	printResults(&buf, res)
	out := buf.String()
	for _, want := range []string{"median s", "mbiload load-file", "500", "published by create",
		"ERROR: run psql: exit status 1", "n/a   (c) <= 1.0 x (a)", "PASS  peak RSS of mbiload"} {
		if !strings.Contains(out, want) {
			t.Errorf("output: got\n%s\nwant it to hold %q", out, want)
		}
	}
	path := filepath.Join(t.TempDir(), "bin", "bench.json")
	if err := writeJSON(path, res); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(path); err != nil || !bytes.Contains(data, []byte(`"median_seconds": 2`)) {
		t.Errorf("json: got %.300s, %v; want the summary", data, err)
	}
}

func TestMillions(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{name: "whole millions", n: 5_000_000, want: "5M"},
		{name: "tenths", n: 1_500_000, want: "1.5M"},
		{name: "thousands", n: 200_000, want: "200k"},
		{name: "odd", n: 1234, want: "1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := millions(tt.n); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPerfLines(t *testing.T) {
	report := `# Samples: 2K of event 'cpu-clock'
#
    31.88%  [.] github.com/klauspost/compress/flate.(*decompressor).huffmanBufioReader  -      -
     8.78%  [.] runtime.memmove                                                         -      -
     1.21%  [k] _copy_from_iter                                                         -      -
            |
            ---main
`
	got := perfLines(report, 2)
	want := []string{" 31.88%  github.com/klauspost/compress/flate.(*decompressor).huffmanBufioReader", "  8.78%  runtime.memmove"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := perfLines(report, 10); len(got) != 3 {
		t.Errorf("got %d lines, want 3 (kernel symbols too, no call-graph lines)", len(got))
	}
}
