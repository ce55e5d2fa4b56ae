package simtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

func TestStartServesAndAuthorizes(t *testing.T) {
	_, srv := Start(t, simulator.Config{Key: "k", ClientID: "12", Tables: simulator.Generated(10, 1)})
	tests := []struct {
		name string
		key  string
		want int
	}{
		{"right key", "k", http.StatusOK},
		{"wrong key", "nope", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/0.1/client/12/table", nil)
			req.Header.Set("X-RJM-API-Key", tt.key)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("got %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 11, 26, 2, 0, 4, 0, time.UTC)
	c := NewClock(start)
	c.Advance(time.Hour)
	if got := c.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("got %v, want %v", got, start.Add(time.Hour))
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Errorf("got %v, want %v", got, start)
	}
}
