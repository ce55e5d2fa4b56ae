package pipeline

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/schema"
)

// countingBatches passes a table's batches to the loader and reports the
// running row count to the observer.
type countingBatches struct {
	src   load.Batches
	table string
	obs   Observer
	rows  int64
}

var _ load.Batches = (*countingBatches)(nil)

func (c *countingBatches) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := c.src.Next(ctx)
	if err == nil {
		c.rows += b.NumRows()
		c.obs.Rows(c.table, c.rows)
	}
	return b, err
}

func (c *countingBatches) Rejects() []schema.Reject { return c.src.Rejects() }
