package progress

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mbiload/mbiload/pipeline"
)

// Display is a pipeline.Observer that must be closed when the run ends.
type Display interface {
	pipeline.Observer
	// Close stops the display and waits for its last output.
	Close()
}

// Modes of New.
const (
	ModeAuto  = "auto"
	ModePlain = "plain"
	ModeNone  = "none"
	ModeTTY   = "tty"
)

// New returns the display for mode: "auto" picks live bars when isTTY and
// plain log lines otherwise; "plain" logs every interval through log;
// "none" shows nothing; "tty" forces live bars on w.
func New(ctx context.Context, mode string, w io.Writer, isTTY bool, log *slog.Logger, interval time.Duration) (Display, error) {
	switch mode {
	case ModeAuto, "":
		if isTTY {
			return newBars(ctx, w, nil), nil
		}
		return newPlain(log, interval), nil
	case ModePlain:
		return newPlain(log, interval), nil
	case ModeTTY:
		return newBars(ctx, w, nil), nil
	case ModeNone:
		return none{}, nil
	}
	return nil, fmt.Errorf("--progress %q: want auto, plain or none", mode)
}

type none struct{}

var (
	_ Display = none{}
	_ Display = (*plain)(nil)

	_ pipeline.RowsExpecter = none{}
	_ pipeline.RowsExpecter = (*plain)(nil)
	_ pipeline.RowsExpecter = (*bars)(nil)
)

func (none) Start(string, string)              {}
func (none) Stage(string, string)              {}
func (none) Downloaded(string, int64, int64)   {}
func (none) Rows(string, int64)                {}
func (none) Done(string, pipeline.TableReport) {}
func (none) Close()                            {}
func (none) ExpectRows(string, int64)          {}

// tableState is what both displays know of a table in flight.
type tableState struct {
	stage       string
	done, total int64
	rows        int64
	expected    int64 // rows the load should read; 0 when unknown
	loadStart   time.Time
}

func (s *tableState) rate(now time.Time) float64 {
	if s.loadStart.IsZero() || s.rows == 0 {
		return 0
	}
	return float64(s.rows) / max(now.Sub(s.loadStart).Seconds(), 1e-3)
}

// labels are the names shown for the keys of events (see
// pipeline.Observer): a key without a label shows as itself. They are
// kept after a table is done, for a backfill's next export of it.
type labels map[string]string

func (l labels) of(key string) string {
	if label, ok := l[key]; ok {
		return label
	}
	return key
}

// plain logs the tables in flight every interval, one line each.
type plain struct {
	log    *slog.Logger
	mu     sync.Mutex
	labels labels
	tables map[string]*tableState // by key
	order  []string               // keys
	stop   chan struct{}
	wg     sync.WaitGroup
}

// newPlain returns a plain display that reports every interval (15 s when
// it is not positive).
func newPlain(log *slog.Logger, interval time.Duration) *plain {
	if interval <= 0 {
		interval = 15 * time.Second
	}
	t := time.NewTicker(interval)
	return startPlain(log, t.C, t.Stop)
}

// startPlain returns a plain display that reports on each tick, and calls
// stop once it no longer takes them (tests send the ticks themselves).
func startPlain(log *slog.Logger, ticks <-chan time.Time, stop func()) *plain {
	p := &plain{log: log, labels: labels{}, tables: map[string]*tableState{}, stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer stop()
		for {
			select {
			case <-p.stop:
				return
			case <-ticks:
				p.report()
			}
		}
	}()
	return p
}

func (p *plain) state(key string) *tableState {
	s, ok := p.tables[key]
	if !ok {
		s = &tableState{}
		p.tables[key] = s
		p.order = append(p.order, key)
	}
	return s
}

func (p *plain) Start(key, label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.labels[key] = label
}

func (p *plain) Stage(key, stage string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.state(key)
	s.stage = stage
	if stage == pipeline.StageLoad {
		s.loadStart = time.Now()
	}
}

func (p *plain) Downloaded(key string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.state(key)
	s.done, s.total = done, total
}

func (p *plain) Rows(key string, rows int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state(key).rows = rows
}

// ExpectRows says how many rows the table's load should read.
func (p *plain) ExpectRows(key string, rows int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state(key).expected = rows
}

func (p *plain) Done(key string, _ pipeline.TableReport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.tables, key)
	for i, k := range p.order {
		if k == key {
			p.order = append(p.order[:i], p.order[i+1:]...)
			break
		}
	}
}

func (p *plain) report() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for _, key := range p.order {
		s := p.tables[key]
		p.log.Info("progress", "table", p.labels.of(key), "stage", s.stage, "downloaded", bytesOf(s.done, s.total),
			"rows", s.rows, "rows_expected", s.expected, "rows_per_s", int64(s.rate(now)))
	}
}

func (p *plain) Close() {
	close(p.stop)
	p.wg.Wait()
}

// bytesOf formats a byte count and its total: "12.5 MiB/40.0 MiB".
func bytesOf(done, total int64) string {
	if total <= 0 {
		return mib(done)
	}
	return mib(done) + "/" + mib(total)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
