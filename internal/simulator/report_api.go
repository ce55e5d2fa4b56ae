package simulator

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
)

// reportJSON is a figure or chart in a listing or info answer: the live
// service's id, name, presentationType (figures) and ownerEmail, or under
// Quirks.LegacyReports the earlier guess of id, name and type.
type reportJSON struct {
	ID               any    `json:"id"`
	Name             string `json:"name"`
	PresentationType string `json:"presentationType,omitempty"`
	OwnerEmail       string `json:"ownerEmail,omitempty"`
	Type             string `json:"type,omitempty"`
	*extraFields
}

// reportData is the json format of a figure or chart export.
type reportData struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

func kindPath(kind reportKind) string {
	if kind == kindChart {
		return "chart"
	}
	return "figure"
}

func (s *Server) reportJSON(kind reportKind, rep *report) reportJSON {
	id := strconv.FormatInt(rep.id, 10)
	name := rep.name
	if n, ok := s.cfg.ReportNames[rep.id]; ok {
		name = n
	}
	out := reportJSON{ID: s.id(id), Name: name, extraFields: s.extra("/" + kindPath(kind) + "/" + id + "/info")}
	if s.cfg.Quirks.LegacyReports {
		out.Type = rep.typ
	} else {
		out.PresentationType, out.OwnerEmail = rep.typ, rep.owner
	}
	return out
}

// listKey is the key a figure or chart list is sent under: figureExports
// and chartExports, as the live service does, or figures and charts under
// Quirks.LegacyReports.
func (s *Server) listKey(kind reportKind) string {
	if s.cfg.Quirks.LegacyReports {
		return kindPath(kind) + "s"
	}
	return kindPath(kind) + "Exports"
}

// listReports answers GET /figure and GET /chart: a list, or under
// Quirks.KeyedReports an object keyed by id.
func (s *Server) listReports(kind reportKind) func(http.ResponseWriter, *http.Request, params) {
	return func(w http.ResponseWriter, r *http.Request, p params) {
		reps := reportsOf(kind)
		if s.cfg.Quirks.KeyedReports {
			keyed := make(map[string]reportJSON, len(reps))
			for _, rep := range reps {
				keyed[strconv.FormatInt(rep.id, 10)] = s.reportJSON(kind, rep)
			}
			writeJSON(w, http.StatusOK, s.list(s.listKey(kind), keyed, len(keyed)))
			return
		}
		items := make([]reportJSON, 0, len(reps))
		for _, rep := range reps {
			items = append(items, s.reportJSON(kind, rep))
		}
		writeJSON(w, http.StatusOK, s.list(s.listKey(kind), items, len(items)))
	}
}

// reportInfo answers GET or POST /figure/{id}/info and /chart/{id}/info.
func (s *Server) reportInfo(kind reportKind) func(http.ResponseWriter, *http.Request, params) {
	return func(w http.ResponseWriter, r *http.Request, p params) {
		rep := findReport(kind, p.id)
		if rep == nil {
			writeError(w, http.StatusNotFound, "no "+kindPath(kind)+" "+p.id)
			return
		}
		writeJSON(w, http.StatusOK, s.reportJSON(kind, rep))
	}
}

// exportReport answers GET or POST /figure/{id}/export and
// /chart/{id}/export. The parameters format=csv|json (csv by default) and
// includeColumnHeaders are read from the form body, else the query, else a
// request header of that name: public clients of the live service send
// them each way.
func (s *Server) exportReport(kind reportKind) func(http.ResponseWriter, *http.Request, params) {
	return func(w http.ResponseWriter, r *http.Request, p params) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "unreadable form body")
			return
		}
		rep := findReport(kind, p.id)
		if rep == nil {
			writeError(w, http.StatusNotFound, "no "+kindPath(kind)+" "+p.id)
			return
		}
		format := strings.ToLower(strings.TrimSpace(exportParam(r, "format")))
		switch {
		case format == "":
			format = "csv"
		case format != "csv" && format != "json":
			writeError(w, http.StatusBadRequest, "format must be csv or json")
			return
		case format == "json" && rep.csvOnly():
			writeError(w, http.StatusBadRequest, "SQL report figures can only be exported as csv")
			return
		}
		st, err := s.orderStats()
		if err != nil {
			s.cfg.Logger.Error("compute report", "report", rep.id, "err", err)
			writeError(w, http.StatusInternalServerError, "report data is unavailable")
			return
		}
		rows := rep.rows(st)
		if format == "json" {
			writeJSON(w, http.StatusOK, reportData{Columns: rep.columns, Rows: rows})
			return
		}
		headers := strings.TrimSpace(exportParam(r, "includeColumnHeaders"))
		writeCSV(w, rep.columns, rows, headers == "1" || strings.EqualFold(headers, "true"))
	}
}

// exportParam reads a figure or chart export parameter from the form body,
// the query or a request header, in that order.
func exportParam(r *http.Request, name string) string {
	for _, vs := range []map[string][]string{r.PostForm, r.URL.Query(), r.Header} {
		if v, ok := vs[name]; ok && len(v) > 0 {
			return v[0]
		}
	}
	return r.Header.Get(name)
}

// orderStats returns the aggregates of the current sales_order table, or the
// static ones when there is none.
func (s *Server) orderStats() (*orderStats, error) {
	t, ok := s.tableByName("sales_order")
	if !ok {
		return staticStats, nil
	}
	return t.stats()
}

func writeCSV(w http.ResponseWriter, columns []string, rows [][]any, header bool) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if header {
		cw.Write(columns)
	}
	rec := make([]string, len(columns))
	for _, row := range rows {
		for i, v := range row {
			switch v := v.(type) {
			case string:
				rec[i] = v
			case interface{ String() string }:
				rec[i] = v.String()
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
