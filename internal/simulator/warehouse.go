package simulator

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/mbiload/mbiload/schema"
)

// table is one version of a warehouse table with its lazily built caches:
// the compressed CSV and, for sales_order, the figures' aggregates.
// [Server.CompleteUpdate] replaces tables with new versions; exports keep
// the version they were made from.
type table struct {
	Table
	blobOnce sync.Once
	blob     atomic.Pointer[blob]
	stats    func() (*orderStats, error)
}

// setTables installs a new version of the warehouse. The caller holds s.mu or
// owns s exclusively.
func (s *Server) setTables(tables []Table) {
	s.tables = make([]*table, 0, len(tables))
	s.byID = make(map[schema.ID]*table, len(tables))
	for _, t := range tables {
		tt := &table{Table: t}
		tt.stats = s.statsLoader(tt)
		s.tables = append(s.tables, tt)
		s.byID[t.ID] = tt
	}
}

// lookupTable returns the current version of a table by id.
func (s *Server) lookupTable(id string) (*table, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byID[schema.ID(id)]
	return t, ok
}

// tableByName returns the current version of a table by name.
func (s *Server) tableByName(name string) (*table, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tables {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// tableJSON is an entry of GET /client/{client_id}/table.
type tableJSON struct {
	ID       any    `json:"id"`
	Name     string `json:"name"`
	RowCount *int64 `json:"row_count,omitempty"`
	*extraFields
}

// columnJSON is a column of GET /client/{client_id}/table/{table_id}.
type columnJSON struct {
	ID           any    `json:"id,omitempty"`
	Name         string `json:"name"`
	Type         string `json:"type"`
	Precision    int64  `json:"precision,omitempty"`
	Scale        int64  `json:"scale,omitempty"`
	IsPrimaryKey bool   `json:"is_primary_key,omitempty"`
	Nullable     *bool  `json:"nullable,omitempty"`
	IsCalculated bool   `json:"is_calculated,omitempty"`
	*extraFields
}

func (s *Server) listTables(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	tables := s.tables
	s.mu.Unlock()
	items := make([]tableJSON, 0, len(tables))
	for _, t := range tables {
		item := tableJSON{ID: s.id(string(t.ID)), Name: t.Name, extraFields: s.extra("/client/" + p.client + "/table/" + string(t.ID))}
		if rows := t.rowCount(); rows >= 0 {
			item.RowCount = &rows
		}
		items = append(items, item)
	}
	writeJSON(w, http.StatusOK, s.list("tables", items, len(items)))
}

func (s *Server) describeTable(w http.ResponseWriter, r *http.Request, p params) {
	t, ok := s.lookupTable(p.table)
	if !ok {
		writeError(w, http.StatusNotFound, "no table "+p.table)
		return
	}
	cols := make([]columnJSON, 0, len(t.Columns))
	for _, c := range t.Columns {
		cj := columnJSON{
			Name: c.Name, Type: c.Type,
			Precision: int64(c.Precision), Scale: int64(c.Scale),
			IsPrimaryKey: bool(c.IsPrimaryKey), IsCalculated: bool(c.IsCalculated),
			extraFields: s.extra("/client/" + p.client + "/table/" + p.table),
		}
		if c.ID != "" {
			cj.ID = s.id(string(c.ID))
		}
		if c.Nullable != nil {
			n := bool(*c.Nullable)
			cj.Nullable = &n
		}
		cols = append(cols, cj)
	}
	writeJSON(w, http.StatusOK, s.list("columns", cols, len(cols)))
}

// rowCount is the table's row count: as counted by its finished build, else
// as configured; -1 when unknown.
func (t *table) rowCount() int64 {
	if b := t.builtBlob(); b != nil && b.err == nil {
		return b.rows
	}
	return max(t.Rows, -1)
}
