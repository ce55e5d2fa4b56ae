package simulator_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/simulator"
)

func TestAuth(t *testing.T) {
	_, open := mustServer(t, simulator.Config{FaultRate: 1})
	_, remote := mustServer(t, simulator.Config{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	tests := []struct {
		name       string
		srv        string
		path       string
		header     map[string]string
		wantStatus int
		wantMsg    string
	}{
		{name: "missing key", srv: "open", path: "/0.1/export", wantStatus: 403, wantMsg: "missing API key"},
		{name: "wrong key", srv: "open", path: "/0.1/export", header: map[string]string{"X-RJM-API-Key": "nope"}, wantStatus: 403, wantMsg: "invalid API key"},
		{name: "ip not allowed", srv: "remote", path: "/0.1/export", header: map[string]string{"X-RJM-API-Key": testKey}, wantStatus: 403, wantMsg: "IP address 127.0.0.1 is not allowed"},
		{name: "wrong client", srv: "open", path: "/0.1/client/13/table", header: map[string]string{"X-RJM-API-Key": testKey}, wantStatus: 403, wantMsg: "not valid for client 13"},
		{name: "right key, faults after auth", srv: "open", path: "/0.1/export", header: map[string]string{"X-RJM-API-Key": testKey}, wantStatus: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := open
			if tt.srv == "remote" {
				ts = remote
			}
			r := doWith(t, ts, http.MethodGet, tt.path, nil, tt.header)
			if tt.wantStatus == 0 {
				if r.status < 500 {
					t.Fatalf("got %d, want an injected 5xx with FaultRate 1", r.status)
				}
				return
			}
			if r.status != tt.wantStatus {
				t.Fatalf("got %d %s, want %d", r.status, r.body, tt.wantStatus)
			}
			body := mustObject(t, r.body)
			if got := idText(body["code"]); got != "403" {
				t.Errorf("got code %v, want 403", body["code"])
			}
			if msg, _ := body["message"].(string); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("got message %q, want it to contain %q", msg, tt.wantMsg)
			}
			if _, ok := body["reasons"].([]any); !ok {
				t.Errorf("got reasons %v, want a list", body["reasons"])
			}
			if bytes.Contains(r.body, []byte(testKey)) {
				t.Errorf("body %s contains the key", r.body)
			}
		})
	}
}

func TestAllowList(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		want    int
		wantErr bool
	}{
		{name: "cidr and single addresses", entries: []string{"10.0.0.0/8", "192.0.2.7", "::1", "0.0.0.0/0"}, want: 4},
		{name: "garbage", entries: []string{"ten.zero"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := simulator.ParseAllow(tt.entries)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if len(got) != tt.want {
				t.Errorf("got %d prefixes, want %d", len(got), tt.want)
			}
		})
	}
	allowAll, err := simulator.ParseAllow([]string{"0.0.0.0/0"})
	if err != nil {
		t.Fatal(err)
	}
	_, ts := mustServer(t, simulator.Config{Allow: allowAll})
	if r := do(t, ts, http.MethodGet, "/0.1/export", nil); r.status != http.StatusOK {
		t.Errorf("got %d, want 200 with 0.0.0.0/0", r.status)
	}
}

func TestConfigValidation(t *testing.T) {
	tables := mustTables(t)
	tests := []struct {
		name string
		cfg  simulator.Config
	}{
		{name: "no key", cfg: simulator.Config{ClientID: "12", Tables: tables}},
		{name: "no client", cfg: simulator.Config{Key: "k", Tables: tables}},
		{name: "rate above one", cfg: simulator.Config{Key: "k", ClientID: "12", Tables: tables, FaultRate: 1.5}},
		{name: "negative delay", cfg: simulator.Config{Key: "k", ClientID: "12", Tables: tables, ExportDelay: -1}},
		{name: "unknown report renamed", cfg: simulator.Config{Key: "k", ClientID: "12", Tables: tables, ReportNames: map[int64]string{1: "x"}}},
		{name: "duplicate table id", cfg: simulator.Config{Key: "k", ClientID: "12", Tables: append(tables, simulator.Table{ID: "1", Name: "other", WriteCSV: tables[0].WriteCSV})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.WorkDir = t.TempDir()
			s, err := simulator.New(tt.cfg)
			if err == nil {
				s.Close()
				t.Fatal("got no error, want ErrBadConfig")
			}
			if !errors.Is(err, simulator.ErrBadConfig) {
				t.Errorf("got %v, want ErrBadConfig", err)
			}
		})
	}
}
