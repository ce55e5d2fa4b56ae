package progress

import (
	"context"
	"io"
	"testing"
	"time"
)

// testBars returns a live display on out that draws only when told: draw
// returns once a frame of the display as it is at the call is drawn.
func testBars(t testing.TB, out io.Writer) (d *bars, draw func()) {
	t.Helper()
	ticks := make(chan any)
	d = newBars(context.Background(), out, ticks)
	return d, func() {
		t.Helper()
		// mpb's refresh goroutine takes a tick, hands it to the render
		// goroutine and only then takes the next one; the render
		// goroutine takes it once done drawing the frame before. So the
		// third tick is taken once the first one's frame is drawn.
		for i := range 3 {
			select {
			case ticks <- struct{}{}:
			case <-time.After(10 * time.Second):
				t.Fatalf("tick %d not taken within 10 s: the display does not draw", i+1)
			}
		}
	}
}
