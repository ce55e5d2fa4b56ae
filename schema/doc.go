// Package schema is mbiload's shared vocabulary: the Export API's column
// metadata, the Apache Arrow and PostgreSQL types it maps to, and the rules
// that turn source table and column names into safe PostgreSQL identifiers.
//
// It owns the single mapping from the API's type names (the platform's own
// "Integer", "Decimal", "Whole Number", ... and source-database names such as
// "int(10) unsigned", "decimal(12,4)" or "tinyint(1)") to a [Type], and from a
// [Type] to an Arrow [arrow.DataType] and a PostgreSQL type name. The
// extract, transform and load packages import schema; schema imports nothing
// else from this module.
//
// # Identifiers
//
// [IdentifiersSnake] (the default) turns a source name into lower snake_case:
// letters are lower-cased, every run of characters that are neither letters
// nor digits becomes one underscore, and leading and trailing underscores are
// trimmed (a name that began with an underscore keeps one). A name that would
// start with a digit gets a "_" prefix; an empty result becomes "col_N" (for a
// column at 1-based position N) or "table_ID". Names longer than 63 bytes are
// cut at a rune boundary and given a stable suffix made of "_" and 8 hex
// digits of the SHA-256 of the original name. Collisions inside one table are
// resolved in metadata order: the first keeps the name, later ones get "_2",
// "_3", ... [IdentifiersPreserve] keeps names verbatim (they are always quoted)
// and applies only the length and collision rules.
//
// SQL never pastes a name: identifiers are quoted through
// [github.com/jackc/pgx/v5.Identifier.Sanitize].
package schema
