package simulator

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
)

// reportJSON is a figure or chart in a listing or info answer.
type reportJSON struct {
	ID   any    `json:"id"`
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
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
	return reportJSON{ID: s.id(id), Name: name, Type: rep.typ, extraFields: s.extra("/" + kindPath(kind) + "/" + id + "/info")}
}

// listReports answers GET /figure and GET /chart.
func (s *Server) listReports(kind reportKind) func(http.ResponseWriter, *http.Request, params) {
	return func(w http.ResponseWriter, r *http.Request, p params) {
		reps := reportsOf(kind)
		items := make([]reportJSON, 0, len(reps))
		for _, rep := range reps {
			items = append(items, s.reportJSON(kind, rep))
		}
		writeJSON(w, http.StatusOK, s.list(kindPath(kind)+"s", items, len(items)))
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

// exportReport answers POST /figure/{id}/export and /chart/{id}/export with
// the form fields format=csv|json (csv by default) and includeColumnHeaders.
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
		format := strings.ToLower(strings.TrimSpace(r.PostForm.Get("format")))
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
		headers := r.PostForm.Get("includeColumnHeaders")
		writeCSV(w, rep.columns, rows, headers == "1" || strings.EqualFold(headers, "true"))
	}
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
