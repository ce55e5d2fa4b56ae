package bench

// Limits of the targets, and the tolerances the harness uses for
// "not growing" and "linear".
const (
	limitLoadVsPipe   = 0.85 // (c) <= 0.85 x (b)
	limitLoadVsServer = 1.0  // (c) <= 1.0 x (a)
	limitSyncVsLoad   = 1.10 // (d) within 10% of (c) + export wait
	limitMultiVsSeq   = 1.0  // (e) faster than four in a row
	limitRSSMiB       = 300  // peak RSS of mbiload at 1M rows
	limitGrowth       = 1.25 // 5M vs 1M, for RSS and for seconds per million rows
	// (f) <= (g): a Citus replace no slower than TRUNCATE; \copy
	limitCitusVsTruncate = 1.0
)

// ratio is one figure of the comparison.
type ratio struct {
	Name       string   `json:"name"`
	Definition string   `json:"definition"`
	Value      *float64 `json:"value"`
}

// target is one of the targets, checked against the figures. It is
// reported, never enforced: the benchmark does not fail on it.
type target struct {
	Name  string   `json:"name"`
	Value *float64 `json:"value"`
	Limit float64  `json:"limit"`
	// Below says the value must be strictly below the limit, not at most.
	Below bool `json:"strictly_below,omitempty"`
	// Pass is nil when the value could not be measured.
	Pass *bool `json:"pass"`
}

// caseByKey returns the case with key, or nil.
func caseByKey(cases []*caseResult, key string) *caseResult {
	for _, c := range cases {
		if c.Key == key {
			return c
		}
	}
	return nil
}

// medianOfCase is the case's median seconds, nil when it has no samples.
func medianOfCase(cases []*caseResult, key string) *float64 {
	c := caseByKey(cases, key)
	if c == nil || len(c.Samples) == 0 {
		return nil
	}
	return ptr(c.Summary.Median)
}

// div is x/y, nil when either is missing or y is 0.
func div(x, y *float64) *float64 {
	if x == nil || y == nil || *y == 0 {
		return nil
	}
	return ptr(*x / *y)
}

// loadPlusWait is (c)'s median plus (d)'s median export wait: what (d)
// should take if talking to the API cost nothing.
func loadPlusWait(cases []*caseResult) *float64 {
	c, d := medianOfCase(cases, "c"), caseByKey(cases, "d")
	if c == nil || d == nil || d.Summary.ExportWait == nil {
		return nil
	}
	return ptr(*c + *d.Summary.ExportWait)
}

// ratios returns the comparison's ratios of median times.
func ratios(res *results) []ratio {
	m := func(key string) *float64 { return medianOfCase(res.Cases, key) }
	out := []ratio{
		{Name: "(c)/(a)", Definition: "load-file / server COPY", Value: div(m("c"), m("a"))},
		{Name: "(c)/(b)", Definition: `load-file / unzip | psql \copy`, Value: div(m("c"), m("b"))},
		{Name: "(d)/(a)", Definition: "sync / server COPY", Value: div(m("d"), m("a"))},
		{Name: "(d)/((c)+wait)", Definition: "sync / (load-file + export wait of the sync)", Value: div(m("d"), loadPlusWait(res.Cases))},
		{Name: "(e)/(4 in a row)", Definition: "4 tables at once / 4 single-table syncs one after another", Value: div(m("e"), m("e_seq"))},
	}
	if caseByKey(res.Cases, "f") != nil {
		out = append(out, ratio{Name: "(f)/(g)", Definition: `Citus: load-file replace / TRUNCATE; \copy, same distributed table`, Value: div(m("f"), m("g"))})
	}
	if lin := perMillionRatio(res.Cases); lin != nil {
		base, sc := baseLoad(res.Cases), caseByKey(res.Cases, "c_scale")
		out = append(out, ratio{Name: "s/row " + millions(sc.Rows) + "/" + millions(base.Rows),
			Definition: "load-file seconds per row, scale size / main size (replace runs)", Value: lin})
	}
	return out
}

// baseLoad is the load-file case the scale case compares with: the replace
// runs when there are some (the scale runs replace too), else all runs.
func baseLoad(cases []*caseResult) *caseResult {
	if c := caseByKey(cases, "c_replace"); c != nil && len(c.Samples) > 0 {
		return c
	}
	return caseByKey(cases, "c")
}

// perMillionRatio compares load-file's seconds per row at the scale size
// with the main size.
func perMillionRatio(cases []*caseResult) *float64 {
	base, sc := baseLoad(cases), caseByKey(cases, "c_scale")
	if base == nil || sc == nil || len(base.Samples) == 0 || len(sc.Samples) == 0 {
		return nil
	}
	return div(ptr(sc.Summary.Median/float64(sc.Rows)), ptr(base.Summary.Median/float64(base.Rows)))
}

// rssGrowth compares load-file's peak RSS at the scale size with the main
// size.
func rssGrowth(cases []*caseResult) *float64 {
	base, sc := caseByKey(cases, "c"), caseByKey(cases, "c_scale")
	if base == nil || sc == nil || len(base.Samples) == 0 || len(sc.Samples) == 0 {
		return nil
	}
	return div(ptr(sc.Summary.PeakRSSMB), ptr(base.Summary.PeakRSSMB))
}

// peakRSS is the largest peak RSS of the single-table mbiload cases.
func peakRSS(cases []*caseResult) *float64 {
	var peak *float64
	for _, key := range []string{"c", "d"} {
		if c := caseByKey(cases, key); c != nil && len(c.Samples) > 0 {
			if peak == nil || c.Summary.PeakRSSMB > *peak {
				peak = ptr(c.Summary.PeakRSSMB)
			}
		}
	}
	return peak
}

// targets checks the targets.
func targets(res *results) []target {
	r := map[string]*float64{}
	for _, x := range res.Ratios {
		r[x.Name] = x.Value
	}
	out := []target{
		{Name: "(c) <= 0.85 x (b)", Value: r["(c)/(b)"], Limit: limitLoadVsPipe},
		{Name: "(c) <= 1.0 x (a)", Value: r["(c)/(a)"], Limit: limitLoadVsServer},
		{Name: "(d) <= 1.10 x ((c) + export wait)", Value: r["(d)/((c)+wait)"], Limit: limitSyncVsLoad},
		{Name: "(e) faster than 4 syncs in a row", Value: r["(e)/(4 in a row)"], Limit: limitMultiVsSeq, Below: true},
		{Name: "peak RSS of mbiload (c, d) < 300 MiB", Value: peakRSS(res.Cases), Limit: limitRSSMiB, Below: true},
	}
	if caseByKey(res.Cases, "f") != nil {
		out = append(out, target{Name: `(f) <= 1.0 x (g) (Citus replace vs TRUNCATE; \copy)`, Value: r["(f)/(g)"], Limit: limitCitusVsTruncate})
	}
	if caseByKey(res.Cases, "c_scale") != nil {
		out = append(out,
			target{Name: "peak RSS at scale / at main size <= 1.25 (not growing)", Value: rssGrowth(res.Cases), Limit: limitGrowth},
			target{Name: "seconds per row at scale / at main size <= 1.25 (linear)", Value: perMillionRatio(res.Cases), Limit: limitGrowth},
		)
	}
	for i := range out {
		out[i].check()
	}
	return out
}

// check sets Pass from Value and Limit.
func (t *target) check() {
	if t.Value == nil {
		t.Pass = nil
		return
	}
	pass := *t.Value <= t.Limit
	if t.Below {
		pass = *t.Value < t.Limit
	}
	t.Pass = &pass
}
