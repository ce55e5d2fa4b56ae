package extract

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/mbiload/mbiload/schema"
)

// Exports lists the raw exports available (GET /export).
func (c *Client) Exports(ctx context.Context) ([]Export, error) {
	var exps []Export
	if err := c.get(ctx, "/export", listDecoder("exports", &exps)); err != nil {
		return nil, fmt.Errorf("list exports: %w", err)
	}
	return exps, nil
}

// Export describes one export (GET /export/{id}/info). An unknown id wraps
// [ErrNotFound].
func (c *Client) Export(ctx context.Context, id schema.ID) (Export, error) {
	path, err := apiPath("export", string(id), "info")
	if err != nil {
		return Export{}, fmt.Errorf("export info: %w", err)
	}
	var exp Export
	if err := c.get(ctx, path, exportDecoder(&exp)); err != nil {
		return Export{}, fmt.Errorf("export %s info: %w", id, err)
	}
	return exp, nil
}

// CopyExport creates a new export with the same parameters as export id
// (POST /export/{id}/copy, with the form field name= when name is not
// empty; the service answers 201). Copying is how an expired export is
// re-created.
func (c *Client) CopyExport(ctx context.Context, id schema.ID, name string) (Export, error) {
	path, err := apiPath("export", string(id), "copy")
	if err != nil {
		return Export{}, fmt.Errorf("copy export: %w", err)
	}
	form := url.Values{}
	if name != "" {
		form.Set("name", name)
	}
	var exp Export
	if err := c.post(ctx, path, form, exportDecoder(&exp)); err != nil {
		return Export{}, fmt.Errorf("copy export %s: %w", id, err)
	}
	return exp, nil
}

// RecreateExport re-creates an expired export and waits for the new one:
// it copies exp and waits for the copy; when the copy itself answers 404 or
// 410 and exp.TableID is known, it exports the table again instead.
func (c *Client) RecreateExport(ctx context.Context, exp Export) (Export, error) {
	fresh, err := c.CopyExport(ctx, exp.ID, "")
	if err != nil {
		if !(errors.Is(err, ErrNotFound) || errors.Is(err, ErrExpired)) || exp.TableID == "" {
			return Export{}, fmt.Errorf("re-create export %s: %w", exp.ID, err)
		}
		c.log.Info("export cannot be copied; exporting its table again",
			"export_id", exp.ID, "table_id", exp.TableID, "error", err)
		if fresh, err = c.CreateTableExport(ctx, exp.TableID); err != nil {
			return Export{}, fmt.Errorf("re-create export %s: %w", exp.ID, err)
		}
	}
	done, err := c.WaitExport(ctx, fresh.ID)
	if err != nil {
		return done, fmt.Errorf("re-create export %s: %w", exp.ID, err)
	}
	return done, nil
}

// exportDecoder decodes an export description, bare or wrapped under
// "export", and insists on an id.
func exportDecoder(exp *Export) func([]byte) error {
	return func(data []byte) error {
		if err := unmarshalItem(data, "export", exp); err != nil {
			return err
		}
		if exp.ID == "" {
			return errors.New("export description has no export_id")
		}
		return nil
	}
}
