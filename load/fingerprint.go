package load

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A load's fingerprint is what makes two loads the same: the content
// (see contentID) and every setting that shapes the rows written
// (loadSettings). The error budget is not in it: it decides whether a
// load fails, not what a successful one writes. A successful load records
// both in the ledger (see sourceMeta) for checkPublished.

// loadSettings are the settings of a load that shape its rows: the mode,
// the merge key, each column as the metadata and the mapping made it, the
// source time zone and the decoder's settings ([Job.Decode]).
// encoding/json writes map keys sorted, so equal settings encode alike.
type loadSettings struct {
	Mode     Mode              `json:"mode"`
	Key      []string          `json:"key,omitempty"`
	Columns  []settingsColumn  `json:"columns"`
	TimeZone string            `json:"time_zone,omitempty"`
	Decode   map[string]string `json:"decode,omitempty"`
}

// settingsColumn is one column as a load used it.
type settingsColumn struct {
	Source     string `json:"source"`
	SourceType string `json:"source_type"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	PrimaryKey bool   `json:"pk,omitempty"`
	NotNull    bool   `json:"not_null,omitempty"`
}

// recordedLoad is what a successful load records of its settings.
type recordedLoad struct {
	Fingerprint string       `json:"fingerprint"`
	Settings    loadSettings `json:"settings"`
}

// jobSettings returns the settings of job (mode "" is replace) and its
// fingerprint.
func jobSettings(job Job) (recordedLoad, error) {
	m, err := ParseMode(string(job.Mode))
	if err != nil {
		return recordedLoad{}, err
	}
	job.Mode = m
	t := job.Table
	s := loadSettings{Mode: m}
	for k, v := range job.Decode {
		if s.Decode == nil {
			s.Decode = map[string]string{}
		}
		s.Decode[cleanText(k)] = cleanText(v)
	}
	if m == ModeMerge {
		key, err := mergeKey(job)
		if err != nil {
			return recordedLoad{}, err
		}
		s.Key = cleanTexts(fieldNames(t, key))
	}
	for _, f := range t.Fields {
		typ := f.Source.Type
		if f.Source.Precision != 0 || f.Source.Scale != 0 {
			typ += fmt.Sprintf(" (%d,%d)", f.Source.Precision, f.Source.Scale)
		}
		// Cleaned as every string of the ledger is (jsonb holds no NUL).
		s.Columns = append(s.Columns, settingsColumn{Source: cleanName(f.Source.Name), SourceType: cleanText(typ), Name: cleanText(f.Name),
			Type: f.Type.PG(), PrimaryKey: bool(f.Source.IsPrimaryKey), NotNull: f.Source.NotNull()})
	}
	if t.Location != nil {
		s.TimeZone = t.Location.String()
	}
	b, err := json.Marshal(s)
	if err != nil {
		return recordedLoad{}, fmt.Errorf("encode the load's settings: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", contentID(job.ExportID, job.SHA256))
	h.Write(b)
	return recordedLoad{Fingerprint: hex.EncodeToString(h.Sum(nil)), Settings: s}, nil
}

// contentID names what a load loads: its export id, else its file's
// digest.
func contentID(exportID, sha string) string {
	if exportID != "" {
		return "export " + exportID
	}
	return "sha256 " + sha
}

// changes lists, for a message, how the settings now differ from was:
// `time zone (none → Europe/Berlin)`, `column created_at (timestamp
// without time zone → timestamp with time zone)`.
func (now loadSettings) changes(was loadSettings) []string {
	var out []string
	show := func(v string) string {
		if v == "" {
			return "none"
		}
		return v
	}
	if now.Mode != was.Mode {
		out = append(out, fmt.Sprintf("mode (%s → %s)", was.Mode, now.Mode))
	}
	if !slices.Equal(now.Key, was.Key) {
		out = append(out, fmt.Sprintf("merge key (%s → %s)", show(strings.Join(was.Key, ", ")), show(strings.Join(now.Key, ", "))))
	}
	if now.TimeZone != was.TimeZone {
		out = append(out, fmt.Sprintf("source time zone (%s → %s)", show(was.TimeZone), show(now.TimeZone)))
	}
	keys := slices.Concat(slices.Collect(maps.Keys(now.Decode)), slices.Collect(maps.Keys(was.Decode)))
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if a, b := was.Decode[k], now.Decode[k]; a != b {
			out = append(out, fmt.Sprintf("%s (%q → %q)", k, a, b))
		}
	}
	if slices.Equal(now.Columns, was.Columns) {
		return out
	}
	old := make(map[string]settingsColumn, len(was.Columns))
	for _, c := range was.Columns {
		old[c.Source] = c
	}
	var cols []string
	for _, c := range now.Columns {
		o, ok := old[c.Source]
		switch {
		case !ok:
			cols = append(cols, fmt.Sprintf("%q added", c.Source))
		case o != c:
			cols = append(cols, fmt.Sprintf("%q (%s → %s)", c.Source, o.describe(), c.describe()))
		}
		delete(old, c.Source)
	}
	for _, c := range was.Columns {
		if _, gone := old[c.Source]; gone {
			cols = append(cols, fmt.Sprintf("%q removed", c.Source))
		}
	}
	if len(cols) == 0 {
		cols = append(cols, "order")
	}
	if len(cols) > 3 {
		cols = append(cols[:3], fmt.Sprintf("%d more", len(cols)-3))
	}
	return append(out, "columns: "+strings.Join(cols, ", "))
}

// describe is the column as changes shows it.
func (c settingsColumn) describe() string {
	s := c.SourceType + " as " + c.Name + " " + c.Type
	if c.PrimaryKey {
		s += " primary key"
	} else if c.NotNull {
		s += " not null"
	}
	return s
}
