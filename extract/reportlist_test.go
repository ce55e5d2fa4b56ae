package extract

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// TestReportListShapes checks that figure and chart lists are read in
// every shape the live service's clients or the earlier guesses imply: a
// list or an object keyed by id, under figureExports/chartExports, the
// older keys or bare, keeping presentationType and ownerEmail.
func TestReportListShapes(t *testing.T) {
	wantFigs := []Figure{
		{ID: "360531", Name: "Revenue by Month", Type: "visual", OwnerEmail: "ann@example.com"},
		{ID: "360532", Name: "Orders (SQL)", Type: "sql", OwnerEmail: "bob@example.com"},
	}
	figures := func(ctx context.Context, c *Client) (any, error) { return c.Figures(ctx) }
	charts := func(ctx context.Context, c *Client) (any, error) { return c.Charts(ctx) }
	tests := []struct {
		name string
		body string
		call func(ctx context.Context, c *Client) (any, error)
		want any
	}{
		{
			name: "figureExports list",
			body: `{"figureExports":[{"id":360531,"name":"Revenue by Month","presentationType":"visual","ownerEmail":"ann@example.com"},` +
				`{"id":"360532","name":"Orders (SQL)","presentationType":"sql","ownerEmail":"bob@example.com"}]}`,
			call: figures, want: wantFigs,
		},
		{
			name: "figureExports keyed by id, in document order",
			body: `{"figureExports":{"360531":{"id":360531,"name":"Revenue by Month","presentationType":"visual","ownerEmail":"ann@example.com"},` +
				`"360532":{"name":"Orders (SQL)","presentationType":"sql","ownerEmail":"bob@example.com"}}}`,
			call: figures, want: wantFigs,
		},
		{
			name: "keyed by id, bare",
			body: `{"360531":{"name":"Revenue by Month","presentationType":"visual","ownerEmail":"ann@example.com"},` +
				`"360532":{"name":"Orders (SQL)","presentationType":"sql","ownerEmail":"bob@example.com"}}`,
			call: figures, want: wantFigs,
		},
		{
			name: "older figures list with type",
			body: `{"figures":[{"id":360531,"name":"Revenue by Month","type":"visual","ownerEmail":"ann@example.com"},` +
				`{"id":360532,"name":"Orders (SQL)","type":"sql","ownerEmail":"bob@example.com"}]}`,
			call: figures, want: wantFigs,
		},
		{
			name: "older figures keyed by id",
			body: `{"figures":{"360531":{"name":"Revenue by Month","type":"visual","ownerEmail":"ann@example.com"},` +
				`"360532":{"name":"Orders (SQL)","type":"sql","ownerEmail":"bob@example.com"}},"total":2}`,
			call: figures, want: wantFigs,
		},
		{
			name: "bare list",
			body: `[{"id":360531,"name":"Revenue by Month","presentationType":"visual","ownerEmail":"ann@example.com"},` +
				`{"id":360532,"name":"Orders (SQL)","presentationType":"sql","ownerEmail":"bob@example.com"}]`,
			call: figures, want: wantFigs,
		},
		{
			name: "presentationType wins over type",
			body: `{"figureExports":[{"id":1,"name":"a","type":"old","presentationType":"table"}]}`,
			call: figures, want: []Figure{{ID: "1", Name: "a", Type: "table"}},
		},
		{
			name: "figureExports with other fields beside it",
			body: `{"figureExports":{"7":{"name":"a"}},"meta":{"page":1},"links":[]}`,
			call: figures, want: []Figure{{ID: "7", Name: "a"}},
		},
		{name: "null figureExports", body: `{"figureExports":null}`, call: figures, want: []Figure{}},
		{name: "empty keyed object", body: `{"figureExports":{}}`, call: figures, want: []Figure{}},
		{
			name: "chartExports keyed by id",
			body: `{"chartExports":{"2038112":{"name":"Customer cohorts","ownerEmail":"ann@example.com"}}}`,
			call: charts, want: []Chart{{ID: "2038112", Name: "Customer cohorts", OwnerEmail: "ann@example.com"}},
		},
		{
			name: "chartExports list", body: `{"chartExports":[{"id":2038112,"name":"Customer cohorts"}]}`,
			call: charts, want: []Chart{{ID: "2038112", Name: "Customer cohorts"}},
		},
		{
			name: "older charts list", body: `{"charts":[{"id":"2038112","name":"Customer cohorts"}]}`,
			call: charts, want: []Chart{{ID: "2038112", Name: "Customer cohorts"}},
		},
		{
			name: "figure info bare with presentationType",
			body: `{"id":360531,"name":"Revenue by Month","presentationType":"visual","ownerEmail":"ann@example.com"}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Figure(ctx, "360531") },
			want: wantFigs[0],
		},
		{
			name: "figure info under figureExports keyed by id",
			body: `{"figureExports":{"360532":{"name":"Orders (SQL)","presentationType":"sql","ownerEmail":"bob@example.com"}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Figure(ctx, "360532") },
			want: wantFigs[1],
		},
		{
			name: "figure info as a list picks the id asked for",
			body: `{"figureExports":[{"id":1,"name":"x"},{"id":360532,"name":"Orders (SQL)","presentationType":"sql","ownerEmail":"bob@example.com"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Figure(ctx, "360532") },
			want: wantFigs[1],
		},
		{
			name: "figure info wrapped under figureExport",
			body: `{"figureExport":{"id":360531,"name":"Revenue by Month","presentationType":"visual","ownerEmail":"ann@example.com"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Figure(ctx, "360531") },
			want: wantFigs[0],
		},
		{
			name: "figure info keyed by id, bare",
			body: `{"360531":{"name":"Revenue by Month","presentationType":"visual","ownerEmail":"ann@example.com"}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Figure(ctx, "360531") },
			want: wantFigs[0],
		},
		{
			name: "chart info under chartExports",
			body: `{"chartExports":{"2038112":{"name":"Customer cohorts"}}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.Chart(ctx, "2038112") },
			want: Chart{ID: "2038112", Name: "Customer cohorts"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(200, tt.body), nil)
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

// TestReportListRefused checks that answers holding no usable list are
// refused as unusable, naming what was wanted.
func TestReportListRefused(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "two lists, neither known", body: `{"a":[],"b":[]}`},
		{name: "keyed item not an object", body: `{"figureExports":{"1":"x"}}`},
		{name: "scalar body", body: `42`},
		{name: "object of scalars", body: `{"ok":true}`},
		{name: "info with several items and none asked for", body: `{"figureExports":[{"id":1},{"id":2}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := mustEnv(t, reply(200, tt.body), nil)
			var err error
			if tt.name == "info with several items and none asked for" {
				_, err = env.c.Figure(context.Background(), "3")
			} else {
				_, err = env.c.Figures(context.Background())
			}
			if !errors.Is(err, ErrBadResponse) {
				t.Errorf("err: got %v, want %v", err, ErrBadResponse)
			}
		})
	}
}
