package transform

import "time"

// zoneResolver turns wall-clock times in a time zone into UTC instants the
// way PostgreSQL does (DetermineTimeZoneOffset): a time that does not exist
// (in a spring-forward gap) takes the UTC offset in force before the
// transition, and a time that exists twice (in a fall-back overlap) the
// offset in force after it. Either way the later of the two candidate
// instants wins. So on a New York spring-forward day 02:30 is 07:30Z (read
// as EST), and on a fall-back day 01:30 is 06:30Z (the second 01:30, EST).
// time.Date's choice in these cases is unspecified, so the offset is
// computed here from the zone's transitions.
//
// Days without a transition nearby are cached: one offset per local day.
type zoneResolver struct {
	loc     *time.Location
	lastDay int64
	lastOff int64
	lastOK  bool
	days    map[int64]int64 // local day → offset in seconds, or noOffset
}

// noOffset marks a local day near a transition: resolve each time exactly.
const noOffset = int64(1) << 62

func newZoneResolver(loc *time.Location) *zoneResolver {
	return &zoneResolver{loc: loc, days: make(map[int64]int64)}
}

// utc returns the UTC instant in seconds of local wall-clock seconds since
// 1970-01-01 00:00:00.
func (z *zoneResolver) utc(local int64) int64 {
	day := floorDiv(local, 86400)
	if !z.lastOK || day != z.lastDay {
		off, ok := z.days[day]
		if !ok {
			off = z.dayOffset(day)
			if len(z.days) > 1<<16 {
				clear(z.days)
			}
			z.days[day] = off
		}
		z.lastDay, z.lastOff, z.lastOK = day, off, true
	}
	if z.lastOff != noOffset {
		return local - z.lastOff
	}
	return z.resolve(local)
}

// dayOffset returns the single UTC offset of a whole local day, or noOffset
// when a transition falls within a day of it. The instants of local day D
// lie within [D-1, D+2) days in UTC for any offset up to ±24 hours.
func (z *zoneResolver) dayOffset(day int64) int64 {
	from := time.Unix((day-1)*86400, 0).In(z.loc)
	_, off := from.Zone()
	_, end := from.ZoneBounds()
	if end.IsZero() || end.Unix() >= (day+2)*86400 {
		return int64(off)
	}
	return noOffset
}

// zonePeriod is a span of instants [start, end) with one UTC offset; the
// bounds are ±infinity when unknown.
type zonePeriod struct {
	start, end int64
	off        int64
}

// resolve maps local seconds to UTC near a transition: of the periods
// around the time, the latest whose offset puts the instant inside it wins
// (an overlap is read in the offset after the transition); if none does (a
// gap), the offset before the gap is used.
func (z *zoneResolver) resolve(local int64) int64 {
	const span = 2 * 86400
	var periods [8]zonePeriod
	n := 0
	t := local - span
	for n < len(periods) {
		p := z.period(t)
		periods[n] = p
		n++
		if p.end > local+span {
			break
		}
		t = p.end
	}
	for i := n - 1; i >= 0; i-- {
		p := periods[i]
		if u := local - p.off; u >= p.start && u < p.end {
			return u
		}
	}
	for i := 0; i+1 < n; i++ {
		a, b := periods[i], periods[i+1]
		if local-a.off >= a.end && local-b.off < b.start {
			return local - a.off
		}
	}
	return local - periods[0].off // unreachable for real zones
}

// period returns the zone period holding instant t (seconds).
func (z *zoneResolver) period(t int64) zonePeriod {
	tt := time.Unix(t, 0).In(z.loc)
	_, off := tt.Zone()
	start, end := tt.ZoneBounds()
	p := zonePeriod{start: -1 << 62, end: 1 << 62, off: int64(off)}
	if !start.IsZero() {
		p.start = start.Unix()
	}
	if !end.IsZero() {
		p.end = end.Unix()
	}
	return p
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
