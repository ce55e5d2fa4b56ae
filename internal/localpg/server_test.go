package localpg_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/internal/localpg"
)

func TestStartQueryStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := localpg.Start(ctx, localpg.Options{Settings: map[string]string{"fsync": "off"}})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	conn, err := pgx.Connect(ctx, srv.URL)
	if err != nil {
		srv.Stop(ctx)
		t.Fatalf("connect: %v", err)
	}
	var fsync string
	if err := conn.QueryRow(ctx, "SHOW fsync").Scan(&fsync); err != nil {
		t.Errorf("query: %v", err)
	}
	if fsync != "off" {
		t.Errorf("got fsync=%q, want off (settings not applied)", fsync)
	}
	conn.Close(ctx)
	if err := srv.Restart(ctx, "fast"); err != nil {
		t.Errorf("restart: %v", err)
	}
	if err := srv.Stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(srv.Dir); !os.IsNotExist(err) {
		t.Errorf("got stat err %v, want the server directory removed", err)
	}
}
