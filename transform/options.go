package transform

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Option defaults.
const (
	// DefaultBatchRows is the default [Options.BatchRows]. Memory is about
	// three batches per table in flight; 16,384 rows decode and load as fast
	// as 65,536 (see load/README.md) with a third of the peak memory.
	DefaultBatchRows = 16384
	// DefaultMaxRecordBytes is the default [Options.MaxRecordBytes]: 16 MiB.
	// A record is held up to about ten times over on its way to the server
	// (the scan window, the batch being built, batches in flight, the COPY
	// buffer), so this cap keeps a decode and load under 300 MB.
	DefaultMaxRecordBytes = 16 << 20
	// defaultBatchBytes is the default [Options.BatchBytes]: 32 MiB.
	defaultBatchBytes = 32 << 20
	// maxRejectRecord is how much of a rejected record a [schema.Reject] keeps.
	maxRejectRecord = 4 << 10
)

// ZeroDates values: what becomes of MySQL's zero dates.
const (
	// ZeroDatesNull turns 0000-00-00 and 0000-00-00 00:00:00, and partial
	// zero dates such as 2023-00-10, into NULL, or into -infinity in a NOT
	// NULL column.
	ZeroDatesNull = "null"
	// ZeroDatesError rejects them as bad values.
	ZeroDatesError = "error"
)

// Options configures a [Decoder]. The zero value means the defaults.
type Options struct {
	// BatchRows caps the rows in one batch (default 16384).
	BatchRows int
	// BatchBytes caps the CSV bytes of the records in one batch (default
	// 32 MiB); a batch is cut at whichever cap comes first.
	BatchBytes int
	// NullString is the CSV NULL marker. The default "" means an unquoted
	// empty field is NULL. When set (for example `\N`), only an unquoted
	// field equal to it is NULL and an unquoted empty field is the empty
	// string. A quoted field is never NULL; `""` is always the empty string.
	NullString string
	// MaxBadRows is the error budget: up to this many bad rows are rejected
	// (see [Decoder.Rejects]) instead of failing the decode. The default 0
	// fails on the first bad row. Rejected records are kept in memory, up to
	// 4 KiB each.
	MaxBadRows int
	// ZeroDates is [ZeroDatesNull] (the default) or [ZeroDatesError].
	ZeroDates string
	// MaxRecordBytes caps one record's size (default 16 MiB): a larger
	// record fails the decode with [ErrRecordTooLarge].
	MaxRecordBytes int
	// Allocator allocates the batches' buffers (default
	// memory.DefaultAllocator).
	Allocator memory.Allocator

	geom chunkGeom // tests only: small chunks
}

func (o Options) withDefaults() (Options, error) {
	if o.BatchRows < 0 || o.BatchBytes < 0 || o.MaxBadRows < 0 || o.MaxRecordBytes < 0 {
		return o, fmt.Errorf("%w: BatchRows, BatchBytes, MaxBadRows and MaxRecordBytes must not be negative", ErrInvalidOptions)
	}
	if o.BatchRows == 0 {
		o.BatchRows = DefaultBatchRows
	}
	if o.BatchBytes == 0 {
		o.BatchBytes = defaultBatchBytes
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	switch o.ZeroDates {
	case "":
		o.ZeroDates = ZeroDatesNull
	case ZeroDatesNull, ZeroDatesError:
	default:
		return o, fmt.Errorf("%w: ZeroDates %q: want %q or %q", ErrInvalidOptions, o.ZeroDates, ZeroDatesNull, ZeroDatesError)
	}
	if strings.ContainsAny(o.NullString, "\",\r\n") {
		return o, fmt.Errorf("%w: NullString %q holds a quote, comma or line break", ErrInvalidOptions, o.NullString)
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	return o, nil
}
