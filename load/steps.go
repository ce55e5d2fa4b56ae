package load

import (
	"log/slog"
	"time"
)

// steps times the phases of one load and logs each at debug level, so that
// a slow publish can be taken apart (`mbiload --log-level debug`).
type steps struct {
	log  *slog.Logger
	last time.Time
}

func newSteps(log *slog.Logger, start time.Time) *steps {
	return &steps{log: log, last: start}
}

// done logs the step that just ended with the time since the previous one.
func (s *steps) done(name string) {
	if s == nil {
		return
	}
	now := time.Now()
	s.log.Debug("load step", "step", name, "took", now.Sub(s.last).Round(time.Microsecond))
	s.last = now
}
