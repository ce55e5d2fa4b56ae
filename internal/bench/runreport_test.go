package bench

import (
	"encoding/json"
	"fmt"
	"os"
)

// runReport is the part of mbiload's --report JSON the harness reads.
type runReport struct {
	Status string        `json:"status"`
	Tables []tableReport `json:"tables"`
}

// tableReport is one table of a [runReport].
type tableReport struct {
	Source     string `json:"source"`
	Status     string `json:"status"`
	Mechanism  string `json:"mechanism"`
	RowsLoaded int64  `json:"rows_loaded"`
	Error      string `json:"error"`
	Durations  struct {
		Export   float64 `json:"export"`
		Wait     float64 `json:"wait"`
		Download float64 `json:"download"`
		Load     float64 `json:"load"`
		Total    float64 `json:"total"`
	} `json:"durations_seconds"`
}

// ExportWait is the time from asking for the export to its being ready.
func (t tableReport) ExportWait() float64 { return t.Durations.Export + t.Durations.Wait }

// readRunReport reads a --report file and checks that every table in want
// was loaded with rows rows.
func readRunReport(path string, want []string, rows int64) (*runReport, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read run report: %w", err)
	}
	var r runReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("decode run report %s: %w", path, err)
	}
	if len(r.Tables) != len(want) {
		return nil, fmt.Errorf("run report: got %d tables, want %d (%v)", len(r.Tables), len(want), want)
	}
	for _, name := range want {
		t := r.table(name)
		switch {
		case t == nil:
			return nil, fmt.Errorf("run report: table %s missing", name)
		case t.Status != "loaded":
			return nil, fmt.Errorf("run report: table %s is %s, want loaded: %s", name, t.Status, t.Error)
		case t.RowsLoaded != rows:
			return nil, fmt.Errorf("run report: table %s loaded %d rows, want %d", name, t.RowsLoaded, rows)
		}
	}
	return &r, nil
}

// table returns the report of the named source table, or nil.
func (r *runReport) table(source string) *tableReport {
	for i := range r.Tables {
		if r.Tables[i].Source == source {
			return &r.Tables[i]
		}
	}
	return nil
}

// maxExportWait is the longest export wait of the run's tables.
func (r *runReport) maxExportWait() float64 {
	w := 0.0
	for _, t := range r.Tables {
		w = max(w, t.ExportWait())
	}
	return w
}
