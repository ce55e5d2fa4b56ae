package extract

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/testlog"
)

// TestKeyNeverLeaks provokes every kind of error with a distinctive key and
// checks the key appears in no error text (%v, %+v, %#v, %s, %q) and in no
// log line, even at debug level and even when the server echoes it.
func TestKeyNeverLeaks(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(403)
		fmt.Fprintf(w, `{"code":403,"message":"key %s is not allowed","reasons":["%s"]}`, r.Header.Get("X-RJM-API-Key"), r.Header.Get("X-RJM-API-Key"))
	})
	echoText := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		fmt.Fprintf(w, "internal error for %s", r.Header.Get("X-RJM-API-Key"))
	})
	payload := mustPayload(t, 50_000)
	list := func(ctx context.Context, c *Client) error { _, err := c.Exports(ctx); return err }
	download := func(ctx context.Context, c *Client) error {
		_, err := c.Download(ctx, "51", t.TempDir())
		return err
	}
	tests := []struct {
		name    string
		handler http.Handler
		tune    func(*Config)
		call    func(ctx context.Context, c *Client) error
	}{
		{name: "400", handler: reply(400, `{"message":"bad"}`), call: list},
		{name: "403 echoing the key", handler: echo, call: list},
		{name: "500 echoing the key", handler: echoText, call: list},
		{name: "404", handler: reply(404, ""), call: download},
		{name: "410", handler: reply(410, ""), call: download},
		{name: "429 spent", handler: reply(429, ""), call: list},
		{name: "503 spent", handler: reply(503, ""), call: list},
		{name: "connection reset", handler: hangUp(true), call: list},
		{name: "cut body spent", handler: &exportServer{payload: payload, cuts: []int64{1, 1, 1, 1, 1, 1}}, call: download},
		{name: "bad json", handler: reply(200, `{"exports":`), call: list},
		{name: "export failed", handler: statusReply("Error"), call: func(ctx context.Context, c *Client) error { _, err := c.WaitExport(ctx, "51"); return err }},
		{
			name: "wait timeout", handler: statusReply("Pending"),
			tune: func(c *Config) { c.Poll.Timeout = 5 * time.Millisecond },
			call: func(ctx context.Context, c *Client) error { _, err := c.WaitExport(ctx, "51"); return err },
		},
		{
			name: "header timeout", tune: func(c *Config) {
				c.Retry.MaxAttempts = 2
				c.HTTPClient = &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 20 * time.Millisecond}}
			},
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(time.Second):
				case <-r.Context().Done():
				}
			}),
			call: list,
		},
		{
			name: "cancelled", handler: reply(503, ""),
			tune: func(c *Config) { c.Retry.InitialDelay, c.Retry.MaxDelay = time.Hour, time.Hour },
			call: func(ctx context.Context, c *Client) error {
				ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
				defer cancel()
				_, err := c.Exports(ctx)
				return err
			},
		},
		{name: "no client id", handler: reply(200, `[]`), tune: func(c *Config) { c.ClientID = "" }, call: func(ctx context.Context, c *Client) error { _, err := c.Tables(ctx); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, tt.handler, tt.tune)
			err := tt.call(context.Background(), env.c)
			if err == nil {
				t.Fatal("got nil error, want one")
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				if s := fmt.Sprintf(verb, err); strings.Contains(s, testKey) {
					t.Errorf("%s of the error shows the key: %s", verb, s)
				}
			}
			if strings.Contains(env.log.String(), testKey) {
				t.Errorf("log shows the key: %s", env.log.String())
			}
			if env.log.String() == "" && tt.name != "no client id" {
				t.Errorf("log is empty; the leak check would prove nothing")
			}
		})
	}
}

// TestConfigNeverPrintsKey checks every printed form of Config and Client.
func TestConfigNeverPrintsKey(t *testing.T) {
	cfg := Config{APIKey: testKey, ClientID: "12"}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	type holder struct {
		Cfg    Config
		Client *Client
	}
	values := []any{cfg, &cfg, c, holder{cfg, c}, []Config{cfg}}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%T"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, testKey) || strings.Contains(s, fmt.Sprintf("%x", testKey)) {
				t.Errorf("%s of %T shows the key: %s", verb, v, s)
			}
		}
	}
	if s := fmt.Sprint(cfg); !strings.Contains(s, redacted) || !strings.Contains(s, "ClientID:12") {
		t.Errorf("String: got %s, want the key masked and the rest shown", s)
	}
	var logs testlog.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("config", "cfg", cfg, "client", c, "ptr", &cfg)
	}
	if strings.Contains(logs.String(), testKey) || !strings.Contains(logs.String(), redacted) {
		t.Errorf("slog: got %s, want the key masked", logs.String())
	}
}
