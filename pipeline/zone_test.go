package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

func TestZoneWarning(t *testing.T) {
	ny, berlin := mustLoad(t, "America/New_York"), mustLoad(t, "Europe/Berlin")
	summer := time.Date(2026, time.July, 1, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		abbr string
		loc  *time.Location
		want string // "" means no warning
	}{
		{name: "no abbreviation", abbr: "", loc: nil},
		{name: "UTC account, no zone set", abbr: "UTC", loc: nil},
		{name: "GMT account, no zone set", abbr: "gmt", loc: nil},
		{name: "EST account, no zone set", abbr: "EST", loc: nil, want: "EST but no source time zone is set"},
		{name: "EST account in New York", abbr: "EST", loc: ny},
		{name: "EDT account in New York", abbr: "EDT", loc: ny},
		{name: "EST account told Berlin", abbr: "EST", loc: berlin, want: "which the source time zone Europe/Berlin never uses"},
		{name: "CEST account in Berlin", abbr: "CEST", loc: berlin},
		{name: "UTC account told New York", abbr: "UTC", loc: ny, want: "never uses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			if err := zoneWarning(tt.abbr, tt.loc, summer); err != nil {
				got = err.Error()
			}
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWaitForUpdateZoneWarning: a run waiting for an update warns, in its
// report, when the account's time zone (from fullupdatestatus) disagrees
// with --source-timezone, or is not UTC while none is set.
func TestWaitForUpdateZoneWarning(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{name: "zone set", loc: ny},
		{name: "zone not set", want: "no source time zone is set"},
		{name: "another zone", loc: mustLoad(t, "Asia/Tokyo"), want: "Asia/Tokyo never uses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, simulator.Config{Tables: simulator.Generated(20, 1), Location: ny})
			opts := e.opts()
			opts.Tables = []string{"sales_order"}
			opts.WaitForUpdate, opts.updatePoll = 50*time.Millisecond, 10*time.Millisecond
			opts.Mapping.SourceTimezone = tt.loc
			rep, _ := e.runner.Sync(context.Background(), opts)
			got := strings.Join(rep.Warnings, "; ")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("report warnings: got %q, want %q", got, tt.want)
			}
		})
	}
}
