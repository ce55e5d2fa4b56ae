package simulator_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

// BenchmarkSalesOrderExport1M measures, with a fresh server per iteration
// serving the generated warehouse at scale 1,000,000 (ExportDelay 0): how
// long the first sales_order export takes to become downloadable, how long
// its download takes, how long a second export of the same table takes, how
// long the first figure export takes (it aggregates sales_order), the
// zip size, the largest Go heap seen and the process's peak RSS (VmHWM).
//
//	go test -run '^$' -bench SalesOrderExport1M -benchtime 1x ./internal/simulator/
func BenchmarkSalesOrderExport1M(b *testing.B) {
	tables := simulator.Generated(1_000_000, 1)
	var first, dl, second, figure time.Duration
	var zipBytes int64
	peakHeap := sampleHeap(b)
	for b.Loop() {
		_, ts := mustServer(b, simulator.Config{Tables: tables})
		start := time.Now()
		id := idText(mustCreateExport(b, ts, "1")["export_id"])
		mustWaitStatus(b, ts, id, "Completed")
		first += time.Since(start)

		start = time.Now()
		zipBytes = mustDownloadSize(b, ts, id)
		dl += time.Since(start)

		start = time.Now()
		id2 := idText(mustCreateExport(b, ts, "1")["export_id"])
		mustWaitStatus(b, ts, id2, "Completed")
		second += time.Since(start)

		start = time.Now()
		if r := do(b, ts, http.MethodPost, "/0.1/figure/360531/export", url.Values{"format": {"json"}}); r.status != http.StatusOK {
			b.Fatalf("figure: got %d, want 200", r.status)
		}
		figure += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(first.Seconds()/n, "first-export-s")
	b.ReportMetric(dl.Seconds()/n, "download-s")
	b.ReportMetric(second.Seconds()/n, "second-export-s")
	b.ReportMetric(figure.Seconds()/n, "first-figure-s")
	b.ReportMetric(float64(zipBytes)/1e6, "zip-MB")
	b.ReportMetric(float64(peakHeap())/1e6, "peak-heap-MB")
	b.ReportMetric(float64(vmHWM(b))/1e3, "peak-rss-MB")
}

// mustDownloadSize downloads an export to nowhere and returns its size.
func mustDownloadSize(b testing.TB, ts *httptest.Server, id string) int64 {
	b.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+"/0.1/export/"+id, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-RJM-API-Key", testKey)
	resp, err := ts.Client().Do(req)
	if err != nil {
		b.Fatalf("download: %v", err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || n != resp.ContentLength {
		b.Fatalf("download: got %d, %d of %d bytes, %v; want 200 and the whole zip", resp.StatusCode, n, resp.ContentLength, err)
	}
	return n
}

// sampleHeap samples the Go heap in use every 5ms until the benchmark ends
// and returns a function giving the largest value seen.
func sampleHeap(b *testing.B) func() uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	b.Cleanup(func() { close(stop); wg.Wait() })
	return peak.Load
}

// vmHWM returns the process's peak resident set size in kB.
func vmHWM(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatalf("read peak RSS: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("parse VmHWM %q: %v", rest, err)
			}
			return kb
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
