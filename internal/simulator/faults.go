package simulator

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// faultStatuses are the server faults FaultRate chooses from.
var faultStatuses = [...]int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

// requestRoll draws the request's roll, keyed by method and path, where
// the path names a known export by its dieKey rather than its id: the
// faults a table's downloads meet then depend on the seed and that table's
// own requests, not on how its exports' creation interleaved with other
// tables'.
func (s *Server) requestRoll(r *http.Request, p params) roll {
	path := apiPath(r.URL.Path)
	if rest, ok := strings.CutPrefix(path, "export/"+p.id); ok && p.id != "" {
		if id, err := strconv.ParseInt(p.id, 10, 64); err == nil {
			s.mu.Lock()
			e := s.exports[id]
			s.mu.Unlock()
			if e != nil {
				path = "export/{" + e.dieKey + "}" + rest
			}
		}
	}
	return s.dice.roll(r.Method + " /" + path)
}

// injectFaults applies Latency, ResetRate, ThrottleRate and FaultRate to an
// authenticated request. It returns false when it answered (or the client
// went away) and the handler must not run.
func (s *Server) injectFaults(w *statusWriter, r *http.Request, rl roll) bool {
	if d := s.cfg.Latency; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	if rl.hit(drawReset, s.cfg.ResetRate) {
		w.fault = "reset"
		panic(http.ErrAbortHandler) // closes the connection without a response
	}
	if rl.hit(drawThrottle, s.cfg.ThrottleRate) {
		w.fault = "throttle"
		if s.cfg.RetryAfter > 0 {
			secs := int64(math.Ceil(s.cfg.RetryAfter.Seconds()))
			w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		}
		writeError(w, http.StatusTooManyRequests, "Too Many Requests")
		return false
	}
	if rl.hit(drawFault, s.cfg.FaultRate) {
		status := faultStatuses[int(rl.float(drawFaultKind)*float64(len(faultStatuses)))]
		w.fault = "server error"
		writeError(w, status, http.StatusText(status))
		return false
	}
	return true
}

// dropWriter cuts a response body after a pseudo-random part of its
// Content-Length: it writes that part, flushes it, and aborts the
// connection, so the client sees a short body.
type dropWriter struct {
	*statusWriter
	frac    float64 // where to cut, as a fraction of the body
	limit   int64   // bytes to let through; -1 until the header is written
	written int64
}

func newDropWriter(w *statusWriter, frac float64) *dropWriter {
	return &dropWriter{statusWriter: w, frac: frac, limit: -1}
}

func (d *dropWriter) WriteHeader(code int) {
	if d.limit < 0 {
		d.limit = math.MaxInt64
		cl, err := strconv.ParseInt(d.Header().Get("Content-Length"), 10, 64)
		if err == nil && cl >= 2 && code < 300 {
			d.limit = 1 + int64(d.frac*float64(cl-1)) // in [1, cl-1]
			d.fault = "drop"
		}
	}
	d.statusWriter.WriteHeader(code)
}

func (d *dropWriter) Write(p []byte) (int, error) {
	if d.limit < 0 {
		d.WriteHeader(http.StatusOK)
	}
	if d.written+int64(len(p)) <= d.limit {
		n, err := d.statusWriter.Write(p)
		d.written += int64(n)
		return n, err
	}
	part := p[:d.limit-d.written]
	d.statusWriter.Write(part)
	d.statusWriter.Flush()
	panic(http.ErrAbortHandler)
}

var _ http.ResponseWriter = (*dropWriter)(nil)
