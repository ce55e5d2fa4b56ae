package simulator

import (
	"net/http"
	"slices"
	"strings"
)

// route is one endpoint: a path pattern of literal segments and the
// placeholders {client}, {table} and {id}, the methods it answers, and its
// handler. Routes that answer GET also answer HEAD.
type route struct {
	pattern []string
	methods []string
	handle  func(w http.ResponseWriter, r *http.Request, p params)
}

// params are the placeholders of a matched path, and the request's roll of
// the dice (for faults decided inside a handler).
type params struct {
	client, table, id string
	roll              roll
}

func (s *Server) routeTable() []route {
	get, post, both := []string{http.MethodGet}, []string{http.MethodPost}, []string{http.MethodGet, http.MethodPost}
	rt := func(path string, methods []string, h func(http.ResponseWriter, *http.Request, params)) route {
		return route{pattern: strings.Split(strings.Trim(path, "/"), "/"), methods: methods, handle: h}
	}
	return []route{
		rt("/export", get, s.listExports),
		rt("/export/{id}", get, s.downloadExport),
		rt("/export/{id}/info", get, s.exportInfo),
		rt("/export/{id}/copy", post, s.copyExport),
		rt("/client/{client}/table", get, s.listTables),
		rt("/client/{client}/table/{table}", get, s.describeTable),
		rt("/client/{client}/table/{table}/export", post, s.createExport),
		rt("/client/{client}/fullupdatestatus", get, s.fullUpdateStatus),
		rt("/figure", get, s.listReports(kindFigure)),
		rt("/figure/{id}/info", both, s.reportInfo(kindFigure)),
		rt("/figure/{id}/export", both, s.exportReport(kindFigure)),
		rt("/chart", get, s.listReports(kindChart)),
		rt("/chart/{id}/info", both, s.reportInfo(kindChart)),
		rt("/chart/{id}/export", both, s.exportReport(kindChart)),
	}
}

// apiPath strips the optional "/0.1" version prefix and surrounding slashes.
func apiPath(path string) string {
	if path == "/0.1" || strings.HasPrefix(path, "/0.1/") {
		path = path[len("/0.1"):]
	}
	return strings.Trim(path, "/")
}

// match finds the route for r. It answers 404 or 405 itself and returns
// ok=false when there is none.
func (s *Server) match(w http.ResponseWriter, r *http.Request) (route, params, bool) {
	segs := strings.Split(apiPath(r.URL.Path), "/")
	var allowed []string
	for _, rt := range s.routes {
		p, ok := rt.matchPath(segs)
		if !ok {
			continue
		}
		if slices.Contains(rt.methods, r.Method) || (r.Method == http.MethodHead && slices.Contains(rt.methods, http.MethodGet)) {
			return rt, p, true
		}
		allowed = append(allowed, rt.methods...)
	}
	if allowed != nil {
		if slices.Contains(allowed, http.MethodGet) {
			allowed = append(allowed, http.MethodHead)
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed here")
		return route{}, params{}, false
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return route{}, params{}, false
}

func (rt route) matchPath(segs []string) (params, bool) {
	var p params
	if len(segs) != len(rt.pattern) {
		return p, false
	}
	for i, want := range rt.pattern {
		got := segs[i]
		switch want {
		case "{client}":
			p.client = got
		case "{table}":
			p.table = got
		case "{id}":
			p.id = got
		default:
			if got != want {
				return p, false
			}
			continue
		}
		if got == "" {
			return p, false
		}
	}
	return p, true
}
