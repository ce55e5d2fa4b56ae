package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// stallError reports a response body that delivered no bytes for too long.
// It is a timeout [net.Error], so the retry rules treat it like one.
type stallError struct{ idle time.Duration }

func (e *stallError) Error() string {
	return fmt.Sprintf("no data received for %s: connection stalled", e.idle)
}
func (e *stallError) Timeout() bool   { return true }
func (e *stallError) Temporary() bool { return true }

var _ net.Error = (*stallError)(nil)

// stallBody cuts a response body that blocks in Read for longer than idle, by
// cancelling the request's context; the Read then returns a [*stallError].
// Only time spent inside Read counts, so a slow consumer is not mistaken for
// a stalled server.
type stallBody struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	rc     io.ReadCloser
	timer  *time.Timer
	idle   time.Duration
	once   sync.Once
}

var _ io.ReadCloser = (*stallBody)(nil)

func newStallBody(ctx context.Context, cancel context.CancelCauseFunc, rc io.ReadCloser, idle time.Duration) *stallBody {
	s := &stallBody{ctx: ctx, cancel: cancel, rc: rc, idle: idle}
	s.timer = time.AfterFunc(idle, func() { cancel(&stallError{idle: idle}) })
	s.timer.Stop()
	return s
}

func (s *stallBody) Read(p []byte) (int, error) {
	s.timer.Reset(s.idle)
	n, err := s.rc.Read(p)
	s.timer.Stop()
	if err != nil && !errors.Is(err, io.EOF) {
		if se, ok := context.Cause(s.ctx).(*stallError); ok {
			return n, se
		}
	}
	return n, err
}

// Close closes the body and releases the request's context.
func (s *stallBody) Close() error {
	err := s.rc.Close()
	s.once.Do(func() {
		s.timer.Stop()
		s.cancel(nil)
	})
	return err
}
