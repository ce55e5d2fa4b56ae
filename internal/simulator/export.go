package simulator

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// Export statuses as the API spells them.
const (
	StatusPending   = "Pending"
	StatusCompleted = "Completed"
	StatusError     = "Error"
)

// Reasons an export ends in Error.
var (
	// errInjected marks an export failed by Config.ExportErrorRate.
	errInjected = errors.New("simulator: injected export error")
	// errRowCap marks an export of a table above Config.RowCap.
	errRowCap = errors.New("simulator: table exceeds the export row cap")
)

// export is one raw data export. Fields after the first block are written by
// its build goroutine and read under s.mu.
type export struct {
	id      int64
	name    string
	table   *table
	created time.Time
	expires time.Time // created + TTL, or earlier after an injected expiry
	fail    error     // decided at creation: errInjected or errRowCap
	// dieKey names the export in the dice keys of the requests about it:
	// its table and its number among that table's exports ("table 3 #2"),
	// never its id. Ids are handed out in the order exports are created,
	// which for tables exported concurrently depends on timing; keyed by
	// id, which faults a table met would change from run to run.
	dieKey string
	// expiryRolled is set by the first download request that finds the
	// export completed, which alone may expire it (Config.ExpireRate).
	expiryRolled bool

	readyAt  time.Time // when the zip was written; zero before
	zipPath  string
	rows     int64 // -1 when unknown
	buildErr error
	etag     string
}

// exportJSON is the export description of the contract.
type exportJSON struct {
	ExportID    any     `json:"export_id"`
	Name        string  `json:"name"`
	ClientID    any     `json:"client_id"`
	TableID     any     `json:"table_id"`
	Status      string  `json:"status"`
	CreatedAt   string  `json:"created_at"`
	CompletedAt *string `json:"completed_at"`
	ExpiresAt   string  `json:"expires_at"`
	RowCount    *int64  `json:"row_count"`
	*extraFields
}

// newExport records an export of t and starts building its zip. An empty
// name becomes "<table name> <created_at>".
func (s *Server) newExport(t *table, name string) (*export, error) {
	var fail error
	switch {
	case s.dice.roll("export "+string(t.ID)).hit(drawExportError, s.cfg.ExportErrorRate):
		fail = errInjected
	case t.Rows > s.cfg.RowCap:
		fail = errRowCap
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	now := s.now()
	if name == "" {
		name = t.Name + " " + s.stamp(now)
	}
	e := &export{id: s.nextExport, name: name, table: t, created: now, expires: now.Add(s.cfg.ExportTTL), rows: t.rowCount(), fail: fail,
		dieKey: fmt.Sprintf("table %s #%d", t.ID, s.perTable[t.ID])}
	s.nextExport++
	s.perTable[t.ID]++
	s.exports[e.id] = e
	if fail == nil {
		b := s.compressed(t)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.finishExport(e, b)
		}()
	}
	return e, nil
}

// finishExport waits for the table's blob and writes the export's zip.
func (s *Server) finishExport(e *export, b *blob) {
	select {
	case <-b.done:
	case <-s.ctx.Done():
		return
	}
	err := b.err
	if err == nil && b.rows > s.cfg.RowCap {
		err = errRowCap
	}
	var size int64
	path := filepath.Join(s.dir, "export-"+strconv.FormatInt(e.id, 10)+".zip")
	if err == nil {
		size, err = writeZip(s.ctx, path, entryName(e.name), e.created.In(s.cfg.Location), b)
	}
	switch {
	case err == nil:
		s.cfg.Logger.Debug("export ready", "export_id", e.id, "table", e.table.Name, "bytes", size)
	case !errors.Is(err, errRowCap):
		s.cfg.Logger.Error("build export", "export_id", e.id, "err", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.err == nil {
		e.rows = b.rows
	}
	if err != nil {
		e.buildErr = err
		return
	}
	e.zipPath, e.readyAt = path, s.now()
	e.etag = fmt.Sprintf(`"%d-%08x"`, e.id, b.crc)
}

// status returns the export's status at now, and when it completed. The
// caller holds s.mu.
func (s *Server) status(e *export, now time.Time) (string, time.Time) {
	due := e.created.Add(s.cfg.ExportDelay)
	switch {
	case now.Before(due):
		return StatusPending, time.Time{}
	case e.fail != nil || e.buildErr != nil:
		return StatusError, time.Time{}
	case e.readyAt.IsZero():
		return StatusPending, time.Time{}
	}
	if e.readyAt.After(due) {
		due = e.readyAt
	}
	return StatusCompleted, due
}

// expired reports whether the export is past its expires_at at now.
func (s *Server) expired(e *export, now time.Time) bool {
	return !now.Before(e.expires)
}

// describe renders the export's description. The caller holds s.mu.
func (s *Server) describe(e *export, now time.Time) exportJSON {
	st, completed := s.status(e, now)
	d := exportJSON{
		ExportID:    s.intID(e.id),
		Name:        e.name,
		ClientID:    s.id(s.cfg.ClientID),
		TableID:     s.id(string(e.table.ID)),
		Status:      s.statusText(st),
		CreatedAt:   s.stamp(e.created),
		ExpiresAt:   s.stamp(e.expires),
		extraFields: s.extra("/export/" + strconv.FormatInt(e.id, 10) + "/info"),
	}
	if !completed.IsZero() {
		c := s.stamp(completed)
		d.CompletedAt = &c
	}
	if e.rows >= 0 {
		rows := e.rows
		d.RowCount = &rows
	}
	return d
}
