package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// Table is one table of the client's data warehouse, from
// GET /client/{client_id}/table.
type Table struct {
	// ID is the table's id, used in the table endpoints' paths.
	ID schema.ID `json:"id"`
	// Name is the table's name as the warehouse shows it (it may hold
	// spaces, quotes, "~" or trailing spaces).
	Name string `json:"name"`
	// RowCount is the row count the service reports, zero when absent.
	RowCount schema.Count `json:"row_count"`
}

// Export describes a raw data export, from GET /export/{id}/info and the
// create and copy calls. Its id is read from "export_id" or, failing that,
// "id".
type Export struct {
	// ID is the export's id.
	ID schema.ID `json:"export_id"`
	// Name is the export's name; the zip's CSV entry is usually
	// "<Name>.csv", but nothing should depend on it.
	Name string `json:"name"`
	// ClientID is the owning client's id.
	ClientID schema.ID `json:"client_id"`
	// TableID is the exported table's id, empty when the service omits it.
	TableID schema.ID `json:"table_id"`
	// Status is Pending, then Completed or Error.
	Status Status `json:"status"`
	// CreatedAt, CompletedAt and ExpiresAt are the export's life cycle, in
	// the account's time zone; zero when absent.
	CreatedAt   Timestamp `json:"created_at"`
	CompletedAt Timestamp `json:"completed_at"`
	ExpiresAt   Timestamp `json:"expires_at"`
	// RowCount is the number of data rows, zero when absent.
	RowCount schema.Count `json:"row_count"`
}

var _ json.Unmarshaler = (*Export)(nil)

// UnmarshalJSON decodes an export description, taking the id from
// "export_id" or, when that is missing, from "id".
func (e *Export) UnmarshalJSON(data []byte) error {
	type plain Export
	var v struct {
		plain
		AltID schema.ID `json:"id"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*e = Export(v.plain)
	if e.ID == "" {
		e.ID = v.AltID
	}
	return nil
}

// Figure is a report figure that can be exported, from GET /figure.
type Figure struct {
	// ID is the figure's id, as the dashboard's "Export Figure" dialogue
	// shows it.
	ID schema.ID `json:"id"`
	// Name is the figure's title.
	Name string `json:"name"`
	// Type is the figure's presentation type, read from the live service's
	// "presentationType" or, failing that, "type" ("visual", "sql", ...);
	// SQL figures export as csv only.
	Type string `json:"type"`
	// OwnerEmail is the e-mail address of the figure's owner, "" when the
	// service omits it.
	OwnerEmail string `json:"ownerEmail,omitempty"`
}

var _ json.Unmarshaler = (*Figure)(nil)

// UnmarshalJSON decodes a figure, taking its type from "presentationType"
// or, when that is missing, from "type".
func (f *Figure) UnmarshalJSON(data []byte) error {
	type plain Figure
	var v struct {
		plain
		PresentationType string `json:"presentationType"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*f = Figure(v.plain)
	if v.PresentationType != "" {
		f.Type = v.PresentationType
	}
	return nil
}

// setMissingID gives the figure id when its answer carried none (a list
// keyed by id).
func (f *Figure) setMissingID(id schema.ID) {
	if f.ID == "" {
		f.ID = id
	}
}

// Chart is a cohort-report chart that can be exported, from GET /chart.
type Chart struct {
	// ID is the chart's id, as the dashboard's "Export Chart" dialogue shows
	// it.
	ID schema.ID `json:"id"`
	// Name is the chart's title.
	Name string `json:"name"`
	// OwnerEmail is the e-mail address of the chart's owner, "" when the
	// service omits it.
	OwnerEmail string `json:"ownerEmail,omitempty"`
}

// setMissingID gives the chart id when its answer carried none.
func (c *Chart) setMissingID(id schema.ID) {
	if c.ID == "" {
		c.ID = id
	}
}

// Format is the output format of a figure or chart export.
type Format string

// The formats figure and chart exports offer. SQL-report figures offer
// [FormatCSV] only.
const (
	FormatCSV  Format = "csv"
	FormatJSON Format = "json"
)

// ParseFormat reads a format name case-insensitively; "" is [FormatCSV].
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "", FormatCSV:
		return FormatCSV, nil
	case FormatJSON:
		return FormatJSON, nil
	default:
		return "", fmt.Errorf("%w: format %q: want csv or json", ErrBadRequest, s)
	}
}

// Named is an id with a display name, as the update-status endpoint nests
// them.
type Named struct {
	// ID is the value's numeric code.
	ID schema.ID `json:"id"`
	// Name is its display text ("Full Update", "Completed Successfully").
	Name string `json:"name"`
}

// UpdateJob is one run of the warehouse's own update cycle.
type UpdateJob struct {
	// ID is the job's id.
	ID schema.ID `json:"id"`
	// Type is the kind of update ("Full Update").
	Type Named `json:"type"`
	// Start and End bound the run, in the account's time zone.
	Start Timestamp `json:"start"`
	End   Timestamp `json:"end"`
	// Status is how the run ended ("Completed Successfully").
	Status Named `json:"status"`
}

// UpdateStatus is the answer of GET /client/{client_id}/fullupdatestatus:
// when the warehouse last finished its update cycle. Either job may be nil.
type UpdateStatus struct {
	// ClientID is the client's id.
	ClientID schema.ID `json:"clientId"`
	// LastCompletedUpdateJob is the last finished update cycle.
	LastCompletedUpdateJob *UpdateJob `json:"lastCompletedUpdateJob"`
	// LastCompletedUpdateJobWithDataSync is the last finished cycle that
	// also synced source data.
	LastCompletedUpdateJobWithDataSync *UpdateJob `json:"lastCompletedUpdateJobWithDataSync"`
	// TimezoneAbbreviation names the account's time zone ("EST"), in which
	// all of the API's timestamps are written.
	TimezoneAbbreviation string `json:"timezoneAbbreviation"`
}

// unmarshalItem decodes one object that the API may send bare or wrapped
// under key ({"export":{...}}). Unknown fields are ignored.
func unmarshalItem(data []byte, key string, dst any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("decode %s: want a JSON object, got %.20q", key, data)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	for k, v := range obj {
		if v = bytes.TrimSpace(v); strings.EqualFold(k, key) && len(v) > 0 && v[0] == '{' {
			data = v
			break
		}
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

// itemDecoder returns a decode function for [unmarshalItem].
func itemDecoder(key string, dst any) func([]byte) error {
	return func(data []byte) error { return unmarshalItem(data, key, dst) }
}
