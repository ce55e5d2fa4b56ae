package pipeline

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// countingBatches passes a table's batches to the loader and reports the
// running row count to the observer; it passes on the source's line
// numbers too (load.LineSource).
type countingBatches struct {
	src   load.Batches
	table string
	obs   Observer
	rows  int64
	// check, when set, vets the export's row count (rows read, rejected
	// ones included) at its end, before the loader publishes anything.
	check func(rows int64) error
}

var (
	_ load.LineSource = (*countingBatches)(nil)
	_ load.LineSource = (*transform.Decoder)(nil)
)

func (c *countingBatches) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := c.src.Next(ctx)
	if err == nil {
		c.rows += b.NumRows()
		c.obs.Rows(c.table, c.rows)
	}
	if err == io.EOF && c.check != nil {
		if cerr := c.check(c.rows + int64(len(c.src.Rejects()))); cerr != nil {
			return nil, cerr
		}
	}
	return b, err
}

func (c *countingBatches) Rejects() []schema.Reject { return c.src.Rejects() }

// Line passes on the source's line of row i of the last batch, so that
// the loader's errors name CSV lines.
func (c *countingBatches) Line(i int) int64 {
	if ls, ok := c.src.(load.LineSource); ok {
		return ls.Line(i)
	}
	return 0
}
