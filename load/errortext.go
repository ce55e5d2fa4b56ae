package load

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrorText is err's message for a log line, a report or the ledger, with
// a failed connection said once, on one line: pgx joins the error of each
// address and of TLS and plain text (sslmode prefer) on lines of their
// own; the text keeps the last attempt's reason (see connectReason), as
// "cannot connect to PostgreSQL (user=... database=...): 127.0.0.1:5432
// (127.0.0.1): dial error: ... connection refused".
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	text := err.Error()
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) || ce.Config == nil {
		return text
	}
	short := fmt.Sprintf("cannot connect to PostgreSQL (user=%s database=%s): %s", ce.Config.User, ce.Config.Database,
		connectReason(ce))
	return oneLine(strings.Replace(text, ce.Error(), short, 1))
}

// connectReason is the reason of a failed connection's last attempt that
// is not the TLS fallback's refusal.
func connectReason(ce *pgconn.ConnectError) string {
	inner := ce.Unwrap()
	if inner == nil {
		return ""
	}
	attempts := []error{inner}
	if j, ok := inner.(interface{ Unwrap() []error }); ok {
		attempts = j.Unwrap()
	}
	reason := ""
	for _, a := range attempts {
		if a == nil {
			continue
		}
		msg := a.Error()
		if reason != "" && strings.Contains(msg, "server refused TLS connection") {
			continue
		}
		reason = msg
	}
	return reason
}

// oneLine joins a message's lines with "; ".
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}
