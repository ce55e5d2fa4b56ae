package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// timeLayout is the API's timestamp format (no zone; the account's time zone).
const timeLayout = "2006-01-02 15:04:05"

// errorBody is the error shape of the vendor's sibling Import API.
type errorBody struct {
	Code    int      `json:"code"`
	Message string   `json:"message"`
	Reasons []string `json:"reasons"`
}

// writeError answers status with an error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Code: status, Message: msg, Reasons: []string{}})
}

// writeJSON answers status with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"code":500,"message":"encode response","reasons":[]}`)
	}
	data = append(data, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

// extraFields are unknown fields added to objects when Quirks.ExtraFields is
// on; embedded as a nil pointer they add nothing.
type extraFields struct {
	Href     string         `json:"href"`
	Revision int            `json:"_revision"`
	Meta     map[string]any `json:"meta"`
}

// extra returns the unknown fields for an object at href, or nil.
func (s *Server) extra(href string) *extraFields {
	if !s.cfg.Quirks.ExtraFields {
		return nil
	}
	return &extraFields{Href: "/0.1" + href, Revision: 3, Meta: map[string]any{"source": "simulator", "beta": true}}
}

// id renders an id: a JSON number when it is a plain decimal number, a
// string otherwise or when Quirks.StringIDs is on.
func (s *Server) id(id string) any {
	if s.cfg.Quirks.StringIDs || !isNumber(id) {
		return id
	}
	return json.Number(id)
}

// intID renders a numeric id.
func (s *Server) intID(n int64) any { return s.id(strconv.FormatInt(n, 10)) }

// isNumber reports whether s is digits without a leading zero (so that a
// JSON number keeps its text).
func isNumber(s string) bool {
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// statusText renders an export status, lower-cased under Quirks.LowercaseStatus.
func (s *Server) statusText(st string) string {
	if s.cfg.Quirks.LowercaseStatus {
		return strings.ToLower(st)
	}
	return st
}

// list renders a list under key, or bare under Quirks.BareArrays.
func (s *Server) list(key string, items any, n int) any {
	if s.cfg.Quirks.BareArrays {
		return items
	}
	if s.cfg.Quirks.ExtraFields {
		return map[string]any{key: items, "total": n, "page": 1, "next": nil}
	}
	return map[string]any{key: items}
}

// stamp formats t in the account's time zone.
func (s *Server) stamp(t time.Time) string {
	return t.In(s.cfg.Location).Format(timeLayout)
}
