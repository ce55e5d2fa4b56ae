package transform

var (
	errNotDate      = &valueError{ErrBadValue, "is not a date (want YYYY-MM-DD)"}
	errNotTime      = &valueError{ErrBadValue, "is not a time of day (want HH:MM:SS[.ffffff])"}
	errNotDuration  = &valueError{ErrBadValue, "is not a MySQL time (want [-]H:MM:SS[.ffffff], such as 838:59:59 or -01:00:00)"}
	errNotTimestamp = &valueError{ErrBadValue, "is not a date and time (want YYYY-MM-DD HH:MM:SS[.ffffff])"}
	errBadDay       = &valueError{ErrBadValue, "is not a valid calendar date"}
	errYearZero     = &valueError{ErrBadValue, "has year 0, which does not exist"}
	errZeroDate     = &valueError{ErrBadValue, "is a zero date (ZeroDates is \"error\")"}
	errFraction     = &valueError{ErrBadValue, "has more than 6 fractional second digits"}
)

const (
	usPerSecond = 1_000_000
	usPerDay    = 86_400 * usPerSecond
)

// digits reads v[i:i+n] as a decimal number; ok is false for a non-digit.
func digits(v []byte, i, n int) (int, bool) {
	x := 0
	for _, c := range v[i : i+n] {
		d := c - '0'
		if d > 9 {
			return 0, false
		}
		x = x*10 + int(d)
	}
	return x, true
}

// parseDate reads YYYY-MM-DD into days since 1970-01-01. zero reports
// MySQL's zero date 0000-00-00 or a partial zero date (a zero month or day
// in an otherwise valid date, 2023-00-10 or 2023-10-00), which MySQL
// stores unless NO_ZERO_IN_DATE is set.
func parseDate(v []byte) (days int64, zero bool, err error) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return 0, false, errNotDate
	}
	y, ok1 := digits(v, 0, 4)
	m, ok2 := digits(v, 5, 2)
	d, ok3 := digits(v, 8, 2)
	if !ok1 || !ok2 || !ok3 {
		return 0, false, errNotDate
	}
	if (m == 0 || d == 0) && m <= 12 && d <= 31 {
		return 0, true, nil // 0000-00-00, or a partial zero date such as 2023-00-10
	}
	if y == 0 {
		return 0, false, errYearZero
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false, errBadDay
	}
	return daysFromCivil(y, m, d), false, nil
}

// parseClock reads HH:MM:SS with an optional fraction of 1 to 6 digits
// (more only if the extra digits are zeros) into microseconds since
// midnight. allow24 accepts 24:00:00, as PostgreSQL's time type does.
func parseClock(v []byte, allow24 bool) (int64, bool) {
	if len(v) < 8 || v[2] != ':' || v[5] != ':' {
		return 0, false
	}
	h, ok1 := digits(v, 0, 2)
	mi, ok2 := digits(v, 3, 2)
	s, ok3 := digits(v, 6, 2)
	if !ok1 || !ok2 || !ok3 || mi > 59 || s > 59 {
		return 0, false
	}
	us := int64(0)
	if len(v) > 8 {
		if v[8] != '.' || len(v) == 9 {
			return 0, false
		}
		frac := v[9:]
		for i, c := range frac {
			d := c - '0'
			if d > 9 {
				return 0, false
			}
			if i < 6 {
				us = us*10 + int64(d)
			} else if d != 0 {
				return -1, true // too precise: reported by the caller
			}
		}
		for i := len(frac); i < 6; i++ {
			us *= 10
		}
	}
	switch {
	case h < 24:
	case h == 24 && allow24 && mi == 0 && s == 0 && us == 0:
	default:
		return 0, false
	}
	return (int64(h)*3600+int64(mi)*60+int64(s))*usPerSecond + us, true
}

// parseTime reads a time of day into microseconds since midnight.
func parseTime(v []byte) (int64, error) {
	us, ok := parseClock(v, true)
	switch {
	case !ok:
		return 0, errNotTime
	case us < 0:
		return 0, errFraction
	}
	return us, nil
}

// maxDurationHours bounds the hours of a duration; MySQL's time stops at
// 838, PostgreSQL's interval at about 2.5 billion.
const maxDurationHours = 99_999_999

// parseDuration reads MySQL's time, [-]H+:MM:SS[.ffffff] (838:59:59,
// -01:00:00, 13:45:07), into signed microseconds.
func parseDuration(v []byte) (int64, error) {
	neg := len(v) > 0 && v[0] == '-'
	if neg {
		v = v[1:]
	}
	colon := 0
	for colon < len(v) && v[colon]-'0' <= 9 {
		colon++
	}
	if colon == 0 || colon > 8 || colon == len(v) || v[colon] != ':' {
		return 0, errNotDuration
	}
	h, _ := digits(v, 0, colon)
	rest := make([]byte, 0, 16)
	rest = append(append(rest, "00"...), v[colon:]...)
	us, ok := parseClock(rest, false)
	switch {
	case !ok || h > maxDurationHours:
		return 0, errNotDuration
	case us < 0:
		return 0, errFraction
	}
	us += int64(h) * 3600 * usPerSecond
	if neg {
		us = -us
	}
	return us, nil
}

// parseDatetime reads YYYY-MM-DD HH:MM:SS[.ffffff] (or with a T between
// date and time, or a bare date meaning midnight) into days since
// 1970-01-01 and microseconds since midnight. zero reports MySQL's zero
// datetime: a zero or partial zero date (see parseDate), whatever the time.
func parseDatetime(v []byte) (days, us int64, zero bool, err error) {
	if len(v) < 10 {
		return 0, 0, false, errNotTimestamp
	}
	days, zero, err = parseDate(v[:10])
	if err != nil {
		if err == errNotDate {
			err = errNotTimestamp
		}
		return 0, 0, false, err
	}
	if len(v) == 10 {
		return days, 0, zero, nil
	}
	if v[10] != ' ' && v[10] != 'T' {
		return 0, 0, false, errNotTimestamp
	}
	us, ok := parseClock(v[11:], false)
	switch {
	case !ok:
		return 0, 0, false, errNotTimestamp
	case us < 0:
		return 0, 0, false, errFraction
	}
	return days, us, zero, nil
}

// daysIn returns the number of days in month m of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date with y >= 1 (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
