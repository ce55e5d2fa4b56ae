package main

import (
	"errors"
	"strings"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/pipeline"
)

// flagAdvice returns, for an error of the libraries (which never name the
// command line), the flags that would change the outcome, as
// " (--flag ...)"; "" when none would. It is added to the command's error
// and, through pipeline.Runner.Advice, to each failed table's.
func flagAdvice(err error) string {
	var pe *pipeline.PatternError
	var ce *load.ColumnError
	var re *load.RuleError
	var ze *pipeline.ZoneError
	var rj *pipeline.RejectsError
	switch {
	case errors.As(err, &re):
		return " (" + ruleFlags(re.Rules) + ")"
	case errors.Is(err, load.ErrAlreadyLoaded):
		return " (--mode replace reloads the table; --force appends anyway)"
	case errors.Is(err, load.ErrKeyNotUnique):
		return " (--key names the merge key; --mode replace)"
	case errors.Is(err, load.ErrNoKey):
		return " (--key names the merge key)"
	case errors.Is(err, load.ErrUserColumns):
		return " (--key names the key; --mode merge or --mode append)"
	case errors.As(err, &ce) && ce.View != "" && ce.Fix == "":
		return " (--mode append)"
	case errors.As(err, &ce) && ce.View == "" && errors.Is(err, load.ErrIncompatibleType):
		return " (--mode replace)"
	case errors.Is(err, extract.ErrInsecureURL):
		return " (--insecure-http)"
	case errors.As(err, &pe) && pe.Exclude:
		return " (--exclude)"
	case errors.As(err, &pe):
		return " (--tables)"
	case errors.Is(err, pipeline.ErrAllExcluded):
		return " (--exclude)"
	case errors.Is(err, pipeline.ErrBackfillMode):
		return " (--mode merge or --mode snapshot)"
	case errors.Is(err, pipeline.ErrTempDirFull):
		return " (--temp-dir or MBILOAD_TEMP_DIR)"
	case errors.As(err, &ze):
		return " (--source-timezone)"
	case errors.As(err, &rj):
		return " (--max-bad-rows)"
	}
	return ""
}

// ruleFlags writes distribution rules as the flags that give them;
// "--distribute" for none (a rule that could not be parsed).
func ruleFlags(rules []load.DistributeRule) string {
	if len(rules) == 0 {
		return "--distribute"
	}
	flags := make([]string, len(rules))
	for i, d := range rules {
		if d.Column == "" {
			flags[i] = "--reference " + d.String()
		} else {
			flags[i] = "--distribute " + d.String()
		}
	}
	return strings.Join(flags, ", ")
}

// advisedError is a command's error with its flag advice (flagAdvice).
type advisedError struct {
	err    error
	advice string
}

func (e advisedError) Error() string { return e.err.Error() + e.advice }
func (e advisedError) Unwrap() error { return e.err }

// withAdvice adds err's flag advice to it, if any.
func withAdvice(err error) error {
	if err == nil {
		return nil
	}
	if a := flagAdvice(err); a != "" {
		return advisedError{err: err, advice: a}
	}
	return err
}
