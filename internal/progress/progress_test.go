package progress

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/testlog"

	"github.com/mbiload/mbiload/pipeline"
)

// feed sends a run's events for n tables from n goroutines at once.
func feed(d pipeline.Observer, n int) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			table := fmt.Sprintf("table_%d", i)
			d.Stage(table, pipeline.StageDownload)
			for k := int64(1); k <= 4; k++ {
				d.Downloaded(table, k<<20, 4<<20)
			}
			d.Stage(table, pipeline.StageLoad)
			d.Rows(table, 1000)
			status := pipeline.StatusLoaded
			if i == 0 {
				status = pipeline.StatusFailed
			}
			d.Done(table, pipeline.TableReport{Status: status, RowsLoaded: 1000})
		}()
	}
	wg.Wait()
}

// TestNew checks the display each mode gives, and that a bad mode is an
// error.
func TestNew(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	tests := []struct {
		name    string
		mode    string
		tty     bool
		want    string // the display's type
		wantErr bool
	}{
		{name: "auto on a terminal", mode: ModeAuto, tty: true, want: "*progress.bars"},
		{name: "auto elsewhere", mode: ModeAuto, want: "*progress.plain"},
		{name: "empty is auto", mode: "", want: "*progress.plain"},
		{name: "plain on a terminal", mode: ModePlain, tty: true, want: "*progress.plain"},
		{name: "tty forced", mode: ModeTTY, want: "*progress.bars"},
		{name: "none", mode: ModeNone, tty: true, want: "progress.none"},
		{name: "unknown", mode: "fancy", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(context.Background(), tt.mode, &testlog.Buffer{}, tt.tty, log, time.Hour)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "want auto, plain or none") {
					t.Errorf("got %v, want an error naming the modes", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if got := fmt.Sprintf("%T", d); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestPlain checks the log lines of the plain display: one per table in
// flight on each tick, with its stage, bytes and rows; none for a table
// that is done, and none once the display is closed.
func TestPlain(t *testing.T) {
	t.Parallel()
	var out testlog.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	ticks, stopped := make(chan time.Time), make(chan struct{})
	d := startPlain(log, ticks, func() { close(stopped) })
	d.Stage("sales_order", pipeline.StageDownload)
	d.Downloaded("sales_order", 3<<20, 8<<20)
	d.Stage("orders_~_line_items-mps", pipeline.StageLoad)
	d.Rows("orders_~_line_items-mps", 4242)
	d.Stage("customer_entity", pipeline.StageWait)
	d.Done("customer_entity", pipeline.TableReport{Status: pipeline.StatusLoaded})
	ticks <- time.Now()
	d.Close() // after the report of the tick it took
	text := out.String()
	if n := strings.Count(text, "msg=progress"); n != 2 {
		t.Errorf("log: got %d progress lines in %q, want 2 (one report, two tables in flight)", n, text)
	}
	for _, want := range []string{
		`table=sales_order stage=download downloaded="3.0 MiB/8.0 MiB"`,
		`table=orders_~_line_items-mps stage=load downloaded="0.0 MiB" rows=4242`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("log: got %q, want a line holding %q", text, want)
		}
	}
	if strings.Contains(text, "customer_entity") {
		t.Errorf("log: got %q, want no line for a table that is done", text)
	}
	select {
	case <-stopped:
	default:
		t.Error("the ticker is not stopped after Close")
	}
	d.Stage("late", pipeline.StageLoad)
	select {
	case ticks <- time.Now():
		t.Error("a tick was taken after Close")
	default:
	}
}

// TestPlainInterval checks that the plain display New gives reports on
// its own, every interval.
func TestPlainInterval(t *testing.T) {
	t.Parallel()
	var out testlog.Buffer
	d, err := New(context.Background(), ModePlain, nil, false, slog.New(slog.NewTextHandler(&out, nil)), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Stage("sales_order", pipeline.StageDownload)
	for deadline := time.Now().Add(10 * time.Second); strings.Count(out.String(), "table=sales_order") < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("log: got %q after 10 s, want two reports at a 1 ms interval", out.String())
		}
	}
}

// TestBars feeds the live display events from many goroutines at once and
// checks that it draws the tables and the overall line, and that Close
// returns (a display must never hang the run).
func TestBars(t *testing.T) {
	t.Parallel()
	var out testlog.Buffer
	d, draw := testBars(t, &out)
	d.Stage("sales_order", pipeline.StageDownload)
	d.Downloaded("sales_order", 1<<20, 2<<20)
	draw() // with a table in flight
	feed(d, 16)
	closed := make(chan struct{})
	go func() { d.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10 s")
	}
	text := out.String()
	for _, want := range []string{"sales_order", "table_15", "overall: 16 done (1 failed)"} {
		if !strings.Contains(text, want) {
			t.Errorf("output: got %q, want it to hold %q", text, want)
		}
	}
}
