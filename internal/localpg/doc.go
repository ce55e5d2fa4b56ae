// Package localpg starts a throwaway PostgreSQL server from the binaries
// installed on the machine (initdb, pg_ctl, postgres), for the demo, the test
// suite and the benchmarks when no DATABASE_URL is given.
//
// The server lives in a fresh directory, listens on 127.0.0.1 on a free port
// with trust authentication (loopback only, throwaway data), and is stopped
// and deleted by [Server.Stop]. PostgreSQL refuses to run as root, so when the
// caller is root the directory is handed to the "postgres" user and every
// command runs through `runuser -u postgres --`.
//
// Options.BinDir, or else the environment variable MBILOAD_PG_BIN, names the
// directory of the binaries to run (any PostgreSQL version). Without either,
// binaries are looked up on PATH first, then in /usr/lib/postgresql/*/bin
// (where Debian's packages put them), newest version first.
package localpg
