package pipeline

import (
	"testing"
	"time"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/schema"
)

// TestReusable checks which export a sync reuses: the newest Completed,
// unexpired export of the table younger than the maximum age, the later id
// between two of the same second, with the API's times read in the
// account's zone.
func TestReusable(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) // 07:00 in New York
	stamp := func(s string) extract.Timestamp {
		ts, err := extract.ParseTimestamp(s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	exp := func(id, table, status, created, expires string) extract.Export {
		return extract.Export{ID: schema.ID(id), TableID: schema.ID(table), Status: extract.Status(status),
			CreatedAt: stamp(created), ExpiresAt: stamp(expires)}
	}
	table := extract.Table{ID: "1", Name: "sales_order"}
	tests := []struct {
		name   string
		list   []extract.Export
		maxAge time.Duration
		loc    *time.Location
		want   string // "" when none
	}{
		{name: "newest of the table", maxAge: time.Hour, want: "11", list: []extract.Export{
			exp("10", "1", "Completed", "2026-11-27 11:10:00", "2026-12-04 11:10:00"),
			exp("11", "1", "Completed", "2026-11-27 11:30:00", "2026-12-04 11:30:00"),
			exp("12", "2", "Completed", "2026-11-27 11:50:00", "2026-12-04 11:50:00"),
		}},
		{name: "same second: the later id", maxAge: time.Hour, want: "9", list: []extract.Export{
			exp("9", "1", "Completed", "2026-11-27 11:30:00", "2026-12-04 11:30:00"),
			exp("8", "1", "Completed", "2026-11-27 11:30:00", "2026-12-04 11:30:00"),
		}},
		{name: "too old", maxAge: 10 * time.Minute, list: []extract.Export{
			exp("10", "1", "Completed", "2026-11-27 11:30:00", "2026-12-04 11:30:00"),
		}},
		{name: "not completed", maxAge: time.Hour, list: []extract.Export{
			exp("10", "1", "Pending", "2026-11-27 11:30:00", "2026-12-04 11:30:00"),
			exp("11", "1", "Error", "2026-11-27 11:40:00", "2026-12-04 11:40:00"),
		}},
		{name: "expired or about to", maxAge: 10 * 24 * time.Hour, want: "3", list: []extract.Export{
			exp("1", "1", "Completed", "2026-11-20 11:00:00", "2026-11-27 11:00:00"),
			exp("2", "1", "Completed", "2026-11-20 12:00:00", "2026-11-27 12:00:30"),
			exp("3", "1", "Completed", "2026-11-20 10:00:00", "2026-11-27 13:00:00"),
		}},
		{name: "New York account: 06:30 there is 30 minutes ago", maxAge: time.Hour, loc: ny, want: "5", list: []extract.Export{
			exp("5", "1", "Completed", "2026-11-27 06:30:00", "2026-12-04 06:30:00"),
		}},
		{name: "New York account: 04:30 there is too old", maxAge: time.Hour, loc: ny, want: "5", list: []extract.Export{
			exp("5", "1", "Completed", "2026-11-27 06:30:00", "2026-12-04 06:30:00"),
			exp("6", "1", "Completed", "2026-11-27 04:30:00", "2026-12-04 04:30:00"),
		}},
		{name: "UTC read of a New York account's export: 5 hours old", maxAge: time.Hour, list: []extract.Export{
			exp("5", "1", "Completed", "2026-11-27 06:30:00", "2026-12-04 06:30:00"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := reusable(tt.list, table, tt.maxAge, now, tt.loc)
			if string(got.ID) != tt.want || ok != (tt.want != "") {
				t.Errorf("got %q (found %v), want %q", got.ID, ok, tt.want)
			}
		})
	}
}
