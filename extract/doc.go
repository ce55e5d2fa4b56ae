// Package extract is mbiload's client for the Magento BI (formerly RJMetrics)
// Data Export API: listing tables and their columns, creating, copying,
// awaiting and downloading raw table exports, exporting figures and charts,
// and reading the warehouse's full-update status.
//
// A [Client] is built with [New] from a [Config]; it is safe for concurrent
// use. Every request carries the API key in the X-RJM-API-Key header; the key
// never appears in a URL, an error, a log line or the printed form of a
// [Config] or [Client]. A plain http:// base URL is refused unless the host is
// a loopback address or [Config.InsecureHTTP] is set. API calls follow
// redirects only within the base URL's scheme and host; an export download
// also follows an https redirect to another host (a storage host), with the
// key removed from the request first, so the key is never sent elsewhere.
//
// # Leniency
//
// The service's response bodies are only partly documented, so decoding is
// lenient: a list may be a bare JSON array or wrapped in an object
// ({"tables":[...]}), ids may be JSON numbers or strings ([schema.ID]),
// unknown fields are ignored, missing fields are zero values, export status
// is compared case-insensitively ([Status]) and any 2xx status is success.
// The figure and chart lists are read as the live service sends them
// ({"figureExports": ...}, {"chartExports": ...}, a list or an object keyed
// by id) and in the older guessed shapes ({"figures":[...]}, a bare list).
//
// # Errors and retries
//
// A non-2xx answer becomes an [*APIError] that unwraps to a sentinel
// ([ErrForbidden], [ErrNotFound], [ErrExpired], [ErrRateLimited], [ErrServer],
// [ErrBadRequest]), so callers use errors.Is and errors.As. 5xx and 429
// answers, connection resets, timeouts and bodies cut short are retried with
// capped exponential back-off and jitter ([RetryPolicy]); a 429's Retry-After
// is honoured. Other 4xx answers are never retried. A retried create or copy
// whose first attempt reached the server may leave an extra export behind; it
// expires with the others.
//
// # Downloads
//
// [Client.Download] streams an export, resuming a dropped connection with
// an HTTP Range request from the byte it reached (falling back to discarding
// the already-read prefix when the server ignores Range), to a temp file
// (archive/zip needs an io.ReaderAt), verifying its length and computing
// its SHA-256 on the way, and removes the file on every error path.
//
// [Client.WaitExport] polls an export politely (at once, then after 1 s,
// waits growing to 60 s, for up to 6 h by default, see [PollPolicy]) until it
// completes; a poll that still fails after its retries does not end the wait.
package extract
