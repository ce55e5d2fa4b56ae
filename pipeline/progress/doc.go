// Package progress shows a run's progress: on a terminal, one live line
// per table in flight (stage, bytes downloaded of total, rows sent, rows/s)
// and an overall line, drawn with github.com/vbauerster/mpb; elsewhere
// (cron, Kubernetes, a pipe), one plain log line per table in flight every
// interval. Both implement pipeline.Observer.
package progress
