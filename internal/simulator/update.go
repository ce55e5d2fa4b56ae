package simulator

import (
	"net/http"
	"time"
)

// updateJob is the warehouse's last completed update cycle.
type updateJob struct {
	id         int64
	start, end time.Time
}

// firstUpdateJob is the update cycle a new server reports: it ran from two
// hours to one hour before now, with a seed-derived id.
func firstUpdateJob(seed int64, now time.Time) updateJob {
	now = now.Truncate(time.Second)
	return updateJob{id: 10000 + int64(mix(uint64(seed), 0x0b)%90000), start: now.Add(-2 * time.Hour), end: now.Add(-time.Hour)}
}

// CompleteUpdate simulates the warehouse finishing an update cycle:
// fullupdatestatus reports a new last completed job (a new id, starting and
// ending now), and when tables is not nil it replaces the warehouse's tables.
// Exports created before keep the data they were made from.
func (s *Server) CompleteUpdate(tables []Table) error {
	if tables != nil {
		if err := validateTables(tables); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	now := s.now().Truncate(time.Second)
	s.job = updateJob{id: s.job.id + 1, start: now, end: now}
	if tables != nil {
		s.setTables(tables)
	}
	return nil
}

type namedID struct {
	ID   any    `json:"id"`
	Name string `json:"name"`
}

type updateJobJSON struct {
	ID     any     `json:"id"`
	Type   namedID `json:"type"`
	Start  string  `json:"start"`
	End    string  `json:"end"`
	Status namedID `json:"status"`
	*extraFields
}

type fullUpdateStatusJSON struct {
	ClientID                           any            `json:"clientId"`
	LastCompletedUpdateJob             *updateJobJSON `json:"lastCompletedUpdateJob"`
	LastCompletedUpdateJobWithDataSync *updateJobJSON `json:"lastCompletedUpdateJobWithDataSync"`
	TimezoneAbbreviation               string         `json:"timezoneAbbreviation"`
	*extraFields
}

// fullUpdateStatus answers GET /client/{client_id}/fullupdatestatus.
func (s *Server) fullUpdateStatus(w http.ResponseWriter, r *http.Request, p params) {
	s.mu.Lock()
	job := s.job
	now := s.now()
	s.mu.Unlock()
	zone, _ := now.In(s.cfg.Location).Zone()
	writeJSON(w, http.StatusOK, fullUpdateStatusJSON{
		ClientID: s.id(s.cfg.ClientID),
		LastCompletedUpdateJob: &updateJobJSON{
			ID:          s.intID(job.id),
			Type:        namedID{ID: s.intID(2), Name: "Full Update"},
			Start:       s.stamp(job.start),
			End:         s.stamp(job.end),
			Status:      namedID{ID: s.intID(4), Name: "Completed Successfully"},
			extraFields: s.extra("/client/" + p.client + "/fullupdatestatus"),
		},
		TimezoneAbbreviation: zone,
		extraFields:          s.extra("/client/" + p.client + "/fullupdatestatus"),
	})
}
