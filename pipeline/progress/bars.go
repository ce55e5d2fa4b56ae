package progress

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// bars draws one live line per table in flight and an overall line.
type bars struct {
	p       *mpb.Progress
	mu      sync.Mutex
	labels  labels
	tables  map[string]*barState // by key
	overall *mpb.Bar
	start   time.Time
	done    int
	failed  int
	rows    int64
}

var _ Display = (*bars)(nil)

type barState struct {
	tableState
	bar *mpb.Bar
}

func newBars(ctx context.Context, w io.Writer) *bars {
	b := &bars{
		// Auto refresh even when w is not a terminal: bars are drawn on a
		// terminal, or when forced (ModeTTY), and mpb would otherwise draw
		// nothing on a pipe.
		p: mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(30), mpb.WithRefreshRate(250*time.Millisecond),
			mpb.WithAutoRefresh()),
		labels: labels{},
		tables: map[string]*barState{},
		start:  time.Now(),
	}
	b.overall = b.p.New(0, mpb.NopStyle(),
		mpb.BarPriority(1<<30),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return b.summary() })))
	return b
}

func (b *bars) summary() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprintf("overall: %d done (%d failed), %d in flight, %d rows loaded, %s",
		b.done, b.failed, len(b.tables), b.rows, time.Since(b.start).Round(time.Second))
}

// state returns the table's state, creating its line when it is new. It
// must be called without b.mu held: the line's decorators take b.mu from
// mpb's render goroutine, and creating a line waits for that goroutine.
func (b *bars) state(key string) *barState {
	b.mu.Lock()
	s, ok := b.tables[key]
	label := b.labels.of(key)
	b.mu.Unlock()
	if ok {
		return s
	}
	s = &barState{}
	s.bar = b.p.New(0, mpb.BarStyle().Lbound("[").Rbound("]"),
		mpb.PrependDecorators(
			decor.Name(termsafe.String(label), decor.WC{W: 24, C: decor.DindentRight | decor.DextraSpace}),
			decor.Any(func(decor.Statistics) string {
				b.mu.Lock()
				defer b.mu.Unlock()
				return fmt.Sprintf("%-8s", s.stage)
			}),
		),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			b.mu.Lock()
			defer b.mu.Unlock()
			if s.stage == pipeline.StageLoad {
				return fmt.Sprintf("%d rows, %d rows/s", s.rows, int64(s.rate(time.Now())))
			}
			return bytesOf(s.done, s.total)
		})),
	)
	b.mu.Lock()
	defer b.mu.Unlock()
	if prev, ok := b.tables[key]; ok { // created meanwhile by another event
		s.bar.Abort(true)
		return prev
	}
	b.tables[key] = s
	return s
}

func (b *bars) Start(key, label string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.labels[key] = label
}

func (b *bars) Stage(key, stage string) {
	s := b.state(key)
	b.mu.Lock()
	defer b.mu.Unlock()
	s.stage = stage
	if stage == pipeline.StageLoad {
		s.loadStart = time.Now()
	}
}

func (b *bars) Downloaded(key string, done, total int64) {
	s := b.state(key)
	b.mu.Lock()
	s.done, s.total = done, total
	b.mu.Unlock()
	if total > 0 {
		s.bar.SetTotal(total, false)
	}
	s.bar.SetCurrent(done)
}

func (b *bars) Rows(key string, rows int64) {
	s := b.state(key)
	b.mu.Lock()
	defer b.mu.Unlock()
	s.rows = rows
}

func (b *bars) Done(key string, r pipeline.TableReport) {
	b.mu.Lock()
	s, ok := b.tables[key]
	delete(b.tables, key)
	b.done++
	if r.Status == pipeline.StatusFailed {
		b.failed++
	}
	b.rows += r.RowsLoaded
	b.mu.Unlock()
	if ok {
		s.bar.Abort(true)
	}
}

func (b *bars) Close() {
	b.overall.SetTotal(-1, true)
	b.mu.Lock()
	left := make([]*mpb.Bar, 0, len(b.tables))
	for _, s := range b.tables {
		left = append(left, s.bar)
	}
	b.mu.Unlock()
	for _, bar := range left {
		bar.Abort(true)
	}
	b.p.Wait()
}
