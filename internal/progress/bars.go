package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mbiload/mbiload/internal/termsafe"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// bars draws one live line per table in flight and an overall line. A
// table's line is printed once more, in its final state, above the live
// lines when the table is done (mpb's pop mode), and is then no longer
// redrawn: the scrollback holds one copy of each. Log lines go above the
// live lines too, through Write (see Output).
type bars struct {
	p       *mpb.Progress
	w       io.Writer
	mu      sync.Mutex
	labels  labels
	tables  map[string]*barState // by key
	overall *mpb.Bar
	start   time.Time
	done    int
	failed  int
	rows    int64
	closers []func()
}

var _ Display = (*bars)(nil)

// Widths of a bar, and of a line where the output is not a terminal (on a
// terminal, lines are as wide as it).
const (
	barWidth  = 30
	lineWidth = 160
)

type barState struct {
	tableState
	bar   *mpb.Bar
	final string // the finished line's text after the bar, once done
}

// refreshRate is how often the live lines are redrawn.
const refreshRate = 250 * time.Millisecond

// newBars returns a live display drawing on w every refreshRate, or on
// each value received from ticks when it is not nil (tests draw a frame
// when they choose, see frame in the tests).
func newBars(ctx context.Context, w io.Writer, ticks <-chan any) *bars {
	// Drawn as on a terminal even when w is not one: bars are drawn on a
	// terminal, or when forced (ModeTTY), and mpb would otherwise draw
	// nothing on a pipe, or not redraw in place. Lines are as wide as the
	// terminal, or lineWidth.
	opts := []mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(lineWidth), mpb.ForceTTY(), mpb.PopCompletedMode()}
	if ticks != nil {
		opts = append(opts, mpb.WithManualRefresh(ticks))
	} else {
		opts = append(opts, mpb.WithRefreshRate(refreshRate), mpb.WithAutoRefresh())
	}
	b := &bars{
		p:      mpb.NewWithContext(ctx, opts...),
		w:      w,
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

// Write prints p above the live lines, at the next redraw; once the
// display is closed, straight to its writer.
func (b *bars) Write(p []byte) (int, error) {
	n, err := b.p.Write(p)
	if err != nil && errors.As(err, new(mpb.ErrDone[*mpb.Progress])) {
		return b.w.Write(p)
	}
	return n, err
}

// onClose registers f to run when the display has closed.
func (b *bars) onClose(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closers = append(b.closers, f)
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
	s.bar = b.p.New(0, mpb.BarStyle().Lbound("[").Rbound("]"), mpb.BarWidth(barWidth),
		mpb.PrependDecorators(
			decor.Name(termsafe.String(label), decor.WC{W: 24, C: decor.DindentRight | decor.DextraSpace}),
			decor.Any(func(decor.Statistics) string {
				b.mu.Lock()
				defer b.mu.Unlock()
				return fmt.Sprintf("%-10s", s.stage)
			}),
		),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			b.mu.Lock()
			defer b.mu.Unlock()
			switch {
			case s.final != "":
				return s.final
			case s.stage == pipeline.StageLoad && s.expected > 0:
				return fmt.Sprintf("%d/%d rows, %d rows/s", s.rows, s.expected, int64(s.rate(time.Now())))
			case s.stage == pipeline.StageLoad:
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

// Stage shows the table's stage. From the load on, the bar measures rows
// (of the export's row count when known), not bytes downloaded.
func (b *bars) Stage(key, stage string) {
	s := b.state(key)
	b.mu.Lock()
	s.stage = stage
	load := stage == pipeline.StageLoad
	if load {
		s.loadStart = time.Now()
		s.rows = 0
	}
	expected := s.expected
	b.mu.Unlock()
	if load {
		s.bar.SetTotal(max(expected, 0), false)
		s.bar.SetCurrent(0)
	}
}

// ExpectRows says how many rows the table's load should read.
func (b *bars) ExpectRows(key string, rows int64) {
	s := b.state(key)
	b.mu.Lock()
	s.expected = rows
	load := s.stage == pipeline.StageLoad
	b.mu.Unlock()
	if load && rows > 0 {
		s.bar.SetTotal(rows, false)
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
	s.rows = rows
	expected := s.expected
	b.mu.Unlock()
	if rows > expected && expected > 0 {
		s.bar.SetTotal(rows, false)
	}
	if expected > 0 {
		s.bar.SetCurrent(rows)
	}
}

// Done prints the table's line once more, in its final state, above the
// live lines, and stops drawing it.
func (b *bars) Done(key string, r pipeline.TableReport) {
	b.mu.Lock()
	s, ok := b.tables[key]
	delete(b.tables, key)
	b.done++
	if r.Status == pipeline.StatusFailed {
		b.failed++
	}
	b.rows += r.RowsLoaded
	if ok {
		s.stage, s.final = r.Status, finalText(r)
	}
	b.mu.Unlock()
	if !ok {
		return
	}
	if r.Status == pipeline.StatusLoaded { // full, even with nothing counted
		s.bar.SetTotal(1, false)
		s.bar.SetCurrent(1)
		s.bar.SetTotal(-1, true)
		return
	}
	s.bar.Abort(false) // as far as it got
}

// finalText is what a finished table's line shows after its bar.
func finalText(r pipeline.TableReport) string {
	took := time.Duration(r.Durations.Total * float64(time.Second)).Round(100 * time.Millisecond)
	switch r.Status {
	case pipeline.StatusLoaded:
		return fmt.Sprintf("%d rows in %s", r.RowsLoaded, took)
	case pipeline.StatusFailed:
		return fmt.Sprintf("after %s (see the log)", took)
	}
	if r.ExportID != "" {
		return "export " + termsafe.String(r.ExportID)
	}
	return r.Status
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
	b.mu.Lock()
	closers := b.closers
	b.closers = nil
	b.mu.Unlock()
	for _, f := range closers {
		f()
	}
}
