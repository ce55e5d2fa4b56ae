package localpg

import "errors"

// ErrNoBinaries is returned when initdb or pg_ctl cannot be found.
var ErrNoBinaries = errors.New("localpg: PostgreSQL binaries not found (install them, e.g. apt-get install -y postgresql, or set DATABASE_URL)")
