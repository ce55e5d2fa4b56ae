package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/mbiload/mbiload/schema"
)

// A ledger row's source_columns is a JSON object: each target column the
// load wrote, mapped to its source name ({"total": "Total"}), so that a
// later replace can tell mbiload's columns and comments from a user's.
// A successful load also records a sourceMeta under the key "", which no
// column has: {"total": "Total", "": {"not_null": ["id"], "types": {...}}}.
// A version that reads the map as strings only still reads every name.

// ledgerMetaKey is the source_columns key of sourceMeta.
const ledgerMetaKey = ""

// sourceMeta is what source_columns records besides the source names.
type sourceMeta struct {
	// NotNull names the columns NOT NULL by the metadata's doing.
	NotNull []string `json:"not_null"`
	// Load is the load's settings and fingerprint (see jobSettings);
	// rows written before they were recorded have none.
	Load *recordedLoad `json:"load,omitempty"`
	// Types maps each column whose type is mbiload's doing to that type,
	// as format_type spells it (see madeTypes); rows written before it was
	// recorded have none (see lastNames.madeType).
	Types map[string]string `json:"types"`
}

// encodeSourceColumns encodes source_columns for t; notNull, the load's
// settings and the types mbiload made (nil: not recorded) go under
// ledgerMetaKey.
func encodeSourceColumns(t *schema.Table, notNull []string, load *recordedLoad, types map[string]string) []byte {
	m := make(map[string]any, len(t.Fields)+1)
	for _, f := range t.Fields {
		m[cleanText(f.Name)] = cleanName(f.Source.Name)
	}
	if notNull != nil || load != nil || types != nil {
		clean := make(map[string]string, len(types))
		for k, v := range types {
			clean[cleanText(k)] = v
		}
		if types == nil {
			clean = nil
		}
		m[ledgerMetaKey] = sourceMeta{NotNull: notNull, Load: load, Types: clean}
	}
	b, _ := json.Marshal(m)
	return b
}

// lastNames is what the target's latest successful load recorded (empty
// when there was none): the source names of the table and of each column
// it wrote (cols).
type lastNames struct {
	table string
	cols  map[string]string
	// notNull is nil when the load did not record it (a ledger row
	// written before it was, or no load): every NOT NULL then counts as
	// the owner's.
	notNull map[string]bool
	load    *recordedLoad // nil when not recorded
	// types maps the columns whose type the load made to that type; nil
	// when it did not record them (see madeType).
	types map[string]string
}

// madeNotNull reports whether the last load recorded that mbiload's DDL
// made column col NOT NULL from the metadata.
func (n *lastNames) madeNotNull(col string) bool { return n != nil && n.notNull[col] }

// unrecorded reports whether the last load was made by an earlier version
// of mbiload: it recorded source names but not which NOT NULLs it made.
func (n *lastNames) unrecorded() bool { return n != nil && n.notNull == nil && len(n.cols) > 0 }

// parseLastNames decodes a ledger row's source_table and source_columns.
// A damaged entry only loses history: its columns count as a user's.
func parseLastNames(src *string, cols []byte) *lastNames {
	n := &lastNames{cols: map[string]string{}}
	if src != nil {
		n.table = *src
	}
	var raw map[string]json.RawMessage
	if len(cols) == 0 || json.Unmarshal(cols, &raw) != nil {
		return n
	}
	for k, v := range raw {
		if k == ledgerMetaKey {
			var meta sourceMeta
			if json.Unmarshal(v, &meta) == nil && meta.NotNull != nil {
				n.notNull = make(map[string]bool, len(meta.NotNull))
				for _, c := range meta.NotNull {
					n.notNull[c] = true
				}
			}
			if meta.Types != nil {
				n.types = meta.Types
			}
			if meta.Load != nil && meta.Load.Fingerprint != "" {
				n.load = meta.Load
			}
			continue
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			n.cols[k] = s
		}
	}
	return n
}

// lastSuccessSQL selects the source names of the target's ($1, $2)
// latest successful load, as the derived table l.
const lastSuccessSQL = `(SELECT source_table, source_columns, export_id, sha256 FROM %s
 WHERE target_schema = $1 AND target_table = $2 AND status = 'loaded' ORDER BY id DESC LIMIT 1) l`

// readLastNames returns what the target's latest successful load
// recorded (empty when none).
func readLastNames(ctx context.Context, q querier, lg ledger, pgSchema, table string) (*lastNames, error) {
	var src *string
	var cols []byte
	err := q.QueryRow(ctx, "SELECT l.source_table, l.source_columns FROM "+fmt.Sprintf(lastSuccessSQL, lg.table("loads")),
		pgSchema, table).Scan(&src, &cols)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("read the last load's source names: %w", err)
	}
	return parseLastNames(src, cols), nil
}
