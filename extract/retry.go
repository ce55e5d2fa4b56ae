package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"
)

// retry runs op until it succeeds, fails with an error that is not worth
// retrying (see [retryable]), or the [RetryPolicy] is spent. Waits are capped
// exponential back-off with jitter, at least as long as a Retry-After the
// server sent; a wait that would overrun MaxElapsed ends the loop at once.
// ctx cancels a wait immediately.
//
// The loop is hand-written rather than built on cenkalti/backoff: it needs
// the server's Retry-After checked against the remaining budget, one log line
// per retry with the HTTP status, and the same delay rule for the resumable
// download's reopen loop ([exportBody]), which counts failures without progress.
func (c *Client) retry(ctx context.Context, method, path string, op func(context.Context) error) error {
	start := c.now()
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		delay, ok := c.nextDelay(ctx, err, attempt, c.now().Sub(start))
		if !ok {
			return c.giveUp(err, attempt, c.now().Sub(start))
		}
		c.logRetry(method, path, err, attempt, delay)
		if serr := c.sleep(ctx, delay); serr != nil {
			return fmt.Errorf("%s %s: waiting to retry: %w (last error: %v)", method, path, serr, err)
		}
	}
}

// nextDelay decides whether a failed attempt is retried, and after how long.
// attempt is the number of failures so far (of this request or, for a
// download, since it last made progress).
func (c *Client) nextDelay(ctx context.Context, err error, attempt int, elapsed time.Duration) (time.Duration, bool) {
	p := c.cfg.Retry
	if ctx.Err() != nil || !retryable(err) || attempt >= p.MaxAttempts {
		return 0, false
	}
	delay := backoff(p, attempt)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > delay {
		delay = apiErr.RetryAfter
	}
	if elapsed+delay > p.MaxElapsed {
		return 0, false
	}
	return delay, true
}

// giveUp wraps the last error of a spent retry loop; a permanent error on the
// first attempt is returned as it is.
func (c *Client) giveUp(err error, attempts int, elapsed time.Duration) error {
	if attempts == 1 || !retryable(err) {
		return err
	}
	return fmt.Errorf("giving up after %d attempts in %s: %w", attempts, elapsed.Round(time.Millisecond), err)
}

func (c *Client) logRetry(method, path string, err error, attempt int, delay time.Duration) {
	status := 0
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		status = apiErr.Status
	}
	c.log.Warn("retrying API request", "method", method, "path", path, "status", status,
		"attempt", attempt, "delay", delay, "error", err)
}

// backoff is the wait after the attempt-th failure: InitialDelay doubled per
// failure, capped at MaxDelay, with "equal jitter" (a uniformly random value
// in [d/2, d]) so that clients do not retry in lockstep.
func backoff(p RetryPolicy, attempt int) time.Duration {
	d := p.InitialDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryable reports whether err is worth another attempt: a 5xx or 429
// answer, a connection reset or abort, a broken pipe, a timeout (including a
// stalled body), or a connection closed before or during the response.
// Decided on status codes and error types, never on error text.
func retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status == http.StatusTooManyRequests || apiErr.Status >= 500
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
