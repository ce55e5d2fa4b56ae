package transform_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mbiload/mbiload/schema"
	"github.com/mbiload/mbiload/transform"
)

// The pipeline's middle: a downloaded export on disk, opened and decoded
// into Arrow batches that the caller releases.
func Example() {
	ctx := context.Background()
	cols, err := schema.ParseColumns([]byte(`{"columns":[
		{"name":"id","type":"int(10) unsigned","is_primary_key":true,"nullable":false},
		{"name":"name","type":"varchar(255)"},
		{"name":"grand_total","type":"Decimal","precision":12,"scale":4}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	t, err := schema.NewTable("", "sales_order", cols, schema.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	entry, err := transform.OpenZip("testdata/export.zip", transform.ZipLimits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer entry.Close()
	dec, err := transform.NewDecoder(ctx, entry, t, transform.Options{BatchRows: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dec.Close()
	for {
		batch, err := dec.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("batch of", batch.NumRows(), "rows; grand_total:", batch.Column(2))
		batch.Release()
	}
	fmt.Printf("%+v\n", dec.Stats())
	// Output:
	// batch of 2 rows; grand_total: [12.5 (null)]
	// batch of 1 rows; grand_total: [-0.01]
	// {Rows:3 Rejected:0 Lines:5 Bytes:73}
}
