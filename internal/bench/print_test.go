package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// printResults prints the table of figures, the ratios and the targets.
func printResults(w io.Writer, res *results) {
	d := res.Data
	fmt.Fprintf(w, "\n== mbiload bench: %s, %d rows, CSV %.1f MB, zip %.1f MB, seed %d ==\n",
		d.Table, d.Rows, float64(d.CSVBytes)/1e6, float64(d.ZipBytes)/1e6, d.Seed)
	fmt.Fprintf(w, "revision %s; host: %d CPUs, %s, load average %s at start, %s at end\n",
		res.Revision, res.Host.CPUs, res.Host.GoVersion, res.Host.LoadAvgStart, res.Host.LoadAvgEnd)
	kind := "given by " + envDatabaseURL
	if res.Server.Throwaway {
		kind = "throwaway (internal/localpg), default settings"
	}
	var set []string
	for _, s := range res.Server.Settings {
		set = append(set, s.Name+"="+s.Value)
	}
	fmt.Fprintf(w, "server: %s\n  %s\n  %s\n", kind, strings.Join(set, " "), res.Server.CPUNote)
	fmt.Fprintln(w, "every run: CHECKPOINT first (not timed); psql cases into a fresh table with mbiload's DDL (primary key included);")
	fmt.Fprintln(w, "times are wall-clock of the client process(es); RSS and client CPU from wait4; MB = 10^6 bytes of CSV")
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-9s %-38s\truns\tmedian s\tmin s\tmax s\trows/s\tCSV MB/s\tpeak RSS MiB\tclient CPU s\tserver CPU s\t\n", "case", "what")
	for _, c := range res.Cases {
		s := c.Summary
		if s.Runs == 0 {
			fmt.Fprintf(tw, "%-9s %-38s\t0\t-\t-\t-\t-\t-\t-\t-\t-\t\n", c.Key, c.Label)
			continue
		}
		fmt.Fprintf(tw, "%-9s %-38s\t%d\t%.2f\t%.2f\t%.2f\t%.0f\t%.1f\t%.0f\t%.2f\t%s\t\n",
			c.Key, c.Label, s.Runs, s.Median, s.Min, s.Max, s.RowsPerSec, s.MBPerSec, s.PeakRSSMB, s.ClientCPU, orDash(s.ServerCPU, 2))
	}
	tw.Flush()

	fmt.Fprintln(w)
	for _, c := range res.Cases {
		if note := caseNote(c); note != "" {
			fmt.Fprintf(w, "%-9s %s\n", c.Key+":", note)
		}
	}
	for _, c := range res.Cases {
		if c.Error != "" {
			fmt.Fprintf(w, "%-9s ERROR: %s\n", c.Key+":", firstLine(c.Error))
		}
	}

	fmt.Fprintln(w, "\nratios of median times:")
	for _, r := range res.Ratios {
		fmt.Fprintf(w, "  %-18s %6s   %s\n", r.Name, orDash(r.Value, 2), r.Definition)
	}
	fmt.Fprintln(w, "\ntargets (issue 6; reported, not enforced):")
	for _, t := range res.Targets {
		verdict := "n/a "
		if t.Pass != nil {
			verdict = map[bool]string{true: "PASS", false: "FAIL"}[*t.Pass]
		}
		fmt.Fprintf(w, "  %s  %-58s got %s\n", verdict, t.Name, orDash(t.Value, 2))
	}
	fmt.Fprintf(w, "\nsetup (not in the figures):")
	keys := make([]string, 0, len(res.SetupSeconds))
	for k := range res.SetupSeconds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, " %s %.1f s;", k, res.SetupSeconds[k])
	}
	fmt.Fprintf(w, "\ncases took %.0f s, %.0f s of it in timed runs (the rest: checkpoints, table resets, checks)\n",
		res.TotalSeconds, res.TimedSeconds)
}

// caseNote is the extra line of a case: its command, and what the
// table's columns leave out.
func caseNote(c *caseResult) string {
	var parts []string
	if c.Summary.ExportWait != nil {
		parts = append(parts, fmt.Sprintf("export wait %.2f s (median)", *c.Summary.ExportWait))
	}
	if c.Summary.SimulatorCPU != nil {
		parts = append(parts, fmt.Sprintf("simulator CPU %.2f s", *c.Summary.SimulatorCPU))
	}
	var mech []string
	for _, s := range c.Samples {
		if s.Mechanism != "" && !slices.Contains(mech, s.Mechanism) {
			mech = append(mech, s.Mechanism)
		}
	}
	if len(mech) > 0 {
		parts = append(parts, "published by "+strings.Join(mech, ", then "))
	}
	if strings.HasPrefix(c.Label, " ") {
		return strings.Join(parts, "; ")
	}
	return strings.Join(append([]string{c.Command}, parts...), "; ")
}

// orDash formats *v with prec decimals, or "-" for nil.
func orDash(v *float64, prec int) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.*f", prec, *v)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// writeJSON writes the results to path, creating its directory.
func writeJSON(path string, res *results) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
