package extract

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// WaitExport polls GET /export/{id}/info until the export is Completed and
// returns its description. The first poll comes after [PollPolicy.Initial],
// each later wait grows 1.5–2× (with jitter) up to [PollPolicy.Max]. It
// returns an error wrapping [ErrExportFailed] when the status becomes Error,
// [ErrWaitTimeout] when the export is still not complete after
// [PollPolicy.Timeout], and ctx's error as soon as ctx is done. Transient
// failures of a poll are retried per [RetryPolicy]; other errors (a 404 for
// an unknown id, a 403) end the wait.
func (c *Client) WaitExport(ctx context.Context, id schema.ID) (Export, error) {
	p := c.cfg.Poll
	start := c.now()
	deadline := start.Add(p.Timeout)
	delay := p.Initial
	for polls := 1; ; polls++ {
		wait := min(delay, max(deadline.Sub(c.now()), 0))
		if err := c.sleep(ctx, wait); err != nil {
			return Export{}, fmt.Errorf("wait for export %s: %w", id, err)
		}
		exp, err := c.Export(ctx, id)
		if err != nil {
			return Export{}, fmt.Errorf("wait for export %s: %w", id, err)
		}
		switch exp.Status {
		case StatusCompleted:
			c.log.Debug("export completed", "export_id", id, "polls", polls, "waited", c.now().Sub(start))
			return exp, nil
		case StatusError:
			return exp, fmt.Errorf("wait for export %s (%q): %w: its status is Error", id, exp.Name, ErrExportFailed)
		}
		if !c.now().Before(deadline) {
			return exp, fmt.Errorf("wait for export %s: %w: status still %q after %s",
				id, ErrWaitTimeout, exp.Status, p.Timeout)
		}
		delay = growPoll(delay, p.Max)
		c.log.Debug("export not complete yet", "export_id", id, "status", exp.Status, "next_poll", delay)
	}
}

// growPoll multiplies d by a random factor in [1.5, 2], capped at limit.
func growPoll(d, limit time.Duration) time.Duration {
	next := time.Duration(float64(d) * (1.5 + rand.Float64()/2))
	return min(max(next, d+1), limit)
}
