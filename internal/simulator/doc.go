// Package simulator is a faithful, deterministic stand-in for the Magento BI
// (formerly RJMetrics) Export API, good enough to demo mbiload and to run
// every client, end-to-end and chaos test against.
//
// A [Server] is a [net/http.Handler] that serves every endpoint of the
// vendor's page under both "/0.1/..." and "/...": raw exports (list, info,
// download, copy), tables and their columns, table exports, figures and
// charts (listed under figureExports and chartExports; exported as csv or
// json with GET or POST), and the sibling "fullupdatestatus" endpoint, with
// the shapes pinned in docs/api-contract.md. Every time served is the wall
// clock of the account's time zone ([Config.Location]). Errors carry the
// body {"code":N,"message":"...","reasons":[]}.
//
// # Warehouse
//
// Tables come from a directory ([LoadDir]: every "<table>.csv" beside its
// "<table>.columns.json"), from the deterministic generator ([Generated],
// wrapping package magentogen), or from any [Table] whose WriteCSV streams
// the CSV. [Combine] merges sets whose ids collide.
//
// # Exports
//
// Creating an export records it and builds its zip in the background in
// [Config.WorkDir]. The CSV of a table is streamed, deflated once into a
// per-table cache file (its CRC-32, sizes and row count are recorded on the
// way), and every export zip is written around the cached compressed bytes
// with [zip.Writer.CreateRaw], so the second export of a table costs a file
// copy, not a recompression; concurrent exports of one table share one build.
// An export is Pending until both [Config.ExportDelay] has elapsed and its zip
// is ready, then Completed (or Error). Downloads honour Range requests; after
// expires_at they answer 410. Exports of tables above 10,000,000 rows
// ([Config.RowCap]) end in Error: the cap is the vendor's, documented; that
// the live service reports it this way is assumed.
//
// # Faults and quirks
//
// Faults (5xx, 429 with Retry-After, latency, connection resets, downloads
// cut mid-body, exports that expire before their download, exports ending in
// Error) are decided by hashing [Config.Seed] with the request's
// method and path and how many times that method and path has been requested
// before, so a given seed and request sequence always meets the same faults,
// even when requests for different resources interleave differently. A path
// naming an export counts as its table and its number among that table's
// exports, not its id: ids follow the order in which exports of tables
// exported at once happen to be created, the faults of a table's download
// do not.
// Authentication is checked before any fault. [Quirks] switch on the lenient
// shapes the contract allows (bare arrays, string ids, lower-case statuses,
// extra fields, CRLF line ends, a BOM, a server that ignores Range, figure
// and chart lists keyed by id or in the older guessed shape).
//
// Each request is logged through [log/slog] (method, path, status, bytes,
// duration, remote address); the API key never appears in logs or bodies.
package simulator
