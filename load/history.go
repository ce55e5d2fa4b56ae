package load

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ReadHistory returns the latest entries of the ledger in ledgerSchema,
// newest first, of every target schema (the ledger is shared by them, a
// [Loader] tied to one), creating nothing: ok is false when that schema
// holds no ledger. A non-empty table keeps the loads whose target or
// source table has that name. limit ≤ 0 means 100.
func ReadHistory(ctx context.Context, pool *pgxpool.Pool, ledgerSchema, table string, limit int) (entries []LedgerEntry, ok bool, err error) {
	if limit <= 0 {
		limit = 100
	}
	lg := ledger{schema: ledgerSchema}
	if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", lg.table("loads")).Scan(&ok); err != nil {
		return nil, false, fmt.Errorf("look up the ledger: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	rows, err := pool.Query(ctx, "SELECT "+ledgerColumns+" FROM "+lg.table("loads")+
		" WHERE $1 = '' OR target_table = $1 OR source_table = $1 ORDER BY id DESC LIMIT $2", table, limit)
	if err != nil {
		return nil, true, fmt.Errorf("read load history: %w", err)
	}
	entries, err = pgx.CollectRows(rows, scanLedgerEntry)
	if err != nil {
		return nil, true, fmt.Errorf("read load history: %w", err)
	}
	return entries, true, nil
}
