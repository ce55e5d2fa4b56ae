package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// cronEntry is one job line of a system crontab (/etc/cron.d, crontab(5)):
// the schedule, the user and the command cron passes to /bin/sh -c.
type cronEntry struct {
	schedule []string // five time fields, or one @nickname
	user     string
	command  string // with \% unescaped; the text after a bare % is stdin
	stdin    string
}

// cronField is a time field's name and range.
type cronField struct {
	name     string
	min, max int
	names    []string // names of min, min+1, ... (months, days of the week)
}

var cronFields = []cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: strings.Fields("jan feb mar apr may jun jul aug sep oct nov dec")},
	{name: "day of week", min: 0, max: 7, names: strings.Fields("sun mon tue wed thu fri sat")},
}

var cronNicknames = map[string]bool{"@reboot": true, "@yearly": true, "@annually": true, "@monthly": true,
	"@weekly": true, "@daily": true, "@midnight": true, "@hourly": true}

// parseCronLine parses one line of a system crontab as cron reads it: a
// line is an entry on its own (there is no continuation), blank lines and
// comments are nothing (nil), NAME=value lines set the environment (nil).
func parseCronLine(line string) (*cronEntry, error) {
	trimmed := strings.TrimSpace(line)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return nil, nil
	}
	words := strings.Fields(trimmed)
	if k := strings.IndexByte(words[0], '='); k > 0 && !strings.ContainsAny(words[0][:k], "*/,-@") {
		return nil, nil
	}
	nTime := 5
	if strings.HasPrefix(words[0], "@") {
		if !cronNicknames[words[0]] {
			return nil, fmt.Errorf("unknown schedule %q", words[0])
		}
		nTime = 1
	}
	if len(words) < nTime+2 {
		return nil, fmt.Errorf("want %d time fields, a user and a command, got %d fields", nTime, len(words))
	}
	e := &cronEntry{schedule: words[:nTime], user: words[nTime]}
	if nTime == 5 {
		for i, f := range cronFields {
			if err := f.check(words[i]); err != nil {
				return nil, err
			}
		}
	}
	if strings.Contains(e.user, "=") {
		return nil, fmt.Errorf("user %q is not a user name", e.user)
	}
	// The command is the rest of the line after the user's field.
	rest := trimmed
	for range nTime + 1 {
		rest = strings.TrimLeft(rest, " \t")
		rest = rest[strings.IndexAny(rest+" ", " \t"):]
	}
	rest = strings.TrimLeft(rest, " \t")
	var cmd strings.Builder
	for i := 0; i < len(rest); i++ {
		switch {
		case rest[i] == '\\' && i+1 < len(rest) && rest[i+1] == '%':
			cmd.WriteByte('%')
			i++
		case rest[i] == '%':
			e.stdin = strings.ReplaceAll(rest[i+1:], "%", "\n")
			i = len(rest)
		default:
			cmd.WriteByte(rest[i])
		}
	}
	e.command = cmd.String()
	return e, nil
}

// check checks one time field: a comma-separated list of *, N or N-M,
// each optionally /STEP (after * or a range), or one name.
func (f cronField) check(field string) error {
	bad := func(why string) error { return fmt.Errorf("%s field %q: %s", f.name, field, why) }
	for _, item := range strings.Split(field, ",") {
		base, step, hasStep := strings.Cut(item, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || n > f.max {
				return bad("bad step " + strconv.Quote(step))
			}
		}
		if base == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(base, "-")
		if hasStep && !isRange {
			return bad("a step needs * or a range")
		}
		a, err := f.value(lo)
		if err != nil {
			return bad(err.Error())
		}
		if isRange {
			b, err := f.value(hi)
			if err != nil {
				return bad(err.Error())
			}
			if b < a {
				return bad("range runs backwards")
			}
		}
	}
	return nil
}

// value reads a number in the field's range, or a name.
func (f cronField) value(s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.min || v > f.max {
		return 0, fmt.Errorf("%q is not %d to %d", s, f.min, f.max)
	}
	return v, nil
}

// TestParseCronLine checks the crontab parser the README test relies on,
// on lines cron takes and lines it refuses (such as the second line of an
// entry continued with a backslash).
func TestParseCronLine(t *testing.T) {
	tests := []struct {
		line    string
		wantErr bool
		command string
		stdin   string
	}{
		{line: "# comment"},
		{line: "MAILTO=ops@example.com"},
		{line: "30 2 * * * loader /usr/bin/true", command: "/usr/bin/true"},
		{line: "*/15 0-6,22 1-31/2 jan-mar mon-fri root run x", command: "run x"},
		{line: "@daily loader echo a\\%b%line two%three", command: "echo a%b", stdin: "line two\nthree"},
		{line: "    --log-format json --progress plain >> /var/log/x 2>&1", wantErr: true},
		{line: "60 2 * * * loader x", wantErr: true},
		{line: "30 2 * * loader x", wantErr: true},
		{line: "30 2 * * * loader", wantErr: true},
		{line: "5/10 * * * * loader x", wantErr: true},
		{line: "@nightly loader x", wantErr: true},
	}
	for _, tt := range tests {
		e, err := parseCronLine(tt.line)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: error %v, want error %v", tt.line, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		switch {
		case e == nil && tt.command != "":
			t.Errorf("%q: no entry, want command %q", tt.line, tt.command)
		case e != nil && (e.command != tt.command || e.stdin != tt.stdin):
			t.Errorf("%q: command %q stdin %q, want %q and %q", tt.line, e.command, e.stdin, tt.command, tt.stdin)
		}
	}
}
