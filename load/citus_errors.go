package load

import (
	"errors"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// shardSuffixRE is the "_<shard id>" Citus appends to the names of a
// shard and of its indexes and constraints (shard ids start at 102008).
var shardSuffixRE = regexp.MustCompile(`"([^"]*?)_[0-9]{6,}"`)

// citusCopyFailedRE is the message of a COPY a worker failed (it went
// down, or refused a row without saying why), which names the shard.
var citusCopyFailedRE = regexp.MustCompile(`^failed to COPY to shard [0-9]+ on (.*)$`)

// citusCopyCodes are the SQLSTATEs of a worker's constraint violations
// during a COPY, by the words of their messages.
var citusCopyCodes = []struct{ text, code string }{
	{"violates check constraint", codeCheckViolation},
	{"violates not-null constraint", codeNotNullViolation},
	{"violates foreign key constraint", codeForeignKeyViolate},
	{"violates exclusion constraint", codeExclusionViolation},
}

// citusNullColumnRE finds the column of a NOT NULL violation's message.
var citusNullColumnRE = regexp.MustCompile(`^null value in column "([^"]*)"`)

// citusUniqueRE is the message of a duplicate key a worker refused during
// a COPY.
var citusUniqueRE = regexp.MustCompile(`^duplicate key value violates unique constraint "(.*)"$`)

// citusError takes Citus's internals out of err's server error, in
// place: shard names become the relations' own, the constraint's name is
// filled in from the message (a worker's error comes without it) and a
// constraint violation during a COPY gets its SQLSTATE back (Citus
// re-raises it as XX000). It returns err.
func citusError(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	unshard := func(s string) string { return shardSuffixRE.ReplaceAllString(s, `"$1"`) }
	unshardName := func(s string) string {
		if s == "" {
			return s
		}
		return strings.TrimSuffix(strings.TrimPrefix(unshard(`"`+s+`"`), `"`), `"`)
	}
	pe.Message = unshard(pe.Message)
	pe.Detail = unshard(pe.Detail)
	if m := citusCopyFailedRE.FindStringSubmatch(pe.Message); m != nil {
		pe.Message = "the COPY failed on the worker node " + m[1]
	}
	if m := citusUniqueRE.FindStringSubmatch(pe.Message); m != nil && pe.Code == "XX000" {
		pe.Code = codeUniqueViolation
		pe.ConstraintName = m[1]
	}
	if pe.Code == "XX000" {
		for _, k := range citusCopyCodes {
			if strings.Contains(pe.Message, k.text) {
				pe.Code = k.code
			}
		}
		if m := citusNullColumnRE.FindStringSubmatch(pe.Message); m != nil && pe.Code == codeNotNullViolation {
			pe.ColumnName = m[1]
		}
	}
	if pe.ConstraintName == "" {
		if _, name, ok := strings.Cut(pe.Message, ` constraint "`); ok {
			pe.ConstraintName, _, _ = strings.Cut(name, `"`)
		}
	}
	pe.ConstraintName = unshardName(pe.ConstraintName)
	pe.TableName = unshardName(pe.TableName)
	return err
}
