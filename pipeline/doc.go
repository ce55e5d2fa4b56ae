// Package pipeline is the one place that connects extract, transform and
// load: it runs the nightly job (Runner.Sync), backfills series of exports
// (Runner.Backfill), loads local export files (Runner.LoadFile) and loads
// figures and charts, and it reports what happened (Report, WriteMetrics).
//
// # Sync
//
// For each selected table Sync fetches the column metadata, creates a raw
// export (or reuses a recent one), waits for it, downloads the zip to a
// temporary file, streams it through the transform stage into Arrow record
// batches and hands them to the loader, which publishes the table
// atomically. Tables run concurrently: export creation and waiting overlap
// freely, while download, decode and COPY run in at most Options.Concurrency
// slots, so at most that many zips sit on disk. One table's failure does not
// stop the others; cancelling the context stops them all, and the loader
// rolls back whatever was not committed.
// One table's way, from the API to its published table, reads top to
// bottom in table.go (syncTable); stages.go is what every table, figure,
// chart and backfilled export shares (timing, progress, slot, ledger); the
// dry run is a planner of its own (plan.go).
//
// Target table names are assigned over the whole warehouse in table-id
// order (see targetNames), so a table's name does not depend on which tables
// a run selects. Figures and charts load into figure_<name> and
// chart_<name>, assigned over the API's whole list of figures (charts) and
// clear of every table's name (see FigureTargetNames): two figures whose
// names map to one identifier each get a table of their own.
//
// Figures and charts are tables in all else too. Waiting for an update
// (Options.WaitForUpdate), each is loaded when the ledger holds no
// successful load of it since the warehouse's last completed update, and
// the run finds nothing new only when every table, figure and chart has
// one. Once its table is known, a figure's failure is in the ledger, as a
// table's is. Progress events name each by kind and id, so two figures of
// one name are two lines of the display.
//
// # Times
//
// The API writes times as the account's wall clock, without a zone. The
// pipeline reads them in Options.Mapping.SourceTimezone (UTC when unset)
// to get instants, and uses those everywhere: the ledger's exported_at, the
// age of a reusable export, the expiry of exports and the check for a
// newer update cycle. An account outside UTC run without its time zone
// sees its exports older or younger by its UTC offset (a reuse window is
// off by as much), though the update-cycle check stays consistent.
package pipeline
