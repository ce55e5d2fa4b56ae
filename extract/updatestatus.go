package extract

import (
	"context"
	"fmt"
)

// FullUpdateStatus reports when the warehouse last finished its own update
// cycle (GET /client/{client_id}/fullupdatestatus), so a nightly load can
// wait for fresh data rather than export yesterday's twice.
func (c *Client) FullUpdateStatus(ctx context.Context) (UpdateStatus, error) {
	path, err := c.clientPath("fullupdatestatus")
	if err != nil {
		return UpdateStatus{}, fmt.Errorf("full update status: %w", err)
	}
	var st UpdateStatus
	if err := c.get(ctx, path, itemDecoder("fullupdatestatus", &st)); err != nil {
		return UpdateStatus{}, fmt.Errorf("full update status: %w", err)
	}
	return st, nil
}
