package extract

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimestamp(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Time
		out     string
		wantErr bool
	}{
		{name: "api format", in: `"2026-11-26 02:00:04"`, want: time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC), out: `"2026-11-26 02:00:04"`},
		{name: "fractional", in: `"2026-11-26 02:00:04.123456"`, want: time.Date(2026, 11, 26, 2, 0, 4, 123456000, time.UTC), out: `"2026-11-26 02:00:04"`},
		{name: "T separator", in: `"2026-11-26T02:00:04"`, want: time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC), out: `"2026-11-26 02:00:04"`},
		{name: "RFC 3339 UTC", in: `"2026-11-26T02:00:04Z"`, want: time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC), out: `"2026-11-26 02:00:04"`},
		{name: "RFC 3339 offset", in: `"2026-11-26T02:00:04+02:00"`, want: time.Date(2026, 11, 26, 0, 0, 4, 0, time.UTC), out: `"2026-11-26 02:00:04"`},
		{name: "date only", in: `"2026-11-26"`, want: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), out: `"2026-11-26 00:00:00"`},
		{name: "null", in: `null`, out: `null`},
		{name: "empty", in: `""`, out: `null`},
		{name: "garbage", in: `"soon"`, wantErr: true},
		{name: "number", in: `1764122404`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ts Timestamp
			err := json.Unmarshal([]byte(tt.in), &ts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err: got %v, want error %t", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if !ts.Equal(tt.want) {
				t.Errorf("time: got %v, want %v", ts.Time, tt.want)
			}
			out, err := json.Marshal(ts)
			if err != nil || string(out) != tt.out {
				t.Errorf("marshal: got %s, %v, want %s", out, err, tt.out)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Status
		done bool
	}{
		{name: "pending", in: `"pending"`, want: StatusPending},
		{name: "completed upper", in: `"COMPLETED"`, want: StatusCompleted, done: true},
		{name: "error", in: `"error"`, want: StatusError, done: true},
		{name: "other kept", in: `"In Progress"`, want: "In Progress"},
		{name: "null", in: `null`, want: ""},
		{name: "named object", in: `{"id":4,"name":"completed"}`, want: StatusCompleted, done: true},
		{name: "number kept as text", in: `3`, want: "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Status
			if err := json.Unmarshal([]byte(tt.in), &s); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if s != tt.want || s.Done() != tt.done {
				t.Errorf("got %q (done %t), want %q (done %t)", s, s.Done(), tt.want, tt.done)
			}
		})
	}
}

// TestExportRoundTrip checks that an export marshals back to the contract's
// shape, so the CLI's --json output reads like the API.
func TestExportRoundTrip(t *testing.T) {
	in := mustFixture(t, "export.json")
	var e Export
	if err := json.Unmarshal(in, &e); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	want := `{"export_id":51,"name":"sales_flat_order 2026-11-26","client_id":12,"table_id":3,"status":"Completed","created_at":"2026-11-26 02:00:04","completed_at":"2026-11-26 02:03:40","expires_at":"2026-12-03 02:00:04","row_count":1250000}`
	if string(out) != want {
		t.Errorf("got %s, want %s", out, want)
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Format
		wantErr bool
	}{
		{name: "empty is csv", in: "", want: FormatCSV},
		{name: "csv", in: "CSV", want: FormatCSV},
		{name: "json", in: " json ", want: FormatJSON},
		{name: "xml", in: "xml", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("got %q, %v, want %q (error %t)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		name              string
		in                string
		wantStart, wantTo int64
		wantErr           bool
	}{
		{name: "full", in: "bytes 100-999/1000", wantStart: 100, wantTo: 1000},
		{name: "unknown total", in: "bytes 5-9/*", wantStart: 5, wantTo: -1},
		{name: "end beyond total", in: "bytes 0-1000/1000", wantErr: true},
		{name: "end before start", in: "bytes 10-5/100", wantErr: true},
		{name: "unsatisfied form", in: "bytes */1000", wantErr: true},
		{name: "other unit", in: "items 0-1/2", wantErr: true},
		{name: "empty", in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, total, err := parseContentRange(tt.in)
			if (err != nil) != tt.wantErr || (!tt.wantErr && (start != tt.wantStart || total != tt.wantTo)) {
				t.Errorf("got %d, %d, %v, want %d, %d (error %t)", start, total, err, tt.wantStart, tt.wantTo, tt.wantErr)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{name: "seconds", in: "7", want: 7 * time.Second},
		{name: "zero", in: "0", want: 0},
		{name: "negative", in: "-3", want: 0},
		{name: "http date", in: now.Add(90 * time.Second).Format("Mon, 02 Jan 2006 15:04:05 GMT"), want: 90 * time.Second},
		{name: "past date", in: now.Add(-time.Hour).Format("Mon, 02 Jan 2006 15:04:05 GMT"), want: 0},
		{name: "absurd", in: "99999999999999", want: maxRetryAfter},
		{name: "garbage", in: "soon", want: 0},
		{name: "missing", in: "", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, InitialDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxElapsed: time.Minute}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		for range 50 {
			if d := backoff(p, attempt); d < ceiling/2 || d > ceiling {
				t.Fatalf("attempt %d: got %v, want within [%v, %v]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}
