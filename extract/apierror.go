package extract

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	// maxErrorBody bounds how much of an error body is read.
	maxErrorBody = 16 << 10
	// maxMessage bounds the message kept from an error body.
	maxMessage = 300
	// maxRetryAfter bounds a parsed Retry-After, so absurd values cannot
	// overflow; the retry loop further bounds it by RetryPolicy.MaxElapsed.
	maxRetryAfter = 24 * time.Hour
)

// apiError builds the [*APIError] for a non-2xx response, reading a bounded
// prefix of its body.
func (c *Client) apiError(req request, resp *http.Response) *APIError {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := errorMessage(data)
	if c.cfg.APIKey != "" {
		msg = strings.ReplaceAll(msg, c.cfg.APIKey, redacted)
	}
	return &APIError{
		Method:     req.method,
		Path:       req.path,
		BaseURL:    c.cfg.BaseURL,
		Status:     resp.StatusCode,
		Message:    msg,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.now()),
	}
}

// errorMessage reads an error body leniently: the contract's
// {"code":404,"message":"Not Found","reasons":[...]} (also "error" or
// "errors"), else short plain text; HTML and binary bodies give "".
func errorMessage(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return ""
	}
	if data[0] == '{' {
		var body struct {
			Message string          `json:"message"`
			Error   json.RawMessage `json:"error"`
			Reasons []any           `json:"reasons"`
			Errors  []any           `json:"errors"`
		}
		if json.Unmarshal(data, &body) != nil {
			return ""
		}
		parts := []string{}
		if body.Message != "" {
			parts = append(parts, body.Message)
		}
		var errText string
		if json.Unmarshal(body.Error, &errText) == nil && errText != "" {
			parts = append(parts, errText)
		}
		for _, r := range append(body.Reasons, body.Errors...) {
			parts = append(parts, reasonText(r))
		}
		return clean(strings.Join(parts, "; "))
	}
	if data[0] == '<' || !utf8.Valid(data) {
		return ""
	}
	return clean(string(data))
}

func reasonText(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case map[string]any:
		for _, k := range []string{"message", "reason", "detail"} {
			if s, ok := v[k].(string); ok {
				return s
			}
		}
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// clean turns control characters into spaces, collapses whitespace and
// bounds the length at a rune boundary.
func clean(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if len(s) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP-date.
// Missing, unparsable or past values give 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return min(time.Duration(min(secs, int64(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}
