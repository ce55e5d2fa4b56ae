package extract

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestLeniency covers the contract's leniency rules over HTTP: bare arrays
// and wrappers, ids as numbers or strings, unknown fields, status case, and
// any 2xx.
func TestLeniency(t *testing.T) {
	wantTables := []Table{{ID: "3", Name: "a", RowCount: 10}, {ID: "x7", Name: "b"}}
	tests := []struct {
		name   string
		status int
		body   string
		call   func(ctx context.Context, c *Client) (any, error)
		want   any
	}{
		{
			name: "bare array", status: 200, body: `[{"id":3,"name":"a","row_count":10},{"id":"x7","name":"b"}]`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Tables(ctx) }, want: wantTables,
		},
		{
			name: "wrapped", status: 200, body: `{"tables":[{"id":"3","name":"a","row_count":"10"},{"id":"x7","name":"b"}],"total":2}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Tables(ctx) }, want: wantTables,
		},
		{
			name: "wrapped under another key", status: 200, body: `{"data":[{"id":3,"name":"a","row_count":10},{"id":"x7","name":"b"}],"page":1}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Tables(ctx) }, want: wantTables,
		},
		{
			name: "null list", status: 200, body: `{"exports":null}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Exports(ctx) }, want: []Export{},
		},
		{
			name: "unknown fields ignored", status: 200, body: `{"figures":[{"id":1,"name":"f","type":"visual","owner":{"x":1},"tags":[]}],"meta":{}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Figures(ctx) },
			want: []Figure{{ID: "1", Name: "f", Type: "visual"}},
		},
		{
			name: "lowercase status", status: 200, body: `{"export_id":"51","status":"completed"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			want: Export{ID: "51", Status: StatusCompleted},
		},
		{
			name: "uppercase status", status: 200, body: `{"export_id":51,"status":" PENDING "}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			want: Export{ID: "51", Status: StatusPending},
		},
		{
			name: "unknown status kept", status: 200, body: `{"export_id":51,"status":"Queued"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			want: Export{ID: "51", Status: "Queued"},
		},
		{
			name: "id instead of export_id", status: 200, body: `{"id":51,"status":"Error"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			want: Export{ID: "51", Status: StatusError},
		},
		{
			name: "export wrapped", status: 200, body: `{"export":{"export_id":51,"status":"Completed"},"message":"ok"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			want: Export{ID: "51", Status: StatusCompleted},
		},
		{
			name: "missing and null fields are zero", status: 200,
			body: `{"export_id":51,"name":null,"created_at":null,"completed_at":"","row_count":null}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			want: Export{ID: "51"},
		},
		{
			name: "fractional and RFC 3339 timestamps", status: 200,
			body: `{"export_id":51,"created_at":"2026-11-26 02:00:04.250","completed_at":"2026-11-26T02:03:40Z"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Export(ctx, "51") },
			want: Export{ID: "51",
				CreatedAt:   Timestamp{time.Date(2026, 11, 26, 2, 0, 4, 250e6, time.UTC)},
				CompletedAt: Timestamp{time.Date(2026, 11, 26, 2, 3, 40, 0, time.UTC)}},
		},
		{
			name: "create answers 200 instead of 201", status: 200, body: `{"export_id":52,"status":"Pending"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CreateTableExport(ctx, "3") },
			want: Export{ID: "52", Status: StatusPending, TableID: "3", ClientID: "12"},
		},
		{
			name: "create answers 202", status: 202, body: `{"export_id":52}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CreateTableExport(ctx, "3") },
			want: Export{ID: "52", TableID: "3", ClientID: "12"},
		},
		{
			name: "copy answers 200", status: 200, body: `{"export_id":53,"table_id":"3"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.CopyExport(ctx, "51", "") },
			want: Export{ID: "53", TableID: "3"},
		},
		{
			name: "figure info wrapped", status: 200, body: `{"figure":{"id":"9","name":"F"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Figure(ctx, "9") },
			want: Figure{ID: "9", Name: "F"},
		},
		{
			name: "update status with both jobs null", status: 200, body: `{"clientId":"12","lastCompletedUpdateJob":null,"extra":1}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.FullUpdateStatus(ctx) },
			want: UpdateStatus{ClientID: "12"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(tt.status, tt.body), nil)
			got, err := tt.call(context.Background(), env.c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
