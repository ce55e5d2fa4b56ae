package transform

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/schema"
)

// TestTimestampTZMatchesServer decodes wall-clock times around every DST
// transition of 2022-2025 in zones of both hemispheres (spring-forward gaps
// and fall-back overlaps, a half-hour DST in Lord Howe) and compares each
// instant with what the real PostgreSQL makes of the same text, both with
// `timestamp AT TIME ZONE zone` and with a ::timestamptz cast under the
// session TimeZone.
func TestTimestampTZMatchesServer(t *testing.T) {
	conn := pgtest.Conn(t)
	ctx := context.Background()
	zones := []string{"America/New_York", "Australia/Sydney", "Europe/London", "Australia/Lord_Howe", "America/Santiago"}
	for _, zone := range zones {
		t.Run(zone, func(t *testing.T) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatalf("LoadLocation: %v", err)
			}
			walls := wallsAroundTransitions(t, loc, 2022, 2026)
			tb := mustTableOpts(t, "t", schema.Options{SourceTimezone: loc}, col{"v", "datetime"})
			got := decodeInstants(t, tb, walls)

			var atZone, cast []time.Time
			if err := conn.QueryRow(ctx, `SELECT array_agg(w::timestamp AT TIME ZONE $2 ORDER BY i)
				FROM unnest($1::text[]) WITH ORDINALITY AS u(w, i)`, walls, zone).Scan(&atZone); err != nil {
				t.Fatalf("AT TIME ZONE query: %v", err)
			}
			if _, err := conn.Exec(ctx, "SELECT set_config('TimeZone', $1, false)", zone); err != nil {
				t.Fatalf("set TimeZone: %v", err)
			}
			if err := conn.QueryRow(ctx, `SELECT array_agg(w::timestamptz ORDER BY i)
				FROM unnest($1::text[]) WITH ORDINALITY AS u(w, i)`, walls).Scan(&cast); err != nil {
				t.Fatalf("cast query: %v", err)
			}
			if len(atZone) != len(walls) || len(cast) != len(walls) {
				t.Fatalf("server rows: got %d and %d, want %d", len(atZone), len(cast), len(walls))
			}
			bad := 0
			for i, w := range walls {
				for _, want := range []struct {
					how string
					at  time.Time
				}{{"AT TIME ZONE", atZone[i]}, {"::timestamptz", cast[i]}} {
					if !got[i].Equal(want.at) {
						bad++
						if bad <= 10 {
							t.Errorf("%s %s: got %s, want %s (PostgreSQL %s)", zone, w,
								got[i].UTC().Format(time.RFC3339), want.at.UTC().Format(time.RFC3339), want.how)
						}
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d comparisons differ", bad, 2*len(walls))
			}
		})
	}
}

// wallsAroundTransitions lists wall-clock times (as CSV text) every 5
// minutes from 3 hours before to 3 hours after each transition of loc in
// [from, to), plus the seconds on either side of the transition's wall
// times before and after it.
func wallsAroundTransitions(t *testing.T, loc *time.Location, from, to int) []string {
	t.Helper()
	const layout = "2006-01-02 15:04:05"
	var walls []string
	transitions := 0
	at := time.Date(from, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(to, 1, 1, 0, 0, 0, 0, loc)
	for {
		_, next := at.ZoneBounds()
		if next.IsZero() || !next.Before(end) {
			break
		}
		transitions++
		_, before := next.Add(-time.Second).Zone()
		_, after := next.Zone()
		// The transition's wall time in the old and the new offset.
		for _, off := range []int{before, after} {
			w := next.UTC().Add(time.Duration(off) * time.Second)
			for d := -3 * time.Hour; d <= 3*time.Hour; d += 5 * time.Minute {
				walls = append(walls, w.Add(d).Format(layout))
			}
			for _, d := range []time.Duration{-time.Second, time.Second} {
				walls = append(walls, w.Add(d).Format(layout))
			}
		}
		at = next
	}
	if transitions < 2*(to-from)-1 {
		t.Fatalf("%s: found %d transitions in [%d, %d), want about two a year", loc, transitions, from, to)
	}
	return walls
}

// decodeInstants decodes walls as one datetime column of tb and returns the
// instants, in order.
func decodeInstants(t *testing.T, tb *schema.Table, walls []string) []time.Time {
	t.Helper()
	csv := "v\n" + strings.Join(walls, "\n") + "\n"
	d, err := NewDecoder(context.Background(), strings.NewReader(csv), tb, Options{})
	if err != nil {
		t.Fatalf("NewDecoder: %v", err)
	}
	defer d.Close()
	var out []time.Time
	for {
		rec, err := d.Next(context.Background())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("Next: %v", err)
			}
			break
		}
		a := rec.Column(0).(*array.Timestamp)
		for i := range a.Len() {
			out = append(out, time.UnixMicro(int64(a.Value(i))))
		}
		rec.Release()
	}
	if len(out) != len(walls) {
		t.Fatalf("decoded %d rows, want %d", len(out), len(walls))
	}
	return out
}
