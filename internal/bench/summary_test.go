package bench

import (
	"slices"
)

// sample is one timed run of a case. A run may be several processes (the
// four syncs in a row); its figures are then the sum of their times and
// CPU and the largest of their peaks.
type sample struct {
	Seconds   float64 `json:"seconds"`
	PeakRSSMB float64 `json:"client_peak_rss_mib"`
	ClientCPU float64 `json:"client_cpu_seconds"`
	// ServerCPU is nil when the server's CPU cannot be measured.
	ServerCPU *float64 `json:"server_cpu_seconds,omitempty"`
	// ExportWait is the sync's export create + wait time (the longest
	// table's for a multi-table sync, the sum for syncs in a row).
	ExportWait *float64 `json:"export_wait_seconds,omitempty"`
	// SimulatorCPU is the simulator process's CPU during the run.
	SimulatorCPU *float64 `json:"simulator_cpu_seconds,omitempty"`
	// Mechanism is how mbiload published the table (create, swap, ...).
	Mechanism string `json:"mechanism,omitempty"`
}

// caseResult is one case: what ran and its samples, in run order.
type caseResult struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Command  string   `json:"command"`
	Rows     int64    `json:"rows_per_run"`
	CSVBytes int64    `json:"csv_bytes_per_run"`
	Samples  []sample `json:"samples"`
	Summary  summary  `json:"summary"`
	Error    string   `json:"error,omitempty"`
}

// summary condenses a case's samples: medians, the range of the times and
// the largest peak RSS.
type summary struct {
	Runs         int      `json:"runs"`
	Median       float64  `json:"median_seconds"`
	Min          float64  `json:"min_seconds"`
	Max          float64  `json:"max_seconds"`
	RowsPerSec   float64  `json:"rows_per_second"`
	MBPerSec     float64  `json:"csv_mb_per_second"`
	PeakRSSMB    float64  `json:"client_peak_rss_mib"`
	ClientCPU    float64  `json:"client_cpu_seconds"`
	ServerCPU    *float64 `json:"server_cpu_seconds,omitempty"`
	ExportWait   *float64 `json:"export_wait_seconds,omitempty"`
	SimulatorCPU *float64 `json:"simulator_cpu_seconds,omitempty"`
}

// summarize fills c.Summary from c.Samples.
func (c *caseResult) summarize() {
	s := summary{Runs: len(c.Samples)}
	if s.Runs == 0 {
		c.Summary = s
		return
	}
	secs := make([]float64, 0, s.Runs)
	cpu := make([]float64, 0, s.Runs)
	var server, wait, sim []float64
	for _, x := range c.Samples {
		secs = append(secs, x.Seconds)
		cpu = append(cpu, x.ClientCPU)
		s.PeakRSSMB = max(s.PeakRSSMB, x.PeakRSSMB)
		server = appendSome(server, x.ServerCPU)
		wait = appendSome(wait, x.ExportWait)
		sim = appendSome(sim, x.SimulatorCPU)
	}
	s.Median = median(secs)
	s.Min, s.Max = slices.Min(secs), slices.Max(secs)
	s.ClientCPU = median(cpu)
	s.ServerCPU = medianOf(server, s.Runs)
	s.ExportWait = medianOf(wait, s.Runs)
	s.SimulatorCPU = medianOf(sim, s.Runs)
	if s.Median > 0 {
		s.RowsPerSec = float64(c.Rows) / s.Median
		s.MBPerSec = float64(c.CSVBytes) / 1e6 / s.Median
	}
	c.Summary = s
}

// subset returns a case holding the samples from index from to to (not
// included) under another key and label.
func (c *caseResult) subset(key, label string, from, to int) *caseResult {
	to = min(to, len(c.Samples))
	from = min(from, to)
	sub := &caseResult{Key: key, Label: label, Command: c.Command, Rows: c.Rows, CSVBytes: c.CSVBytes,
		Samples: slices.Clone(c.Samples[from:to]), Error: c.Error}
	sub.summarize()
	return sub
}

// appendSome appends *p when p is not nil.
func appendSome(xs []float64, p *float64) []float64 {
	if p == nil {
		return xs
	}
	return append(xs, *p)
}

// medianOf is the median of xs when every one of n samples had a value,
// else nil.
func medianOf(xs []float64, n int) *float64 {
	if len(xs) == 0 || len(xs) != n {
		return nil
	}
	m := median(xs)
	return &m
}

// median returns the median of xs (the mean of the middle two for an even
// count), 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// ptr returns a pointer to v.
func ptr(v float64) *float64 { return &v }
