package simulator

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxFormBytes bounds a request's form body.
const maxFormBytes = 64 << 10

func (s *Server) listExports(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	now := s.now()
	ids := make([]int64, 0, len(s.exports))
	for id := range s.exports {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	items := make([]exportJSON, 0, len(ids))
	for _, id := range ids {
		items = append(items, s.describe(s.exports[id], now))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.list("exports", items, len(items)))
}

// lookupExport finds the export named by p.id, answering 404 when there is none.
func (s *Server) lookupExport(w http.ResponseWriter, p params) (*export, bool) {
	id, err := strconv.ParseInt(p.id, 10, 64)
	s.mu.Lock()
	e, ok := s.exports[id]
	s.mu.Unlock()
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "no export "+p.id)
		return nil, false
	}
	return e, true
}

func (s *Server) exportInfo(w http.ResponseWriter, r *http.Request, p params) {
	e, ok := s.lookupExport(w, p)
	if !ok {
		return
	}
	s.mu.Lock()
	d := s.describe(e, s.now())
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, d)
}

// createExport answers POST /client/{client_id}/table/{table_id}/export.
func (s *Server) createExport(w http.ResponseWriter, r *http.Request, p params) {
	t, ok := s.lookupTable(p.table)
	if !ok {
		writeError(w, http.StatusNotFound, "no table "+p.table)
		return
	}
	s.respondNewExport(w, t, "")
}

// copyExport answers POST /export/{id}/copy: a new export of the same table
// (its current data), named by the optional form field name or as the
// original. Copying works on an expired or failed export too.
func (s *Server) copyExport(w http.ResponseWriter, r *http.Request, p params) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "unreadable form body")
		return
	}
	src, ok := s.lookupExport(w, p)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if len(name) > 255 || !utf8.ValidString(name) {
		writeError(w, http.StatusBadRequest, "name must be valid UTF-8 of at most 255 bytes")
		return
	}
	if name == "" {
		name = src.name
	}
	t, ok := s.lookupTable(string(src.table.ID))
	if !ok {
		t = src.table
	}
	s.respondNewExport(w, t, name)
}

func (s *Server) respondNewExport(w http.ResponseWriter, t *table, name string) {
	e, err := s.newExport(t, name)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "simulator is shutting down")
		return
	}
	s.mu.Lock()
	d := s.describe(e, s.now())
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, d)
}

// downloadExport answers GET /export/{id}: 410 once expired (the first
// request that finds it Completed may expire it, Config.ExpireRate), 404
// until Completed, then the zip, with Range support unless
// Quirks.IgnoreRange, possibly cut mid-body by Config.DropRate.
func (s *Server) downloadExport(w http.ResponseWriter, r *http.Request, p params) {
	e, ok := s.lookupExport(w, p)
	if !ok {
		return
	}
	s.mu.Lock()
	now := s.now()
	st, completed := s.status(e, now)
	if st == StatusCompleted && !s.expired(e, now) && !e.expiryRolled {
		e.expiryRolled = true
		if p.roll.hit(drawExpire, s.cfg.ExpireRate) {
			e.expires = now
			if sw, ok := w.(*statusWriter); ok {
				sw.fault = "expire"
			}
		}
	}
	expired, expires := s.expired(e, now), e.expires
	path, etag := e.zipPath, e.etag
	s.mu.Unlock()
	if expired {
		writeError(w, http.StatusGone, fmt.Sprintf("export %d expired at %s", e.id, s.stamp(expires)))
		return
	}
	if st != StatusCompleted {
		writeError(w, http.StatusNotFound, fmt.Sprintf("export %d is not complete (status %s)", e.id, st))
		return
	}
	f, err := os.Open(path)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "export file is unavailable")
		return
	}
	defer f.Close()
	if sw, ok := w.(*statusWriter); ok && r.Method == http.MethodGet && p.roll.hit(drawDrop, s.cfg.DropRate) {
		w = newDropWriter(sw, p.roll.float(drawDropAt))
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "export-"+p.id+".zip"))
	if s.cfg.Quirks.IgnoreRange {
		info, err := f.Stat()
		if err != nil {
			writeError(w, http.StatusInternalServerError, "export file is unavailable")
			return
		}
		h.Set("Content-Length", strconv.FormatInt(info.Size(), 10))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			io.Copy(w, f)
		}
		return
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", completed, f)
}
