package extract

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

var (
	// ErrForbidden is returned for 401 and 403 answers: a wrong or missing key,
	// a caller IP outside the key's allow-list, or a client id the key does not
	// own.
	ErrForbidden = errors.New("extract: forbidden")
	// ErrNotFound is returned for 404 answers and when a table reference
	// matches no table. A download answers 404 while its export is not
	// complete yet.
	ErrNotFound = errors.New("extract: not found")
	// ErrExpired is returned for 410 answers: the export expired (exports live
	// 7 days); see [Client.RecreateExport].
	ErrExpired = errors.New("extract: export expired")
	// ErrRateLimited is returned for 429 answers once retries are exhausted.
	ErrRateLimited = errors.New("extract: rate limited")
	// ErrServer is returned for 5xx answers once retries are exhausted.
	ErrServer = errors.New("extract: server error")
	// ErrBadRequest is returned for 4xx answers not covered by another
	// sentinel (400, 405, 422, ...).
	ErrBadRequest = errors.New("extract: request refused")
	// ErrUnexpectedStatus is returned for a non-2xx answer outside 4xx and 5xx.
	ErrUnexpectedStatus = errors.New("extract: unexpected status")
	// ErrExportFailed is returned by [Client.WaitExport] when the export's
	// status becomes Error.
	ErrExportFailed = errors.New("extract: export failed")
	// ErrWaitTimeout is returned by [Client.WaitExport] when the export is not
	// complete within [PollPolicy.Timeout].
	ErrWaitTimeout = errors.New("extract: timed out waiting for export")
	// ErrInsecureURL is returned by [New] for a plain http:// base URL to a
	// host that is not a loopback address, unless [Config.InsecureHTTP] is set.
	ErrInsecureURL = errors.New("extract: refusing to send the API key over plain http to a non-loopback host (use https, or allow plain http explicitly)")
	// ErrNoClientID is returned by the table and full-update-status calls when
	// [Config.ClientID] is empty.
	ErrNoClientID = errors.New("extract: no client id configured")
	// ErrLengthMismatch is returned when a download's length differs from the
	// length the server announced.
	ErrLengthMismatch = errors.New("extract: download length mismatch")
	// ErrAmbiguousTable is returned by [Client.FindTable] when a reference
	// matches several tables.
	ErrAmbiguousTable = errors.New("extract: ambiguous table reference")
	// ErrBadConfig is returned by [New] for an invalid [Config].
	ErrBadConfig = errors.New("extract: invalid configuration")
	// ErrBadResponse is returned for a 2xx answer whose body cannot be used.
	ErrBadResponse = errors.New("extract: unusable response")
)

// APIError is a non-2xx answer from the API. It unwraps to the sentinel for
// its status (see [APIError.Unwrap]), so callers can test both
// errors.Is(err, ErrExpired) and errors.As(err, &apiErr).
type APIError struct {
	// Method and Path name the request; Path is relative to the base URL
	// ("/export/51/info").
	Method, Path string
	// BaseURL is the base URL the request went to (never with a key: the
	// client refuses base URLs with credentials), named among the causes
	// of a 401 or 403.
	BaseURL string
	// Status is the HTTP status code.
	Status int
	// Message is the server's explanation, read leniently from the body
	// (trimmed, bounded, and with the API key masked should the server echo it).
	Message string
	// RetryAfter is the wait the server asked for in a Retry-After header,
	// zero when absent.
	RetryAfter time.Duration
}

// Error names the request, the status, the server's message and, for 401 and
// 403, every cause the vendor documents: the key, the IP allow-list, the
// client id, and a malformed path or headers, as a wrong base URL gives.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if text := http.StatusText(e.Status); text != "" {
		b.WriteString(" " + text)
	}
	if e.Message != "" && !strings.EqualFold(e.Message, http.StatusText(e.Status)) {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		b.WriteString(" (the API refused the request: the key is wrong or missing, this machine's IP address is not in the key's allow-list, the client id is not the one the key belongs to, or the path or headers are malformed")
		if e.BaseURL != "" {
			fmt.Fprintf(&b, ", as a wrong base URL gives: check that %s is the Export API's base URL", e.BaseURL)
		} else {
			b.WriteString(", as a wrong base URL gives")
		}
		b.WriteString(")")
	case http.StatusNotFound:
		if strings.HasPrefix(e.Path, "/export/") && !strings.Contains(strings.TrimPrefix(e.Path, "/export/"), "/") {
			b.WriteString(" (the export is not complete yet, or there is no such export)")
		}
	case http.StatusGone:
		b.WriteString(" (the export expired; copy it or export the table again)")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the sentinel for the status: [ErrForbidden] (401, 403),
// [ErrNotFound] (404), [ErrExpired] (410), [ErrRateLimited] (429),
// [ErrBadRequest] (other 4xx), [ErrServer] (5xx) or [ErrUnexpectedStatus].
func (e *APIError) Unwrap() error { return sentinelFor(e.Status) }

func sentinelFor(status int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusGone:
		return ErrExpired
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 400 && status < 500:
		return ErrBadRequest
	case status >= 500 && status < 600:
		return ErrServer
	default:
		return ErrUnexpectedStatus
	}
}
