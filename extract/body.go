package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// exportBody is the streamed content of a completed export (a zip file), from
// [Client.openExport]. When the connection drops, stalls or ends short
// mid-body, Read reopens it with "Range: bytes=N-" from the byte it reached
// (checking the 206 answer's Content-Range and, when the server sent one,
// its strong ETag through If-Range). A server that ignores Range and answers
// 200 is read again from the start, discarding the bytes already delivered.
// Failures without progress are bounded by the client's [RetryPolicy].
//
// A exportBody is not safe for concurrent use. It reads under the context given
// to openExport: cancelling it ends the download.
type exportBody struct {
	c    *Client
	ctx  context.Context
	id   schema.ID
	path string

	rc      io.ReadCloser // current response body, nil before the first open
	size    int64         // announced total length, -1 unknown
	etag    string        // strong ETag of the first answer, "" if none
	off     int64         // bytes delivered to the caller
	fails   int           // failures since the last progress
	since   time.Time     // first of those failures
	resumes int           // reopens so far
	err     error         // sticky: io.EOF, errClosed or the final error
}

var _ io.ReadCloser = (*exportBody)(nil)

var errClosed = errors.New("extract: read of closed export body")

// openExport starts downloading a completed export (GET /export/{id}) and
// returns its resumable body, which the caller must close. An export that is
// not complete yet, or does not exist, gives an error wrapping [ErrNotFound];
// an expired one, [ErrExpired]. The download follows an https redirect to
// another host (a storage host) without sending the API key there; it
// refuses a redirect from https to http and stops after a few redirects.
func (c *Client) openExport(ctx context.Context, id schema.ID) (*exportBody, error) {
	path, err := apiPath("export", string(id))
	if err != nil {
		return nil, fmt.Errorf("download export: %w", err)
	}
	b := &exportBody{c: c, ctx: ctx, id: id, path: path, size: -1}
	err = c.retry(ctx, http.MethodGet, path, func(ctx context.Context) error { return b.open() })
	if err != nil {
		return nil, fmt.Errorf("download export %s: %w", id, err)
	}
	return b, nil
}

// Size returns the export's length in bytes as the server announced it, or
// -1 when unknown.
func (b *exportBody) Size() int64 { return b.size }

// Resumes returns how many times the download was reopened after a failure.
func (b *exportBody) Resumes() int { return b.resumes }

// Read reads the export, resuming a broken transfer transparently. A body
// that ends before the announced length, once retries are spent, gives an
// error wrapping [ErrLengthMismatch].
func (b *exportBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	for {
		n, err := b.rc.Read(p)
		b.off += int64(n)
		if n > 0 {
			b.fails = 0
		}
		if err == nil {
			return n, nil
		}
		if errors.Is(err, io.EOF) {
			if err = b.checkEnd(); err == nil {
				b.err = io.EOF
				return n, io.EOF
			}
		}
		if rerr := b.resume(err); rerr != nil {
			b.fail(rerr)
			if n > 0 {
				return n, nil
			}
			return 0, b.err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Close ends the download. Reads after Close fail.
func (b *exportBody) Close() error {
	if b.err == nil || b.err == io.EOF {
		b.err = errClosed
	}
	if b.rc == nil {
		return nil
	}
	err := b.rc.Close()
	b.rc = nil
	return err
}

// checkEnd judges a clean end of the current response: short of the
// announced size is a cut transfer, beyond it a mismatch.
func (b *exportBody) checkEnd() error {
	switch {
	case b.size < 0 || b.off == b.size:
		return nil
	case b.off < b.size:
		return fmt.Errorf("body ended at byte %d of %d: %w", b.off, b.size, io.ErrUnexpectedEOF)
	default:
		return fmt.Errorf("%w: read %d bytes, %d announced", ErrLengthMismatch, b.off, b.size)
	}
}

func (b *exportBody) fail(err error) {
	if b.size >= 0 && b.off < b.size && errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrLengthMismatch) {
		err = fmt.Errorf("%w: got %d of %d bytes: %w", ErrLengthMismatch, b.off, b.size, err)
	}
	b.err = fmt.Errorf("download export %s: %w", b.id, err)
	if b.rc != nil {
		b.rc.Close()
		b.rc = nil
	}
}

// resume reopens the transfer after cause broke it, waiting between attempts
// as the retry policy says.
func (b *exportBody) resume(cause error) error {
	b.rc.Close()
	b.rc = nil
	for {
		b.fails++
		if b.fails == 1 {
			b.since = b.c.now()
		}
		elapsed := b.c.now().Sub(b.since)
		delay, ok := b.c.nextDelay(b.ctx, cause, b.fails, elapsed)
		if !ok {
			return b.c.giveUp(cause, b.fails, elapsed)
		}
		b.c.log.Warn("export download interrupted; resuming", "export_id", b.id, "path", b.path,
			"offset", b.off, "size", b.size, "attempt", b.fails, "delay", delay, "error", cause)
		if err := b.c.sleep(b.ctx, delay); err != nil {
			return fmt.Errorf("waiting to resume at byte %d: %w (last error: %v)", b.off, err, cause)
		}
		b.resumes++
		err := b.open()
		if err == nil {
			return nil
		}
		cause = err
	}
}

// open sends one GET for the export from the current offset and positions
// the new body there.
func (b *exportBody) open() error {
	req := request{method: http.MethodGet, path: b.path, offHost: true, header: http.Header{
		"Accept": {"application/zip, */*"},
		// Transparent gzip would hide the real length and break byte offsets.
		"Accept-Encoding": {"identity"},
	}}
	if b.off > 0 {
		req.header.Set("Range", fmt.Sprintf("bytes=%d-", b.off))
		if b.etag != "" {
			req.header.Set("If-Range", b.etag)
		}
	}
	resp, err := b.c.send(b.ctx, req)
	if err != nil {
		return err
	}
	if err := b.position(resp); err != nil {
		resp.Body.Close()
		return err
	}
	b.rc = resp.Body
	return nil
}

// position checks a (re)opened response against what is known of the export
// and skips to the current offset.
func (b *exportBody) position(resp *http.Response) error {
	first := b.off == 0 && b.resumes == 0
	start, total := int64(0), resp.ContentLength
	if resp.StatusCode == http.StatusPartialContent {
		var err error
		if start, total, err = parseContentRange(resp.Header.Get("Content-Range")); err != nil {
			return fmt.Errorf("%w: %w", ErrBadResponse, err)
		}
		if start != b.off {
			return fmt.Errorf("%w: asked for bytes from %d, got a range from %d", ErrBadResponse, b.off, start)
		}
	}
	etag := resp.Header.Get("ETag")
	if strings.HasPrefix(etag, "W/") {
		etag = ""
	}
	if first {
		b.size, b.etag = total, etag
		return nil
	}
	if b.etag != "" && etag != "" && etag != b.etag {
		return fmt.Errorf("%w: the export changed during the download (ETag %s, was %s)", ErrBadResponse, etag, b.etag)
	}
	if total >= 0 && b.size >= 0 && total != b.size {
		return fmt.Errorf("%w: the export's length changed from %d to %d bytes during the download", ErrLengthMismatch, b.size, total)
	}
	if b.size < 0 {
		b.size = total
	}
	if skip := b.off - start; skip > 0 {
		b.c.log.Info("server ignored the Range request; reading the export again from the start",
			"export_id", b.id, "skip", skip)
		if _, err := io.CopyN(io.Discard, resp.Body, skip); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("skip the %d bytes already read: %w", skip, err)
		}
	}
	return nil
}

// parseContentRange reads "bytes START-END/TOTAL" (TOTAL may be "*", giving
// -1) and checks it is consistent.
func parseContentRange(v string) (start, total int64, err error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	rng, size, ok2 := strings.Cut(spec, "/")
	from, to, ok3 := strings.Cut(rng, "-")
	if !ok || !ok2 || !ok3 {
		return 0, 0, fmt.Errorf("malformed Content-Range %.60q", v)
	}
	start, err1 := strconv.ParseInt(from, 10, 64)
	end, err2 := strconv.ParseInt(to, 10, 64)
	total = -1
	var err3 error
	if size != "*" {
		total, err3 = strconv.ParseInt(size, 10, 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || start < 0 || end < start || (total >= 0 && end >= total) {
		return 0, 0, fmt.Errorf("malformed Content-Range %.60q", v)
	}
	return start, total, nil
}
