package extract

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/mbiload/mbiload/schema"
)

// Figures lists the figures available for export (GET /figure).
func (c *Client) Figures(ctx context.Context) ([]Figure, error) {
	var figs []Figure
	decode := func(data []byte) error { return unmarshalReports(data, "figure", &figs) }
	if err := c.get(ctx, "/figure", decode); err != nil {
		return nil, fmt.Errorf("list figures: %w", err)
	}
	return figs, nil
}

// Figure describes one figure (POST /figure/{id}/info). An unknown id wraps
// [ErrNotFound].
func (c *Client) Figure(ctx context.Context, id schema.ID) (Figure, error) {
	var fig Figure
	decode := func(data []byte) error { return unmarshalReport(data, "figure", id, &fig) }
	if err := c.reportInfo(ctx, "figure", id, decode); err != nil {
		return Figure{}, err
	}
	return fig, nil
}

// ExportFigure exports the data behind a figure (POST /figure/{id}/export
// with form fields format=csv|json and, when headers, includeColumnHeaders=1)
// and returns the response body, which the caller must close. SQL-report
// figures refuse json with an error wrapping [ErrBadRequest].
func (c *Client) ExportFigure(ctx context.Context, id schema.ID, format Format, headers bool) (io.ReadCloser, error) {
	return c.exportReport(ctx, "figure", id, format, headers)
}

// Charts lists the cohort-report charts available for export (GET /chart).
func (c *Client) Charts(ctx context.Context) ([]Chart, error) {
	var charts []Chart
	decode := func(data []byte) error { return unmarshalReports(data, "chart", &charts) }
	if err := c.get(ctx, "/chart", decode); err != nil {
		return nil, fmt.Errorf("list charts: %w", err)
	}
	return charts, nil
}

// Chart describes one chart (POST /chart/{id}/info). An unknown id wraps
// [ErrNotFound].
func (c *Client) Chart(ctx context.Context, id schema.ID) (Chart, error) {
	var chart Chart
	decode := func(data []byte) error { return unmarshalReport(data, "chart", id, &chart) }
	if err := c.reportInfo(ctx, "chart", id, decode); err != nil {
		return Chart{}, err
	}
	return chart, nil
}

// ExportChart exports the data behind a chart (POST /chart/{id}/export, form
// fields as for [Client.ExportFigure]) and returns the response body, which
// the caller must close.
func (c *Client) ExportChart(ctx context.Context, id schema.ID, format Format, headers bool) (io.ReadCloser, error) {
	return c.exportReport(ctx, "chart", id, format, headers)
}

func (c *Client) reportInfo(ctx context.Context, kind string, id schema.ID, decode func([]byte) error) error {
	path, err := apiPath(kind, string(id), "info")
	if err != nil {
		return fmt.Errorf("%s info: %w", kind, err)
	}
	if err := c.post(ctx, path, nil, decode); err != nil {
		return fmt.Errorf("%s %s info: %w", kind, id, err)
	}
	return nil
}

func (c *Client) exportReport(ctx context.Context, kind string, id schema.ID, format Format, headers bool) (io.ReadCloser, error) {
	format, err := ParseFormat(string(format))
	if err != nil {
		return nil, fmt.Errorf("export %s %s: %w", kind, id, err)
	}
	path, err := apiPath(kind, string(id), "export")
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", kind, err)
	}
	form := url.Values{"format": {string(format)}}
	if headers {
		form.Set("includeColumnHeaders", "1")
	}
	accept := "text/csv"
	if format == FormatJSON {
		accept = "application/json"
	}
	resp, err := c.stream(ctx, request{method: http.MethodPost, path: path, form: form,
		header: http.Header{"Accept": {accept}}})
	if err != nil {
		return nil, fmt.Errorf("export %s %s: %w", kind, id, err)
	}
	return resp.Body, nil
}
