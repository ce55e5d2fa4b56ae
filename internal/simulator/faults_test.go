package simulator_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

// statuses requests paths in order and returns the statuses per path.
func statuses(t *testing.T, ts *httptest.Server, paths []string) map[string][]int {
	t.Helper()
	out := map[string][]int{}
	for _, p := range paths {
		out[p] = append(out[p], do(t, ts, http.MethodGet, p, nil).status)
	}
	return out
}

func TestFaultsAreDeterministic(t *testing.T) {
	const a, b = "/0.1/client/12/table", "/0.1/export"
	var interleaved, grouped []string
	for range 40 {
		interleaved = append(interleaved, a, b)
	}
	for range 40 {
		grouped = append(grouped, a)
	}
	for range 40 {
		grouped = append(grouped, b)
	}
	cfg := func(seed int64) simulator.Config {
		return simulator.Config{Seed: seed, FaultRate: 0.3, ThrottleRate: 0.2}
	}
	_, s1 := mustServer(t, cfg(7))
	_, s2 := mustServer(t, cfg(7))
	_, s3 := mustServer(t, cfg(8))
	first := statuses(t, s1, interleaved)
	second := statuses(t, s2, grouped)
	other := statuses(t, s3, interleaved)
	for _, p := range []string{a, b} {
		if !slices.Equal(first[p], second[p]) {
			t.Errorf("%s: got %v then %v, want the same faults for the same seed", p, first[p], second[p])
		}
	}
	if slices.Equal(first[a], other[a]) && slices.Equal(first[b], other[b]) {
		t.Errorf("got the same %d statuses for seeds 7 and 8, want different faults", len(interleaved))
	}
	var faults int
	for _, st := range append(first[a], first[b]...) {
		if st != http.StatusOK {
			faults++
		}
	}
	if faults < 20 || faults > 60 {
		t.Errorf("got %d faults in 80 requests, want about 35 (rates 0.3 and 0.2)", faults)
	}
}

// TestExportFaultsFollowTheTable: the faults met by the downloads of a
// table's export do not depend on its id, that is on whether another
// table's export happened to be created before it (tables are exported
// concurrently, so that order is a matter of timing).
func TestExportFaultsFollowTheTable(t *testing.T) {
	const n = 30
	downloads := func(order ...string) map[string][]int {
		_, ts := mustServer(t, simulator.Config{Seed: 5, FirstExportID: 51, FaultRate: 0.3, ThrottleRate: 0.2, ExpireRate: 0.05})
		ids := map[string]string{}
		for _, table := range order {
			ids[table] = faultyExport(t, ts, table)
		}
		out := map[string][]int{}
		for range n {
			for _, table := range order {
				out[table] = append(out[table], do(t, ts, http.MethodGet, "/0.1/export/"+ids[table], nil).status)
			}
		}
		return out
	}
	first, second := downloads("1", "3"), downloads("3", "1")
	for _, table := range []string{"1", "3"} {
		if !slices.Equal(first[table], second[table]) {
			t.Errorf("table %s: got %v exported first, %v exported second, want the same faults", table, first[table], second[table])
		}
	}
	if slices.Equal(first["1"], first["3"]) {
		t.Errorf("got the same %d statuses for both tables' exports, want faults of their own", n)
	}
}

// faultyExport creates an export of table on a server that injects faults
// and waits until it is complete, retrying what the faults broke. It
// returns the export's id.
func faultyExport(t *testing.T, ts *httptest.Server, table string) string {
	t.Helper()
	var id string
	for range 50 {
		r := do(t, ts, http.MethodPost, "/0.1/client/"+testClient+"/table/"+table+"/export", url.Values{})
		if r.status == http.StatusCreated {
			id = idText(mustObject(t, r.body)["export_id"])
			break
		}
	}
	if id == "" {
		t.Fatalf("create an export of table %s: no 201 in 50 attempts", table)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r := do(t, ts, http.MethodGet, "/0.1/export/"+id+"/info", nil)
		if r.status == http.StatusOK && mustObject(t, r.body)["status"] == simulator.StatusCompleted {
			return id
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("export %s of table %s did not complete within 10s", id, table)
	return ""
}

func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name           string
		cfg            simulator.Config
		wantStatuses   []int
		wantRetryAfter string
	}{
		{name: "server errors", cfg: simulator.Config{FaultRate: 1}, wantStatuses: []int{500, 502, 503}},
		{name: "throttle", cfg: simulator.Config{ThrottleRate: 1, RetryAfter: 1500 * time.Millisecond}, wantStatuses: []int{429}, wantRetryAfter: "2"},
		{name: "throttle default retry-after", cfg: simulator.Config{ThrottleRate: 1}, wantStatuses: []int{429}, wantRetryAfter: "1"},
		{name: "throttle without retry-after", cfg: simulator.Config{ThrottleRate: 1, RetryAfter: -1}, wantStatuses: []int{429}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := mustServer(t, tt.cfg)
			seen := map[int]bool{}
			for range 30 {
				r := do(t, ts, http.MethodGet, "/0.1/figure", nil)
				if !slices.Contains(tt.wantStatuses, r.status) {
					t.Fatalf("got %d, want one of %v", r.status, tt.wantStatuses)
				}
				seen[r.status] = true
				if got := r.header.Get("Retry-After"); got != tt.wantRetryAfter {
					t.Errorf("got Retry-After %q, want %q", got, tt.wantRetryAfter)
				}
				if code := idText(mustObject(t, r.body)["code"]); code != fmt.Sprint(r.status) {
					t.Errorf("got code %s, want %d", code, r.status)
				}
			}
			if len(seen) != len(tt.wantStatuses) {
				t.Errorf("got statuses %v, want all of %v", seen, tt.wantStatuses)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{Latency: 30 * time.Millisecond})
	start := time.Now()
	if r := do(t, ts, http.MethodGet, "/0.1/figure", nil); r.status != http.StatusOK {
		t.Fatalf("got %d, want 200", r.status)
	}
	if got := time.Since(start); got < 30*time.Millisecond {
		t.Errorf("got an answer after %v, want at least 30ms", got)
	}
}

// download fetches an export from offset, returning the bytes read, the
// Content-Length announced and the read error.
func download(t *testing.T, ts *httptest.Server, id string, offset int) ([]byte, int64, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+"/0.1/export/"+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-RJM-API-Key", testKey)
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if want := map[bool]int{true: 206, false: 200}[offset > 0]; resp.StatusCode != want {
		t.Fatalf("got %d, want %d", resp.StatusCode, want)
	}
	data, err := io.ReadAll(resp.Body)
	return data, resp.ContentLength, err
}

func TestDropCutsTheBody(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{FirstExportID: 51, DropRate: 1})
	mustCreateExport(t, ts, "1")
	mustWaitStatus(t, ts, "51", "Completed")
	got, length, err := download(t, ts, "51", 0)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got error %v, want io.ErrUnexpectedEOF", err)
	}
	if len(got) == 0 || int64(len(got)) >= length {
		t.Fatalf("got %d of %d bytes, want a cut mid-body", len(got), length)
	}

	// Resuming with Range from the byte reached eventually gets everything.
	whole := got
	for range 100 {
		part, _, err := download(t, ts, "51", len(whole))
		whole = append(whole, part...)
		if err == nil {
			break
		}
	}
	_, csv := mustUnzipOne(t, whole)
	want, err := os.ReadFile("testdata/warehouse/customers.csv")
	if err != nil {
		t.Fatal(err)
	}
	if string(csv) != string(want) {
		t.Errorf("got %q after resuming, want %q", csv, want)
	}
}

func TestDropIsDeterministic(t *testing.T) {
	cuts := func() []int {
		_, ts := mustServer(t, simulator.Config{FirstExportID: 51, DropRate: 0.5, Seed: 3})
		mustCreateExport(t, ts, "3")
		mustWaitStatus(t, ts, "51", "Completed")
		var out []int
		for range 12 {
			got, _, err := download(t, ts, "51", 0)
			if err != nil {
				out = append(out, len(got))
			} else {
				out = append(out, -1)
			}
		}
		return out
	}
	first, second := cuts(), cuts()
	if !slices.Equal(first, second) {
		t.Errorf("got cuts %v then %v, want the same for the same seed", first, second)
	}
	if !slices.Contains(first, -1) || !slices.ContainsFunc(first, func(n int) bool { return n >= 0 }) {
		t.Errorf("got %v, want both whole and cut downloads at rate 0.5", first)
	}
}

func TestResetClosesTheConnection(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{ResetRate: 1})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+"/0.1/figure", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-RJM-API-Key", testKey)
	resp, err := ts.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got %d, want a connection error", resp.StatusCode)
	}
	// Authentication still comes first.
	if r := doWith(t, ts, http.MethodGet, "/0.1/figure", nil, nil); r.status != http.StatusForbidden {
		t.Errorf("got %d without a key, want 403", r.status)
	}
}

// TestExpireOnlyBeforeTheFirstDownload: an export that its first download
// found alive stays alive for the downloads after it (resumes, retries, a
// later sync reusing it); one found expired stays expired.
func TestExpireOnlyBeforeTheFirstDownload(t *testing.T) {
	_, ts := mustServer(t, simulator.Config{Seed: 9, FirstExportID: 51, ExpireRate: 0.5})
	var alive, expired int
	for range 16 {
		id := idText(mustCreateExport(t, ts, "1")["export_id"])
		mustWaitStatus(t, ts, id, "Completed")
		var got []int
		for range 6 {
			got = append(got, do(t, ts, http.MethodGet, "/0.1/export/"+id, nil).status)
		}
		switch {
		case slices.Equal(got, slices.Repeat([]int{http.StatusOK}, 6)):
			alive++
		case slices.Equal(got, slices.Repeat([]int{http.StatusGone}, 6)):
			expired++
		default:
			t.Errorf("export %s: got %v, want 200 every time or 410 every time", id, got)
		}
	}
	if alive == 0 || expired == 0 {
		t.Errorf("got %d exports alive and %d expired at rate 0.5, want some of each", alive, expired)
	}
}

func TestExpireBetweenListingAndDownload(t *testing.T) {
	clock := newFakeClock()
	_, ts := mustServer(t, simulator.Config{Now: clock.Now, FirstExportID: 51, ExpireRate: 1})
	mustCreateExport(t, ts, "1")
	listed := mustWaitStatus(t, ts, "51", "Completed")
	if listed["expires_at"] != "2026-12-03 02:00:04" {
		t.Fatalf("got expires_at %v, want 7 days after creation", listed["expires_at"])
	}
	for range 2 {
		if r := do(t, ts, http.MethodGet, "/0.1/export/51", nil); r.status != http.StatusGone {
			t.Fatalf("got %d, want 410", r.status)
		}
	}
	info := mustObject(t, do(t, ts, http.MethodGet, "/0.1/export/51/info", nil).body)
	if info["expires_at"] != "2026-11-26 02:00:04" {
		t.Errorf("got expires_at %v, want the moment it expired", info["expires_at"])
	}
	if r := do(t, ts, http.MethodPost, "/0.1/export/51/copy", url.Values{}); r.status != http.StatusCreated {
		t.Errorf("got copy %d, want 201", r.status)
	}
}
