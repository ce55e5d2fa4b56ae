package load

import (
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// TestStepsLogged: at debug level every step of a load is logged with its
// duration, in order.
func TestStepsLogged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		loads int // the last one is checked
		want  []string
	}{
		{name: "create", loads: 1, want: []string{"begin and load lock", "published check", "create table", "copy", "primary key", "comments", "analyze", "ledger", "commit"}},
		{name: "swap", loads: 2, want: []string{"begin and load lock", "published check", "read the catalog", "create table", "copy", "primary key",
			"other constraints and indexes", "analyze", "publish lock", "re-read the catalog", "renames", "grants, owner and comments",
			"drop the old table, final names", "ledger", "commit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			l := e.loader(t, Config{Logger: log})
			for i := range tt.loads {
				buf.Reset()
				e.mustLoad(t, l, ordersTable(t), ordersCSV, Job{ExportID: fmt.Sprint("e", i)})
			}
			var got []string
			for _, line := range strings.Split(buf.String(), "\n") {
				if !strings.Contains(line, "msg=\"load step\"") {
					continue
				}
				if !strings.Contains(line, " took=") {
					t.Errorf("step without a duration: %s", line)
				}
				_, step, _ := strings.Cut(line, "step=")
				step, _, _ = strings.Cut(strings.TrimPrefix(step, `"`), `"`)
				step, _, _ = strings.Cut(step, " took=")
				got = append(got, step)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got steps %q, want %q", got, tt.want)
			}
		})
	}
}
