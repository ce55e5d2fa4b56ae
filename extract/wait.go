package extract

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// WaitExport polls GET /export/{id}/info until the export is Completed and
// returns its description. The first poll is made at once, so an export that
// is already complete costs one request and no wait; the second comes after
// [PollPolicy.Initial], and each later wait grows 1.5–2× (with jitter) up to
// [PollPolicy.Max].
//
// It returns an error wrapping [ErrExportFailed] when the status becomes
// Error, [ErrWaitTimeout] when the export is still not complete after
// [PollPolicy.Timeout], and ctx's error as soon as ctx is done. A poll that
// fails with a transient error (5xx, 429, a connection reset or timeout) is
// retried per [RetryPolicy]; should it still fail, the wait logs a warning
// and polls again later, until the timeout: a service that stumbles for a few
// minutes does not end an hour-long wait. Other errors (a 404 for an unknown
// id, a 403, a 400, an unusable answer) end the wait at once.
func (c *Client) WaitExport(ctx context.Context, id schema.ID) (Export, error) {
	p := c.cfg.Poll
	start := c.now()
	deadline := start.Add(p.Timeout)
	delay := p.Initial
	var last Export   // the last description received
	var lastErr error // the error of the last poll, nil when it succeeded
	for polls := 1; ; polls++ {
		exp, err := c.Export(ctx, id)
		switch {
		case err == nil:
			last, lastErr = exp, nil
		case ctx.Err() != nil:
			return last, fmt.Errorf("wait for export %s: %w", id, context.Cause(ctx))
		case !retryable(err):
			return last, fmt.Errorf("wait for export %s: %w", id, err)
		default:
			lastErr = err
		}
		if lastErr == nil {
			switch exp.Status {
			case StatusCompleted:
				c.log.Debug("export completed", "export_id", id, "polls", polls, "waited", c.now().Sub(start))
				return exp, nil
			case StatusError:
				return exp, fmt.Errorf("wait for export %s (%q): %w: its status is Error", id, exp.Name, ErrExportFailed)
			}
		}
		remaining := deadline.Sub(c.now())
		if remaining <= 0 {
			return last, c.waitTimeout(id, last, lastErr, c.now().Sub(start))
		}
		wait := min(delay, remaining)
		if lastErr != nil {
			c.log.Warn("export status poll failed; polling again later", "export_id", id,
				"poll", polls, "next_poll", wait, "error", lastErr)
		} else {
			c.log.Debug("export not complete yet", "export_id", id, "status", exp.Status, "next_poll", wait)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return last, fmt.Errorf("wait for export %s: %w", id, err)
		}
		delay = growPoll(delay, p.Max)
	}
}

// waitTimeout is the error of a wait that ran out of time after waited
// (more than the timeout when the last poll, with its retries, took long):
// it names the last status seen, or the last poll's error when that poll
// failed.
func (c *Client) waitTimeout(id schema.ID, last Export, lastErr error, waited time.Duration) error {
	after := fmt.Sprintf("after %s (timeout %s)", waited.Round(time.Millisecond), c.cfg.Poll.Timeout)
	if lastErr != nil {
		return fmt.Errorf("wait for export %s: %w %s: the last status poll failed: %v",
			id, ErrWaitTimeout, after, lastErr)
	}
	return fmt.Errorf("wait for export %s: %w: status still %q %s", id, ErrWaitTimeout, last.Status, after)
}

// growPoll multiplies d by a random factor in [1.5, 2], capped at limit.
func growPoll(d, limit time.Duration) time.Duration {
	next := time.Duration(float64(d) * (1.5 + rand.Float64()/2))
	return min(max(next, d+1), limit)
}
