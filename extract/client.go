package extract

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// Client talks to the Export API. Build it with [New]; it is safe for
// concurrent use. Its printed forms never show the API key.
type Client struct {
	cfg  Config
	base *url.URL
	http *http.Client
	log  *slog.Logger

	// now and sleep are the clock; tests may replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// New validates cfg, fills in its defaults and returns a client. It returns
// [ErrInsecureURL] for a plain http:// base URL to a non-loopback host
// (unless cfg.InsecureHTTP) and an error wrapping [ErrBadConfig] for other
// invalid settings.
func New(cfg Config) (*Client, error) {
	cfg, base, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	hc := defaultHTTPClient()
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient
		hc = &cp
	}
	c := &Client{cfg: cfg, base: base, http: hc, log: cfg.Logger, now: time.Now, sleep: sleepCtx}
	hc.CheckRedirect = c.checkRedirect(hc.CheckRedirect)
	return c, nil
}

// String describes the client without its API key.
func (c *Client) String() string {
	return fmt.Sprintf("extract.Client{BaseURL:%s ClientID:%s}", c.cfg.BaseURL, c.cfg.ClientID)
}

// GoString is [Client.String], for %#v.
func (c *Client) GoString() string { return c.String() }

// Format prints [Client.String] whatever the verb.
func (c *Client) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// LogValue logs the client without its API key.
func (c *Client) LogValue() slog.Value { return c.cfg.LogValue() }

var (
	_ fmt.Stringer   = (*Client)(nil)
	_ fmt.GoStringer = (*Client)(nil)
	_ fmt.Formatter  = (*Client)(nil)
	_ slog.LogValuer = (*Client)(nil)
)

// baseURL returns the base URL requests go to, without a trailing slash.
func (c *Client) baseURL() string { return c.cfg.BaseURL }

// maxRedirects caps the redirects one request follows.
const maxRedirects = 5

// offHostKey marks a request's context as one whose redirects may leave
// the API's host (export downloads).
type offHostKey struct{}

// checkRedirect decides each redirect, then defers to the caller's own
// policy. A redirect within the base URL's scheme and host is followed. An
// export download may also follow an https redirect to another host (a
// storage host): the X-RJM-API-Key header, which net/http would carry
// along as it does every custom header, is removed before the request
// leaves. Everything else is refused: API calls never leave the host, and
// no redirect goes from https to http. At most maxRedirects are followed.
func (c *Client) checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		sameHost := strings.EqualFold(req.URL.Host, c.base.Host)
		switch {
		case req.URL.Scheme == c.base.Scheme && sameHost:
		case c.base.Scheme == "https" && req.URL.Scheme != "https":
			return fmt.Errorf("refusing redirect from https to %s://%s", req.URL.Scheme, req.URL.Host)
		case req.URL.Scheme == "https" && req.Context().Value(offHostKey{}) != nil:
			req.Header.Del("X-RJM-API-Key")
		default:
			return fmt.Errorf("refusing redirect to %s://%s: the API key must not leave %s://%s",
				req.URL.Scheme, req.URL.Host, c.base.Scheme, c.base.Host)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// request is one API call: a method, a path relative to the base URL made of
// already-escaped segments, an optional form body and extra headers.
type request struct {
	method string
	path   string
	form   url.Values // nil: no body; non-nil (even empty): form-encoded body
	header http.Header
	// offHost lets redirects leave the API's host, over https and
	// without the key (see checkRedirect).
	offHost bool
}

// apiPath joins path segments, escaping each, into "/a/b/c". Ids are checked
// so that none can add or climb path segments.
func apiPath(segments ...string) (string, error) {
	var b strings.Builder
	for _, s := range segments {
		if s == "" || s == "." || s == ".." {
			return "", fmt.Errorf("%w: empty or dot path segment %q", ErrBadRequest, s)
		}
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String(), nil
}

func (c *Client) clientPath(segments ...string) (string, error) {
	if c.cfg.ClientID == "" {
		return "", ErrNoClientID
	}
	return apiPath(append([]string{"client", c.cfg.ClientID}, segments...)...)
}

// send makes one attempt of req. It returns the response of a 2xx answer
// with its body wrapped so that a stall cuts it, or an [*APIError] for any
// other status, or the transport's error.
func (c *Client) send(ctx context.Context, req request) (*http.Response, error) {
	var body io.Reader
	if req.form != nil {
		body = strings.NewReader(req.form.Encode())
	}
	rctx, cancel := context.WithCancelCause(ctx)
	if req.offHost {
		rctx = context.WithValue(rctx, offHostKey{}, true)
	}
	hreq, err := http.NewRequestWithContext(rctx, req.method, c.cfg.BaseURL+req.path, body)
	if err != nil {
		cancel(nil)
		return nil, fmt.Errorf("%s %s: build request: %w", req.method, req.path, err)
	}
	for k, vs := range req.header {
		hreq.Header[k] = vs
	}
	hreq.Header.Set("X-RJM-API-Key", c.cfg.APIKey)
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	if hreq.Header.Get("Accept") == "" {
		hreq.Header.Set("Accept", "application/json")
	}
	if req.form != nil {
		hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := c.now()
	resp, err := c.http.Do(hreq)
	if err != nil {
		cancel(nil)
		return nil, err // *url.Error names method and URL; the key is a header
	}
	c.log.Debug("api request", "method", req.method, "path", req.path, "status", resp.StatusCode,
		"duration", c.now().Sub(start))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := c.apiError(req, resp)
		resp.Body.Close()
		cancel(nil)
		return nil, apiErr
	}
	resp.Body = newStallBody(rctx, cancel, resp.Body, c.cfg.StallTimeout)
	return resp, nil
}

// maxJSONBytes bounds a JSON response body.
const maxJSONBytes = 64 << 20

// doJSON sends req with retries, reads the whole 2xx body (a body cut short
// is retried too) and hands it to decode. Decoding errors are not retried.
func (c *Client) doJSON(ctx context.Context, req request, decode func([]byte) error) error {
	var data []byte
	err := c.retry(ctx, req.method, req.path, func(ctx context.Context) error {
		resp, err := c.send(ctx, req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxJSONBytes+1))
		if err != nil {
			return fmt.Errorf("%s %s: read response: %w", req.method, req.path, err)
		}
		if len(data) > maxJSONBytes {
			return fmt.Errorf("%s %s: %w: body exceeds %d bytes", req.method, req.path, ErrBadResponse, maxJSONBytes)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := decode(data); err != nil {
		return fmt.Errorf("%s %s: %w: %w", req.method, req.path, ErrBadResponse, err)
	}
	return nil
}

// stream sends req with retries and returns the open 2xx body. Only opening
// is retried; reading is the caller's.
func (c *Client) stream(ctx context.Context, req request) (*http.Response, error) {
	var resp *http.Response
	err := c.retry(ctx, req.method, req.path, func(ctx context.Context) error {
		r, err := c.send(ctx, req)
		resp = r
		return err
	})
	return resp, err
}

// get is doJSON for a GET without a body.
func (c *Client) get(ctx context.Context, path string, decode func([]byte) error) error {
	return c.doJSON(ctx, request{method: http.MethodGet, path: path}, decode)
}

// post is doJSON for a POST with a form body (empty when form is nil).
func (c *Client) post(ctx context.Context, path string, form url.Values, decode func([]byte) error) error {
	if form == nil {
		form = url.Values{}
	}
	return c.doJSON(ctx, request{method: http.MethodPost, path: path, form: form}, decode)
}

// listDecoder decodes a bare or wrapped list into dst (see
// [schema.UnmarshalList]).
func listDecoder(key string, dst any) func([]byte) error {
	return func(data []byte) error { return schema.UnmarshalList(data, key, dst) }
}
