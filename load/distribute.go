package load

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mbiload/mbiload/schema"
)

// ErrNoCitus is a distribution asked of a database without the Citus
// extension ([Config.Distribute]).
var ErrNoCitus = errors.New("load: the database has no Citus")

// DistributeRule makes the tables a first load creates, whose source
// names match Glob, Citus tables: hash-distributed by Column (a target or
// source column name), colocated with the other tables distributed by a
// column of the same type, or, when Column is "", reference tables. A
// table that exists keeps whatever distribution its owner gave it.
type DistributeRule struct {
	// Glob is a path.Match pattern on the source table's name, matched
	// as it is and case-insensitively.
	Glob string
	// Column is the distribution column; "" makes a reference table.
	Column string
}

// String is the rule as written: GLOB=COLUMN ("sales_*=entity_id") for a
// distribution rule, GLOB ("store") for a reference rule.
func (d DistributeRule) String() string {
	if d.Column == "" {
		return d.Glob
	}
	return d.Glob + "=" + d.Column
}

// describe names the rule in messages.
func (d DistributeRule) describe() string {
	if d.Column == "" {
		return "reference rule " + d.Glob
	}
	return "distribution rule " + d.String()
}

// RuleError is an error about distribution rules ([Config.Distribute]):
// one that is malformed, that does not fit a table, two that match the
// same table, or rules on a database without Citus.
type RuleError struct {
	// Rules are the rules at fault (none for text that is not a rule).
	Rules []DistributeRule
	// Err is the error, naming them; it wraps [ErrInvalidConfig] or
	// [ErrNoCitus].
	Err error
}

// Error returns Err's text.
func (e *RuleError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *RuleError) Unwrap() error { return e.Err }

// ruleErrorf returns a [*RuleError] about rules.
func ruleErrorf(rules []DistributeRule, format string, args ...any) error {
	return &RuleError{Rules: rules, Err: fmt.Errorf(format, args...)}
}

// ParseDistributeRule parses a distribution rule GLOB=COLUMN.
func ParseDistributeRule(s string) (DistributeRule, error) {
	glob, col, ok := strings.Cut(s, "=")
	glob, col = strings.TrimSpace(glob), strings.TrimSpace(col)
	if !ok || glob == "" || col == "" {
		return DistributeRule{}, ruleErrorf(nil, "%w: distribution rule %q: want GLOB=COLUMN (e.g. 'sales_*=entity_id')", ErrInvalidConfig, s)
	}
	d := DistributeRule{Glob: glob, Column: col}
	return d, d.check()
}

// ReferenceRule is the rule making tables whose source names match glob
// reference tables.
func ReferenceRule(glob string) (DistributeRule, error) {
	d := DistributeRule{Glob: strings.TrimSpace(glob)}
	if d.Glob == "" {
		return d, ruleErrorf([]DistributeRule{d}, "%w: reference rule: empty pattern", ErrInvalidConfig)
	}
	return d, d.check()
}

func (d DistributeRule) check() error {
	if _, err := path.Match(d.Glob, ""); err != nil {
		return ruleErrorf([]DistributeRule{d}, "%w: %s: bad pattern: %v", ErrInvalidConfig, d.describe(), err)
	}
	return nil
}

func (d DistributeRule) matches(source string) bool {
	if ok, _ := path.Match(d.Glob, source); ok {
		return true
	}
	ok, _ := path.Match(strings.ToLower(d.Glob), strings.ToLower(source))
	return ok
}

// newDistribution is the distribution the rules give a new table t of a
// load in mode (nil: none matches). A table matched by two rules, a
// column the table does not have, or a key without the column (Citus
// enforces a unique key on each shard only) is an error.
func newDistribution(rules []DistributeRule, t *schema.Table, mode Mode) (*distribution, error) {
	var hit []DistributeRule
	for _, d := range rules {
		if d.matches(t.SourceName) {
			hit = append(hit, d)
		}
	}
	if len(hit) == 0 {
		return nil, nil
	}
	if len(hit) > 1 {
		return nil, ruleErrorf(hit[:2], "%w: table %q matches both %s and %s", ErrInvalidConfig, t.SourceName, hit[0].describe(), hit[1].describe())
	}
	d := hit[0]
	if d.Column == "" {
		return &distribution{kind: DistributionReference}, nil
	}
	k := fieldIndexByName(t, d.Column)
	if k < 0 {
		k = t.FieldIndex(d.Column)
	}
	if k < 0 {
		return nil, ruleErrorf(hit, "%w: %s: table %q has no column %q", ErrInvalidConfig, d.describe(), t.SourceName, d.Column)
	}
	var key []int // the unique key the load builds
	switch mode {
	case ModeReplace, ModeAppend:
		key = t.PrimaryKey()
	case ModeMerge:
		key, _ = mergeKey(Job{Table: t})
	}
	if len(key) > 0 && !slices.Contains(key, k) {
		return nil, ruleErrorf(hit, "%w: %s: the primary key of table %q (%s) does not include %q; Citus needs the distribution column in every unique key: distribute by a key column",
			ErrInvalidConfig, d.describe(), t.SourceName, strings.Join(sourceNames(t, key), ", "), t.Fields[k].Source.Name)
	}
	return &distribution{kind: DistributionHash, column: t.Fields[k].Name}, nil
}

func sourceNames(t *schema.Table, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = t.Fields[i].Source.Name
	}
	return out
}

// distributeStatement is the statement that makes the new table
// (quoted, qualified) d: colocated by default (with the tables
// distributed by a column of the same type and shard count).
func distributeStatement(d *distribution, table string) string {
	if d.kind == DistributionReference {
		return "SELECT create_reference_table(" + schema.QuoteLiteral(table) + ")"
	}
	return "SELECT create_distributed_table(" + schema.QuoteLiteral(table) + ", " + schema.QuoteLiteral(d.column) +
		", colocate_with => 'default')"
}

// DistributionDDL is the statement (with its ";\n") a first load of t in
// mode into pgSchema runs after the CREATE TABLE when rules distribute it,
// "" when none matches, for dry runs and `tables describe --ddl`.
func DistributionDDL(rules []DistributeRule, t *schema.Table, mode Mode, pgSchema string) (string, error) {
	d, err := newDistribution(rules, t, mode)
	if err != nil || d == nil {
		return "", err
	}
	return distributeStatement(d, schema.Quote(pgSchema, TargetTable(t, mode))) + ";\n", nil
}

// createTarget creates the target with the column definitions defs and,
// when [Config.Distribute] says so (r.plan.dist, see readTarget), makes
// it a Citus table while empty, before the COPY, which then runs on the
// workers.
func (r *loadRun) createTarget(ctx context.Context, defs []string) error {
	if err := r.createTable(ctx, r.qtarget, defs, tableOptions{}); err != nil {
		return err
	}
	d := r.plan.dist
	if d == nil {
		return nil
	}
	if _, err := r.tx.Exec(ctx, distributeStatement(d, r.qtarget)); err != nil {
		return fmt.Errorf("make %s %s: %w", r.qtarget, d, citusError(err))
	}
	r.res.Distribution = d.kind
	r.steps.done("distribute")
	return nil
}
