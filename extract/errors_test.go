package extract

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestErrorStatuses checks that every error status maps to its sentinel via
// errors.Is and to an *APIError via errors.As, and how often it was tried.
func TestErrorStatuses(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		want     error
		attempts int // with MaxAttempts 3
	}{
		{name: "400", status: 400, want: ErrBadRequest, attempts: 1},
		{name: "401", status: 401, want: ErrForbidden, attempts: 1},
		{name: "403", status: 403, want: ErrForbidden, attempts: 1},
		{name: "404", status: 404, want: ErrNotFound, attempts: 1},
		{name: "405", status: 405, want: ErrBadRequest, attempts: 1},
		{name: "409", status: 409, want: ErrBadRequest, attempts: 1},
		{name: "410", status: 410, want: ErrExpired, attempts: 1},
		{name: "422", status: 422, want: ErrBadRequest, attempts: 1},
		{name: "429", status: 429, want: ErrRateLimited, attempts: 3},
		{name: "500", status: 500, want: ErrServer, attempts: 3},
		{name: "502", status: 502, want: ErrServer, attempts: 3},
		{name: "503", status: 503, want: ErrServer, attempts: 3},
		{name: "504", status: 504, want: ErrServer, attempts: 3},
		{name: "304 unexpected", status: 304, want: ErrUnexpectedStatus, attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(tt.status, `{"code":`+strconv.Itoa(tt.status)+`,"message":"the server says no","reasons":["because"]}`),
				func(c *Config) { c.Retry.MaxAttempts = 3 })
			_, err := env.c.Export(context.Background(), "51")
			if !errors.Is(err, tt.want) {
				t.Fatalf("errors.Is: got %v, want %v", err, tt.want)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("errors.As(*APIError): got %T %v", err, err)
			}
			if apiErr.Status != tt.status || apiErr.Method != "GET" || apiErr.Path != "/export/51/info" {
				t.Errorf("APIError: got %s %s %d, want GET /export/51/info %d", apiErr.Method, apiErr.Path, apiErr.Status, tt.status)
			}
			if got := env.rec.count(); got != tt.attempts {
				t.Errorf("attempts: got %d, want %d", got, tt.attempts)
			}
			if tt.status != 304 && apiErr.Message != "the server says no; because" { // a 304 has no body
				t.Errorf("Message: got %q, want %q", apiErr.Message, "the server says no; because")
			}
			if msg := err.Error(); !strings.Contains(msg, "GET /export/51/info: HTTP "+strconv.Itoa(tt.status)) {
				t.Errorf("message %q does not name the request and status", msg)
			}
		})
	}
}

// TestErrorMessages checks the text of errors: the 403 causes, the 404 hint
// on downloads, and lenient reading of error bodies.
func TestErrorMessages(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	tests := []struct {
		name    string
		status  int
		body    string
		call    func(ctx context.Context, c *Client) error
		want    []string
		notWant []string
	}{
		{
			name: "403 names the likely causes", status: 403, body: `{"code":403,"message":"Forbidden","reasons":[]}`,
			call: func(ctx context.Context, c *Client) error { _, err := c.Tables(ctx); return err },
			want: []string{"GET /client/12/table", "HTTP 403 Forbidden", "wrong or missing", "allow-list", "client id",
				"path or headers are malformed", "wrong base URL"},
		},
		{
			name: "404 on download says not complete yet", status: 404, body: `{"code":404,"message":"Not Found","reasons":[]}`,
			call: func(ctx context.Context, c *Client) error { _, err := c.openExport(ctx, "51"); return err },
			want: []string{"GET /export/51", "HTTP 404", "not complete yet"},
		},
		{
			name: "404 on info has no download hint", status: 404, body: `{"code":404,"message":"Not Found","reasons":[]}`,
			call:    func(ctx context.Context, c *Client) error { _, err := c.Export(ctx, "51"); return err },
			want:    []string{"GET /export/51/info", "HTTP 404 Not Found"},
			notWant: []string{"not complete yet", "Not Found: Not Found"},
		},
		{
			name: "410 says expired", status: 410, body: ``,
			call: func(ctx context.Context, c *Client) error { _, err := c.openExport(ctx, "51"); return err },
			want: []string{"HTTP 410 Gone", "expired"},
		},
		{
			name: "contract body with reasons", status: 400, body: `{"code":400,"message":"Bad format","reasons":["json is not allowed for SQL reports",{"reason":"use csv"}]}`,
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ExportFigure(ctx, "1", FormatJSON, false)
				return err
			},
			want: []string{"POST /figure/1/export", "Bad format; json is not allowed for SQL reports; use csv"},
		},
		{
			name: "error field", status: 400, body: `{"error":"nope"}`,
			call: func(ctx context.Context, c *Client) error { _, err := c.Figures(ctx); return err },
			want: []string{"HTTP 400 Bad Request: nope"},
		},
		{
			name: "plain text body", status: 400, body: "bad\nthing\x00here",
			call: func(ctx context.Context, c *Client) error { _, err := c.Figures(ctx); return err },
			want: []string{"HTTP 400 Bad Request: bad thing here"},
		},
		{
			name: "html body ignored", status: 400, body: "<html><body>Bad</body></html>",
			call:    func(ctx context.Context, c *Client) error { _, err := c.Figures(ctx); return err },
			notWant: []string{"<html>"},
		},
		{
			name: "huge body bounded", status: 400, body: long,
			call:    func(ctx context.Context, c *Client) error { _, err := c.Figures(ctx); return err },
			want:    []string{"…"},
			notWant: []string{strings.Repeat("x", maxMessage+1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(tt.status, tt.body), nil)
			err := tt.call(context.Background(), env.c)
			if err == nil {
				t.Fatal("got nil error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message: got %q, want it to contain %q", err, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(err.Error(), w) {
					t.Errorf("message: got %q, want it not to contain %q", err, w)
				}
			}
		})
	}
}

// TestUnusableResponse checks that a 2xx body that cannot be decoded is an
// ErrBadResponse and is not retried.
func TestUnusableResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
		call func(ctx context.Context, c *Client) error
	}{
		{name: "not json", body: "<html>", call: func(ctx context.Context, c *Client) error { _, err := c.Exports(ctx); return err }},
		{name: "object without list", body: `{"a":1}`, call: func(ctx context.Context, c *Client) error { _, err := c.Tables(ctx); return err }},
		{name: "export without id", body: `{"name":"x","status":"Pending"}`, call: func(ctx context.Context, c *Client) error { _, err := c.CreateTableExport(ctx, "3"); return err }},
		{name: "columns without names", body: `{"columns":[{"type":"Integer"}]}`, call: func(ctx context.Context, c *Client) error { _, err := c.Columns(ctx, "3"); return err }},
		{name: "bad timestamp", body: `{"export_id":1,"created_at":"yesterday"}`, call: func(ctx context.Context, c *Client) error { _, err := c.Export(ctx, "1"); return err }},
		{name: "empty body", body: ``, call: func(ctx context.Context, c *Client) error { _, err := c.Figures(ctx); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(200, tt.body), nil)
			err := tt.call(context.Background(), env.c)
			if !errors.Is(err, ErrBadResponse) {
				t.Errorf("err: got %v, want ErrBadResponse", err)
			}
			if n := env.rec.count(); n != 1 {
				t.Errorf("attempts: got %d, want 1", n)
			}
		})
	}
}
