package extract

import (
	"context"
	"fmt"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// Tables lists the tables of the client's data warehouse
// (GET /client/{client_id}/table).
func (c *Client) Tables(ctx context.Context) ([]Table, error) {
	path, err := c.clientPath("table")
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []Table
	if err := c.get(ctx, path, listDecoder("tables", &tables)); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return tables, nil
}

// FindTable finds a table by id or name. An exact id match wins, then an
// exact name match, then a case-insensitive match of the names with
// surrounding spaces trimmed. No match wraps [ErrNotFound]; several matches
// at the deciding step wrap [ErrAmbiguousTable] and list the candidates.
func (c *Client) FindTable(ctx context.Context, ref string) (Table, error) {
	tables, err := c.Tables(ctx)
	if err != nil {
		return Table{}, fmt.Errorf("find table %q: %w", ref, err)
	}
	return matchTable(tables, ref)
}

func matchTable(tables []Table, ref string) (Table, error) {
	rules := []func(Table) bool{
		func(t Table) bool { return string(t.ID) == ref },
		func(t Table) bool { return t.Name == ref },
		func(t Table) bool { return strings.EqualFold(strings.TrimSpace(t.Name), strings.TrimSpace(ref)) },
	}
	for _, match := range rules {
		var found []Table
		for _, t := range tables {
			if match(t) {
				found = append(found, t)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			names := make([]string, len(found))
			for i, t := range found {
				names[i] = fmt.Sprintf("%q (id %s)", t.Name, t.ID)
			}
			return Table{}, fmt.Errorf("find table %q: %w: it matches %s; name the table by id",
				ref, ErrAmbiguousTable, strings.Join(names, ", "))
		}
	}
	return Table{}, fmt.Errorf("find table %q: %w: no table has that id or name", ref, ErrNotFound)
}

// Columns returns a table's column metadata
// (GET /client/{client_id}/table/{table_id}).
func (c *Client) Columns(ctx context.Context, tableID schema.ID) ([]schema.Column, error) {
	path, err := c.clientPath("table", string(tableID))
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", tableID, err)
	}
	var cols []schema.Column
	err = c.get(ctx, path, func(data []byte) error {
		cols, err = schema.ParseColumns(data)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", tableID, err)
	}
	return cols, nil
}

// MaxExportRows is the vendor's documented cap on the rows of one raw table
// export ("exports are capped at 10 million rows").
const MaxExportRows = 10_000_000

// CreateTableExport starts a raw export of a whole table
// (POST /client/{client_id}/table/{table_id}/export with an empty form body;
// the service answers 201). The returned description is usually Pending; see
// [Client.WaitExport]. Exports are capped at [MaxExportRows] rows by the service.
func (c *Client) CreateTableExport(ctx context.Context, tableID schema.ID) (Export, error) {
	path, err := c.clientPath("table", string(tableID), "export")
	if err != nil {
		return Export{}, fmt.Errorf("export table %s: %w", tableID, err)
	}
	var exp Export
	if err := c.post(ctx, path, nil, exportDecoder(&exp)); err != nil {
		return Export{}, fmt.Errorf("export table %s: %w", tableID, err)
	}
	if exp.TableID == "" {
		exp.TableID = tableID
	}
	if exp.ClientID == "" {
		exp.ClientID = schema.ID(c.cfg.ClientID)
	}
	return exp, nil
}
