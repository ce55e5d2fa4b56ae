// Package progress shows a run's progress: on a terminal, one live line
// per table, figure or chart in flight (stage, bytes downloaded of total,
// rows sent, rows/s) and an overall line, drawn with
// github.com/vbauerster/mpb; elsewhere (cron, Kubernetes, a pipe), one
// plain log line per table in flight every interval. Both implement
// pipeline.Observer: lines are keyed by the events' keys, so two figures
// of one name get a line each, and show the label the pipeline gave
// (the source name, with the target table when names repeat).
package progress
