package extract

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestForbiddenNamesEveryCause checks that a 403 lists every cause the
// vendor documents, the base URL among them, and never the key: here the
// base URL is wrong (an old version path), which the vendor's newer pages
// say is answered 403 like a bad key.
func TestForbiddenNamesEveryCause(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/0.1/") {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"code":403,"message":"Forbidden","reasons":[]}`))
			return
		}
		w.Write([]byte(`{"tables":[]}`))
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		base    string
		wantErr bool
	}{
		{name: "wrong base URL", base: srv.URL + "/0.2", wantErr: true},
		{name: "base URL without the version", base: srv.URL, wantErr: true},
		{name: "right base URL", base: srv.URL + "/0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(testConfig(tt.base, &strings.Builder{}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Tables(context.Background())
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Tables: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrForbidden) {
				t.Fatalf("err: got %v, want %v", err, ErrForbidden)
			}
			msg := err.Error()
			for _, want := range []string{"key is wrong or missing", "not in the key's allow-list", "client id",
				"path or headers are malformed", "check that " + tt.base + " is the Export API's base URL"} {
				if !strings.Contains(msg, want) {
					t.Errorf("err: got %q, want it to hold %q", msg, want)
				}
			}
			if strings.Contains(msg, testKey) {
				t.Errorf("err: got %q, which holds the API key", msg)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.BaseURL != tt.base {
				t.Errorf("APIError: got %#v, want BaseURL %s", apiErr, tt.base)
			}
		})
	}
}
