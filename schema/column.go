package schema

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Column is one column's metadata as the Export API serves it from
// GET /client/{client_id}/table/{table_id}. Only Name and Type are relied on;
// the other fields are optional and zero when missing.
type Column struct {
	// ID is the column's id in the API.
	ID ID `json:"id,omitempty"`
	// Name is the display name, which is also the CSV header of the column.
	Name string `json:"name"`
	// Type is the type name: the platform's ("Integer", "Decimal", ...) or the
	// source database's ("int(11)", "decimal(12,4)", ...).
	Type string `json:"type"`
	// Precision and Scale describe decimals when the type string does not.
	Precision Count `json:"precision,omitempty"`
	Scale     Count `json:"scale,omitempty"`
	// IsPrimaryKey marks the columns of the table's primary key.
	IsPrimaryKey Flag `json:"is_primary_key,omitempty"`
	// Nullable is nil when the API does not say; a missing value means the
	// column is nullable.
	Nullable *Flag `json:"nullable,omitempty"`
	// IsCalculated marks a column the platform computes.
	IsCalculated Flag `json:"is_calculated,omitempty"`
}

// NotNull reports whether the metadata says the column never holds NULL.
func (c Column) NotNull() bool { return c.Nullable != nil && !bool(*c.Nullable) }

// ParseColumns decodes column metadata in the API's shape: a bare JSON array
// of columns or an object {"columns":[...]}.
func ParseColumns(data []byte) ([]Column, error) {
	var cols []Column
	if err := UnmarshalList(data, "columns", &cols); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadMetadata, err)
	}
	for i, c := range cols {
		if c.Name == "" {
			return nil, fmt.Errorf("%w: column %d has no name", ErrBadMetadata, i+1)
		}
	}
	return cols, nil
}

// maxColumnsBytes caps the column metadata [readColumns] and
// [ReadColumnsFile] read: 32 MiB, room for hundreds of thousands of columns.
// Anything larger is not column metadata (a wrong file, /dev/zero) and is
// refused before it fills the memory.
const maxColumnsBytes = 32 << 20

// readColumns reads column metadata from r (see [ParseColumns]), at most
// [maxColumnsBytes].
func readColumns(r io.Reader) ([]Column, error) {
	data, err := readCapped(r, maxColumnsBytes)
	if err != nil {
		return nil, fmt.Errorf("read column metadata: %w", err)
	}
	return ParseColumns(data)
}

// ReadColumnsFile reads column metadata from a file such as
// "orders.columns.json", at most 32 MiB.
func ReadColumnsFile(path string) ([]Column, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read column metadata: %w", err)
	}
	defer f.Close()
	data, err := readCapped(f, maxColumnsBytes)
	if err != nil {
		return nil, fmt.Errorf("read column metadata %s: %w", path, err)
	}
	cols, err := ParseColumns(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cols, nil
}

// readCapped reads r to its end, failing once it holds more than limit
// bytes.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %d MiB, too large for column metadata (is it the right file?)", ErrBadMetadata, limit>>20)
	}
	return data, nil
}

// MarshalColumns encodes columns in the API's wrapped shape {"columns":[...]}.
func MarshalColumns(cols []Column) ([]byte, error) {
	return json.MarshalIndent(struct {
		Columns []Column `json:"columns"`
	}{cols}, "", " ")
}
