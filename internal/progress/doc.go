// Package progress shows a run's progress: on a terminal, one live line
// per table, figure or chart in flight (stage, bytes downloaded of total,
// then rows loaded of the export's row count, rows/s) and an overall
// line, drawn with github.com/vbauerster/mpb; elsewhere (cron, Kubernetes,
// a pipe), one plain log line per table in flight every interval. Both
// implement pipeline.Observer: lines are keyed by the events' keys, so two
// figures of one name get a line each, and show the label the pipeline
// gave (the source name, with the target table when names repeat).
//
// On a terminal the live lines are redrawn in place, so nothing else may
// write to the terminal between two redraws: log lines go through an
// [Output] that the display diverts above its lines while it draws them,
// and a finished table's line is printed once, in its final state, above
// the live lines. The scrollback then holds each line once.
package progress
