package load

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MinServerVersion is the oldest PostgreSQL major mbiload runs on, as
// server_version_num counts (14.0 is 140000). Older servers lack what the
// catalog readers and the loads use (pg_attribute.attcompression, among
// others); they are refused before anything is read or written.
const MinServerVersion = 140000

// ErrServerVersion is a PostgreSQL server older than [MinServerVersion].
var ErrServerVersion = errors.New("load: PostgreSQL server too old")

// versionError is the refusal of a server older than MinServerVersion:
// its message is the one users see ("mbiload needs PostgreSQL 14 or
// later; this server is 13.23").
type versionError struct{ version string }

func (e *versionError) Error() string {
	return fmt.Sprintf("mbiload needs PostgreSQL %d or later; this server is %s", MinServerVersion/10000, e.version)
}

func (e *versionError) Unwrap() error { return ErrServerVersion }

// ServerVersion reads the server's version: server_version_num (150020
// for 15.20) and its printed version ("15.20"). It fails with
// [ErrServerVersion] when the server is older than [MinServerVersion].
func ServerVersion(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}) (int, string, error) {
	var num int
	var printed string
	err := q.QueryRow(ctx, "SELECT current_setting('server_version_num')::int, current_setting('server_version')").Scan(&num, &printed)
	if err != nil {
		return 0, "", fmt.Errorf("read the server version: %w", err)
	}
	// "15.18 (Debian 15.18-0+deb12u1)": the version is the first word.
	if f := strings.Fields(printed); len(f) > 0 {
		printed = f[0]
	}
	if num < MinServerVersion {
		return num, printed, &versionError{version: printed}
	}
	return num, printed, nil
}
