// Package load owns the end of the pipeline: it writes Arrow record batches
// of one table into PostgreSQL through the binary COPY protocol and
// publishes them atomically, keeping a ledger of every load.
//
// # COPY
//
// Rows are encoded straight from the Arrow arrays into PostgreSQL's binary
// COPY format by an io.Reader that pgconn's CopyFrom pulls: one encoder
// function per column, chosen once per batch with the typed array captured,
// so there is no per-value boxing and no text rendering. The reader watches
// the context (a COPY does not unblock a stalled reader) and releases each
// batch once encoded.
//
// # Modes
//
// [ModeReplace] makes the table hold exactly the export, in one
// transaction. The first load creates the table in that transaction
// (invisible until the commit). Later loads create a staging table in the
// ledger schema inside the transaction — so no other session ever sees it
// and a killed process, dropped connection or server restart rolls it back
// with everything else, leaving nothing to clean up — COPY into it (FREEZE),
// build the primary key and re-create the target's indexes and constraints
// on it, ANALYZE it (a quick sample when autovacuum will analyze the
// table fully after the commit anyway), and only then take the ACCESS
// EXCLUSIVE lock for a short publish: rename the old table away, move the
// staging table into place, re-point dependent views (CREATE OR REPLACE
// VIEW from their definitions), copy grants, owner and comments, drop the
// old table and give the indexes their old names. Readers see the old table or the new one,
// never an empty or partial one. A table with dependents a rename cannot
// carry (materialized views, referencing foreign keys, triggers, policies,
// publications, defaults, ...) is refilled in place instead (DELETE and
// INSERT in the same transaction), and [Result] says so and why. The
// refill is MVCC-safe where TRUNCATE is not: a REPEATABLE READ or
// SERIALIZABLE transaction whose snapshot predates the commit reads the
// old rows (after a swap, the new ones: they are COPYed FREEZE), and
// unless a column changes its lock is EXCLUSIVE, so readers are not held
// up. A publish waiting for its lock logs a warning naming the sessions
// holding the table after a few seconds, and at growing intervals.
//
// What a warehouse owner added to the table survives either way: the
// staging table of a swap takes over the old table's NOT NULL columns,
// CHECK constraints (both enforced by the COPY), column collations,
// storage, compression, statistics targets and options, table and TOAST
// storage parameters, access method, constraint and index comments and
// CLUSTER index; additions it cannot take over (a column the export does
// not have, identity columns, inheritance, security labels, indexes in
// another tablespace, ...) make the replace an in-place refill. The values
// of a column a user added are kept row by row: the refill matches old
// and new rows on the table's primary key (or the job's key, when a
// unique constraint covers it) ([MechanismInPlaceKeyed]): a row whose
// key stays keeps them, a new one gets their defaults; [Result.Warnings]
// and the log say so. A table with no such key whose added
// columns hold values is not replaced: [UserColumnsError]
// ([ErrUserColumns]) names the columns. An export
// that breaks a CHECK, foreign key or exclusion constraint fails the load
// with a [ConstraintError] ([ErrConstraint]); nothing is published.
//
// A NOT NULL that mbiload made because the metadata asked for it
// (nullable: false, or the key the load builds) follows the metadata:
// when the metadata stops asking, the load drops it (every mode and
// mechanism; an append or merge then publishes through a staging table
// under the publish lock) and [Result.SchemaChanges] and [Loader.Plan]
// say so. A NOT NULL the owner added stays, and so does one the ledger has
// no record of (a table loaded by an earlier version, or made by hand).
//
// [ModeAppend] adds rows, [ModeMerge] upserts them on a key with the last
// row of a key winning, and [ModeSnapshot] appends each export to
// <table>_history with its export id and time.
//
// # Bad keys
//
// An export whose every row was rejected fails the load
// ([ErrAllRejected]) whatever [Config.MaxBadRows] allows: nothing good
// replaces good data. One with no rows at all publishes an empty table.
//
// A NULL in a key column fails the load with a [*RowError] ([ErrNullKey])
// naming the table, the CSV line (when the source is a [LineSource], as
// transform.Decoder is) and the column: a merge key, the metadata's
// primary key (replace, a first append), or a NOT NULL column of an
// existing target (append, snapshot; [ErrBadValue] outside its primary
// key). It is checked once per batch (the columns' null counts) before the
// batch's rows are encoded, so the server never sees it. A key value the
// export repeats, or an append meets in the table, fails the load with a
// [*KeyError] ([ErrDuplicateKey], the server's SQLSTATE kept) naming the
// table, the key and the value, and the CSV lines of its rows where they
// can be found; never the staging table.
//
// # Citus
//
// On a Citus coordinator, a hash-distributed or reference table stays so
// through every mode, in the load's one distributed transaction: every
// table a load builds next to it is distributed like it and colocated
// with it, so the COPY runs on the workers and the publish on the shards
// (see citus.go and load/README.md). [Config.Distribute] makes the
// tables first loads create distributed or reference tables. Errors name
// the table, the key and the line, never a shard.
//
// # Ledger
//
// [New] only connects and checks the server; [Loader.Setup] creates the
// target and ledger schemas and the ledger tables before a first load, and
// [Loader.Ready] tells a read-only caller (a dry run) whether they exist.
// <ledger>.loads holds one row per load, written in the transaction that
// publishes; a failed load writes a "failed" row afterwards with its
// error, and its rejects go to <ledger>.rejects. A load of the export that
// is already published (same export id, or for a local file the same
// SHA-256, loaded with the same settings: see checkPublished) is skipped
// unless [Config.Force]. Its source_columns records each column's source
// name and, under the key "", the columns the load made NOT NULL from the
// metadata and the load's settings and fingerprint. Loads of the same table are
// serialised by a transaction-scoped advisory lock; row counts are checked
// end to end.
//
// Identifiers are always quoted (schema.Quote) and comment text is a
// quoted literal (schema.QuoteLiteral); values travel as parameters or in
// the COPY stream.
package load
