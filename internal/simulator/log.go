package simulator

import (
	"log/slog"
	"net/http"
	"time"
)

// statusWriter records what a handler answered, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	fault  string // the injected fault, if any
}

var _ http.Flusher = (*statusWriter)(nil)

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush implements [http.Flusher].
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets [http.ResponseController] reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest writes the request's log line. It is deferred by ServeHTTP and
// re-raises a handler's panic (such as the http.ErrAbortHandler of a dropped
// download) after logging it. The key is never logged, nor the query string.
func (s *Server) logRequest(r *http.Request, w *statusWriter, start time.Time) {
	v := recover()
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", w.status),
		slog.Int64("bytes", w.bytes),
		slog.Duration("duration", time.Since(start)),
		slog.String("remote", r.RemoteAddr),
	}
	if w.fault != "" {
		attrs = append(attrs, slog.String("fault", w.fault))
	}
	if v != nil {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	if v != nil {
		panic(v)
	}
}
