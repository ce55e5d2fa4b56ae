package extract

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
)

// DefaultBaseURL is the vendor's Export API base URL.
const DefaultBaseURL = "https://api.rjmetrics.com/0.1"

// defaultStallTimeout is how long a response body may deliver no bytes before
// the client cuts the connection (and, for a download, resumes it).
const defaultStallTimeout = 2 * time.Minute

// Config configures a [Client]. Zero fields take the defaults documented on
// each field. Its printed forms (%v, %+v, %#v, slog) mask the API key.
type Config struct {
	// BaseURL is the API's base URL, default [DefaultBaseURL]. A trailing
	// slash is tolerated.
	BaseURL string
	// APIKey is the API key, sent as the X-RJM-API-Key header. Required.
	APIKey string
	// ClientID is the warehouse's client id, required by the table and
	// full-update-status endpoints ([ErrNoClientID] otherwise).
	ClientID string
	// InsecureHTTP allows a plain http:// base URL to a non-loopback host.
	// Without it [New] refuses one with [ErrInsecureURL]; http:// to
	// localhost, 127.0.0.0/8 or ::1 is always allowed.
	InsecureHTTP bool
	// HTTPClient sends the requests. The default has dial, TLS-handshake and
	// response-header timeouts but no overall timeout, which would cut large
	// downloads. The client is copied, and its CheckRedirect wrapped so that
	// redirects never leave the base URL's scheme and host.
	HTTPClient *http.Client
	// Retry bounds the retries of failed requests.
	Retry RetryPolicy
	// Poll paces [Client.WaitExport].
	Poll PollPolicy
	// StallTimeout cuts a response body that delivers no bytes for this long,
	// default 2 minutes. A cut download is resumed.
	StallTimeout time.Duration
	// Logger receives request and retry logs, default discard. Logs never
	// carry the API key.
	Logger *slog.Logger
	// UserAgent is sent as User-Agent, default "mbiload/<version>".
	UserAgent string
}

// RetryPolicy bounds retries: capped exponential back-off with jitter for
// 5xx, 429, connection resets, timeouts and bodies cut short.
type RetryPolicy struct {
	// MaxAttempts is the most attempts per request, the first included,
	// default 6. 1 disables retries.
	MaxAttempts int
	// InitialDelay is the wait before the first retry, default 500 ms; each
	// further wait doubles, with jitter, up to MaxDelay.
	InitialDelay time.Duration
	// MaxDelay caps one back-off wait, default 30 s. A server's Retry-After
	// may ask for longer; it is honoured while it fits in MaxElapsed.
	MaxDelay time.Duration
	// MaxElapsed bounds the total time spent on one request's attempts and
	// waits, default 5 min.
	MaxElapsed time.Duration
}

// PollPolicy paces [Client.WaitExport]: a first poll at once, the second
// after Initial, then waits growing 1.5–2× (with jitter) up to Max, for at
// most Timeout in all.
type PollPolicy struct {
	// Initial is the wait between the first poll (made at once) and the
	// second, default 1 s.
	Initial time.Duration
	// Max caps the wait between polls, default 60 s (the vendor advises not
	// polling the same resource more often than once a minute).
	Max time.Duration
	// Timeout bounds the whole wait, default 6 h.
	Timeout time.Duration
}

// Default policy values.
const (
	defaultMaxAttempts  = 6
	defaultInitialDelay = 500 * time.Millisecond
	defaultMaxDelay     = 30 * time.Second
	defaultMaxElapsed   = 5 * time.Minute
	defaultPollInitial  = time.Second
	defaultPollMax      = 60 * time.Second
	defaultPollTimeout  = 6 * time.Hour
)

const redacted = "[REDACTED]"

// String prints the configuration with the API key masked.
func (c Config) String() string {
	key := ""
	if c.APIKey != "" {
		key = redacted
	}
	return fmt.Sprintf("{BaseURL:%s APIKey:%s ClientID:%s InsecureHTTP:%t Retry:%+v Poll:%+v StallTimeout:%s UserAgent:%s}",
		c.BaseURL, key, c.ClientID, c.InsecureHTTP, c.Retry, c.Poll, c.StallTimeout, c.UserAgent)
}

// GoString is [Config.String] prefixed with the type, for %#v.
func (c Config) GoString() string { return "extract.Config" + c.String() }

// Format prints [Config.String] (or [Config.GoString] for %#v) whatever the
// verb, so no verb can print the key.
func (c Config) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, c.GoString())
		return
	}
	fmt.Fprint(f, c.String())
}

// LogValue logs the configuration with the API key masked.
func (c Config) LogValue() slog.Value {
	key := ""
	if c.APIKey != "" {
		key = redacted
	}
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("api_key", key),
		slog.String("client_id", c.ClientID),
		slog.Bool("insecure_http", c.InsecureHTTP),
	)
}

var (
	_ fmt.Stringer   = Config{}
	_ fmt.GoStringer = Config{}
	_ fmt.Formatter  = Config{}
	_ slog.LogValuer = Config{}
)

// withDefaults validates cfg and fills in defaults. Its errors never quote
// the key.
func (c Config) withDefaults() (Config, *url.URL, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	base, err := parseBaseURL(c.BaseURL, c.InsecureHTTP)
	if err != nil {
		return c, nil, err
	}
	if err := checkKey(c.APIKey); err != nil {
		return c, nil, err
	}
	if strings.ContainsAny(c.ClientID, "/?#") || c.ClientID == "." || c.ClientID == ".." {
		return c, nil, fmt.Errorf("%w: client id %q is not a valid id", ErrBadConfig, c.ClientID)
	}
	if c.Retry, err = c.Retry.withDefaults(); err != nil {
		return c, nil, err
	}
	if c.Poll, err = c.Poll.withDefaults(); err != nil {
		return c, nil, err
	}
	switch {
	case c.StallTimeout < 0:
		return c, nil, fmt.Errorf("%w: negative stall timeout", ErrBadConfig)
	case c.StallTimeout == 0:
		c.StallTimeout = defaultStallTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.UserAgent == "" {
		c.UserAgent = "mbiload/" + buildVersion()
	}
	return c, base, nil
}

func parseBaseURL(raw string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: base URL: %w", ErrBadConfig, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: base URL %q: scheme must be http or https", ErrBadConfig, u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("%w: base URL %q has no host", ErrBadConfig, u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("%w: base URL %q must not carry credentials", ErrBadConfig, u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%w: base URL %q must not have a query or fragment", ErrBadConfig, u.Redacted())
	case u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("base URL %q: %w", u.Redacted(), ErrInsecureURL)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: no API key", ErrBadConfig)
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] >= 0x7f {
			return fmt.Errorf("%w: the API key holds a space, control or non-ASCII character at byte %d", ErrBadConfig, i+1)
		}
	}
	return nil
}

func (p RetryPolicy) withDefaults() (RetryPolicy, error) {
	if p.MaxAttempts < 0 || p.InitialDelay < 0 || p.MaxDelay < 0 || p.MaxElapsed < 0 {
		return p, fmt.Errorf("%w: negative retry policy value %+v", ErrBadConfig, p)
	}
	p.MaxAttempts = orDefault(p.MaxAttempts, defaultMaxAttempts)
	p.InitialDelay = orDefault(p.InitialDelay, defaultInitialDelay)
	p.MaxDelay = orDefault(p.MaxDelay, max(defaultMaxDelay, p.InitialDelay))
	p.MaxElapsed = orDefault(p.MaxElapsed, defaultMaxElapsed)
	if p.MaxDelay < p.InitialDelay {
		return p, fmt.Errorf("%w: retry max delay %s below initial delay %s", ErrBadConfig, p.MaxDelay, p.InitialDelay)
	}
	return p, nil
}

func (p PollPolicy) withDefaults() (PollPolicy, error) {
	if p.Initial < 0 || p.Max < 0 || p.Timeout < 0 {
		return p, fmt.Errorf("%w: negative poll policy value %+v", ErrBadConfig, p)
	}
	p.Initial = orDefault(p.Initial, defaultPollInitial)
	p.Max = orDefault(p.Max, max(defaultPollMax, p.Initial))
	p.Timeout = orDefault(p.Timeout, defaultPollTimeout)
	if p.Max < p.Initial {
		return p, fmt.Errorf("%w: poll max %s below initial %s", ErrBadConfig, p.Max, p.Initial)
	}
	return p, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// buildVersion is the main module's version from the build info, or "dev".
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// defaultHTTPClient bounds connecting, the TLS handshake and the wait for
// response headers, but not the whole exchange: a large download may take
// long, and stalls in a body are caught by the stall timeout instead.
func defaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   8,
	}}
}
