package simulator

import (
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Defaults used when a [Config] field is zero.
const (
	// DefaultAddr is where [Server.ListenAndServe] listens by default.
	DefaultAddr = "127.0.0.1:8089"
	// DefaultExportTTL is how long an export can be downloaded (the vendor's 7 days).
	DefaultExportTTL = 7 * 24 * time.Hour
	// DefaultRetryAfter is the Retry-After sent with an injected 429.
	DefaultRetryAfter = time.Second
	// MaxExportRows is the vendor's cap on the rows of a table export.
	MaxExportRows = 10_000_000
)

// Config configures a [Server]. Only Key and ClientID are required.
type Config struct {
	// Key is the API key expected in X-RJM-API-Key.
	Key string
	// ClientID is the client the key is bound to (e.g. "12").
	ClientID string
	// Allow is the key's IP allow-list; empty means loopback only.
	Allow []netip.Prefix

	// Tables is the warehouse; ids and names must be unique.
	Tables []Table

	// ExportDelay keeps a new export Pending at least this long (it also stays
	// Pending until its zip is built).
	ExportDelay time.Duration
	// ExportTTL is how long after creation an export can be downloaded before
	// it answers 410; zero means [DefaultExportTTL].
	ExportTTL time.Duration
	// FirstExportID is the id of the first export created; zero derives one
	// from Seed.
	FirstExportID int64
	// RowCap is the most rows a table export may hold; exports of larger
	// tables end in Error. Zero means [MaxExportRows].
	RowCap int64

	// Seed makes fault decisions and derived ids deterministic.
	Seed int64
	// FaultRate is the fraction of requests answered 500, 502 or 503.
	FaultRate float64
	// ThrottleRate is the fraction of requests answered 429 with Retry-After.
	ThrottleRate float64
	// DropRate is the fraction of downloads cut mid-body.
	DropRate float64
	// ExportErrorRate is the fraction of exports that end in Error.
	ExportErrorRate float64
	// ResetRate is the fraction of requests whose connection is closed
	// before any response (a connection reset; the request has no effect).
	ResetRate float64
	// ExpireRate is the fraction of completed exports that expire between
	// listing and download: the first download request that reaches a
	// completed export (past any injected 5xx, 429 or reset) answers 410,
	// and the export stays expired. Only that first request rolls: a
	// download under way (its resumes and retries) or a later one of the
	// same export meets an export that is days from its expires_at, as on
	// the real service.
	ExpireRate float64
	// RetryAfter is sent (rounded up to whole seconds) with each 429; zero
	// means [DefaultRetryAfter], negative sends no Retry-After header.
	RetryAfter time.Duration
	// Latency is added before answering each authenticated request.
	Latency time.Duration

	// Quirks switch on lenient response shapes.
	Quirks Quirks
	// ReportNames renames built-in figures and charts, by id (for example
	// {FigureOrdersByStatus: "revenue-by-month"} gives two figures names
	// that map to one table name); their data stays the same.
	ReportNames map[int64]string

	// Now is the clock for timestamps, delays and expiry; nil means time.Now.
	Now func() time.Time
	// Location is the account's time zone for timestamps; nil means UTC.
	Location *time.Location
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// WorkDir is where export zips are built (in a directory of their own
	// that Close removes); empty means os.TempDir().
	WorkDir string
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Key == "":
		return c, fmt.Errorf("%w: an API key is required", ErrBadConfig)
	case c.ClientID == "" || strings.ContainsAny(c.ClientID, "/?# "):
		return c, fmt.Errorf("%w: client id %q is empty or not usable in a path", ErrBadConfig, c.ClientID)
	case c.ExportDelay < 0 || c.ExportTTL < 0 || c.Latency < 0:
		return c, fmt.Errorf("%w: durations must not be negative", ErrBadConfig)
	case c.FirstExportID < 0 || c.RowCap < 0:
		return c, fmt.Errorf("%w: first export id and row cap must not be negative", ErrBadConfig)
	}
	for name, r := range map[string]float64{
		"fault rate": c.FaultRate, "throttle rate": c.ThrottleRate,
		"drop rate": c.DropRate, "export error rate": c.ExportErrorRate,
		"reset rate": c.ResetRate, "expire rate": c.ExpireRate,
	} {
		if !(r >= 0 && r <= 1) {
			return c, fmt.Errorf("%w: %s %v is not within [0, 1]", ErrBadConfig, name, r)
		}
	}
	if err := validateTables(c.Tables); err != nil {
		return c, err
	}
	for id := range c.ReportNames {
		if s := strconv.FormatInt(id, 10); findReport(kindFigure, s) == nil && findReport(kindChart, s) == nil {
			return c, fmt.Errorf("%w: report names: no built-in figure or chart %d", ErrBadConfig, id)
		}
	}
	c.ReportNames = maps.Clone(c.ReportNames)
	if len(c.Allow) == 0 {
		c.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	for _, p := range c.Allow {
		if !p.IsValid() {
			return c, fmt.Errorf("%w: invalid allow-list prefix %v", ErrBadConfig, p)
		}
	}
	if c.RowCap == 0 {
		c.RowCap = MaxExportRows
	}
	if c.ExportTTL == 0 {
		c.ExportTTL = DefaultExportTTL
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = DefaultRetryAfter
	}
	if c.FirstExportID == 0 {
		c.FirstExportID = 1000 + int64(mix(uint64(c.Seed), 0x5eed)%9000)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.WorkDir == "" {
		c.WorkDir = os.TempDir()
	}
	return c, nil
}

// ParseAllow parses allow-list entries as CIDR prefixes or single addresses
// ("10.0.0.0/8", "192.0.2.7", "::1"), as the --allow flag takes them.
func ParseAllow(entries []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(entries))
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if p, err := netip.ParsePrefix(e); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(e)
		if err != nil {
			return nil, fmt.Errorf("%w: allow-list entry %q is neither an address nor a CIDR prefix", ErrBadConfig, e)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
