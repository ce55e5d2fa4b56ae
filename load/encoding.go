package load

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrDatabaseEncoding is a database whose encoding cannot hold the
// exports' text: SQL_ASCII, into which PostgreSQL converts nothing, so the
// first COPY of a table would fail with "conversion between UTF8 and
// SQL_ASCII is not supported".
var ErrDatabaseEncoding = errors.New("load: the database's encoding cannot store UTF-8 text")

// checkEncoding refuses a database that cannot take the loads before
// anything is created or loaded: one whose server encoding is SQL_ASCII.
// The error says how to make one that can. [New] calls it.
func checkEncoding(ctx context.Context, pool *pgxpool.Pool) error {
	var enc, db string
	if err := pool.QueryRow(ctx, "SELECT current_setting('server_encoding'), current_database()").Scan(&enc, &db); err != nil {
		return fmt.Errorf("read the database encoding: %w", err)
	}
	if enc != "SQL_ASCII" {
		return nil
	}
	return fmt.Errorf("%w: database %q has encoding SQL_ASCII (PostgreSQL converts nothing into it); "+
		"create a UTF8 database, e.g. CREATE DATABASE warehouse ENCODING 'UTF8' TEMPLATE template0, "+
		"and point DATABASE_URL at it", ErrDatabaseEncoding, db)
}
