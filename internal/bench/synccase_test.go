package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Commands of the sync cases as the table shows them.
const (
	syncCommand      = "mbiload sync --tables sales_order --force (simulate --scale ROWS --export-delay 0)"
	multiCommand     = "mbiload sync --tables sales_order_1,..,sales_order_4 --concurrency 4 --force"
	multiSeqCommand  = "4 x mbiload sync --tables sales_order_N --force, one after another"
	syncReportPrefix = "sync-report-"
)

// sync runs one `mbiload sync` of tables and checks its report.
func (h *harness) sync(ctx context.Context, tables []string, concurrency int) (proc, *runReport, error) {
	report := filepath.Join(h.work, syncReportPrefix+strings.Join(tables, "+")+".json")
	os.Remove(report)
	args := []string{"sync", "--tables", strings.Join(tables, ","), "--force", "--progress", "none", "--report", report}
	if concurrency > 0 {
		args = append(args, "--concurrency", strconv.Itoa(concurrency))
	}
	p, err := runProc(ctx, h.mbiEnv(h.sim.Env...), h.bin, args...)
	if err != nil {
		return p, nil, err
	}
	rep, err := readRunReport(report, tables, h.data.Rows)
	return p, rep, err
}

// simTimed is [harness.timed] that also measures the simulator's CPU.
func (h *harness) simTimed(fn func() ([]proc, error)) (sample, error) {
	before, errBefore := h.sim.cpuSeconds()
	s, err := h.timed(fn)
	after, errAfter := h.sim.cpuSeconds()
	if err == nil && errBefore == nil && errAfter == nil {
		s.SimulatorCPU = ptr(after - before)
	}
	return s, err
}

// runSync is case (d): one table through the simulated Export API.
func (h *harness) runSync(ctx context.Context) (sample, error) {
	if err := h.db.settle(ctx); err != nil {
		return sample{}, err
	}
	var rep *runReport
	s, err := h.simTimed(func() ([]proc, error) {
		p, r, err := h.sync(ctx, []string{benchTable}, 0)
		rep = r
		return []proc{p}, err
	})
	if err != nil {
		return sample{}, err
	}
	s.ExportWait = ptr(rep.maxExportWait())
	s.Mechanism = rep.Tables[0].Mechanism
	return s, nil
}

// runMulti is case (e): four tables in one sync, four at once.
func (h *harness) runMulti(ctx context.Context) (sample, error) {
	if err := h.db.settle(ctx); err != nil {
		return sample{}, err
	}
	var rep *runReport
	s, err := h.simTimed(func() ([]proc, error) {
		p, r, err := h.sync(ctx, h.multi, multiTables)
		rep = r
		return []proc{p}, err
	})
	if err != nil {
		return sample{}, err
	}
	s.ExportWait = ptr(rep.maxExportWait())
	return s, nil
}

// runMultiSeq is case (e)'s comparison: the same four tables, one sync
// each, one after another.
func (h *harness) runMultiSeq(ctx context.Context) (sample, error) {
	if err := h.db.settle(ctx); err != nil {
		return sample{}, err
	}
	wait := 0.0
	s, err := h.simTimed(func() ([]proc, error) {
		var procs []proc
		for _, t := range h.multi {
			p, rep, err := h.sync(ctx, []string{t}, 0)
			procs = append(procs, p)
			if err != nil {
				return procs, fmt.Errorf("sync %s: %w", t, err)
			}
			wait += rep.maxExportWait()
		}
		return procs, nil
	})
	if err != nil {
		return sample{}, err
	}
	s.ExportWait = ptr(wait)
	return s, nil
}
