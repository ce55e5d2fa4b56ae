package extract

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecode feeds arbitrary bodies to every response decoder: none may
// panic, and an export that decodes carries an id.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`[{"id":"1","status":"COMPLETED","created_at":"2026-01-02T03:04:05Z"}]`))
	f.Add([]byte(`{"export":{"id":1},"exports":null}`))
	f.Add([]byte(`{"figureExports":{"7":{"name":"a","presentationType":"sql"},"8":{"id":"8"}},"figures":[]}`))
	f.Add([]byte(`{"1":{"name":"a"},"2":{"figure":{"id":2}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tables []Table
		_ = listDecoder("tables", &tables)(data)
		var exps []Export
		_ = listDecoder("exports", &exps)(data)
		var exp Export
		if exportDecoder(&exp)(data) == nil && exp.ID == "" {
			t.Errorf("export decoded without an id from %q", data)
		}
		var fig Figure
		_ = unmarshalReport(data, "figure", "1", &fig)
		var figs []Figure
		_ = unmarshalReports(data, "figure", &figs)
		var charts []Chart
		_ = unmarshalReports(data, "chart", &charts)
		var st UpdateStatus
		_ = itemDecoder("fullupdatestatus", &st)(data)
	})
}

// FuzzErrorBody checks that any error body gives a bounded, printable,
// valid UTF-8 message.
func FuzzErrorBody(f *testing.F) {
	f.Add([]byte(`{"code":404,"message":"Not Found","reasons":[]}`))
	f.Add([]byte(`{"error":"x","errors":[{"reason":"y"},1,null]}`))
	f.Add([]byte("plain\ntext\x00"))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		msg := errorMessage(data)
		if len(msg) > maxMessage+len("…") || !utf8.ValidString(msg) {
			t.Errorf("message %q: too long or not UTF-8", msg)
		}
		for _, r := range msg {
			if r < ' ' || r == 0x7f {
				t.Errorf("message %q holds control character %U", msg, r)
			}
		}
	})
}

// FuzzHeaders feeds arbitrary header values to the Content-Range,
// Retry-After and timestamp parsers.
func FuzzHeaders(f *testing.F) {
	f.Add("bytes 0-9/10")
	f.Add("bytes 5-9/*")
	f.Add("Wed, 26 Nov 2026 02:00:00 GMT")
	f.Add("2026-11-26 02:00:04.5")
	f.Fuzz(func(t *testing.T, s string) {
		if start, total, err := parseContentRange(s); err == nil && (start < 0 || (total >= 0 && start >= total)) {
			t.Errorf("Content-Range %q: accepted start %d total %d", s, start, total)
		}
		if d := parseRetryAfter(s, time.Unix(0, 0)); d < 0 || d > maxRetryAfter {
			t.Errorf("Retry-After %q: got %v", s, d)
		}
		_, _ = ParseTimestamp(s)
	})
}
