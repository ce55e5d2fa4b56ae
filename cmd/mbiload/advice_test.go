package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/extract"
	"github.com/mbiload/mbiload/load"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
)

// TestFlagAdvice checks the flags the CLI adds to the libraries' errors,
// found through wrapping as the commands meet them.
func TestFlagAdvice(t *testing.T) {
	_, ruleErr := load.ParseDistributeRule("sales_*")
	_, refErr := load.ReferenceRule("[")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "already appended", err: fmt.Errorf("append items: %w", load.ErrAlreadyLoaded), want: " (--mode replace reloads the table; --force appends anyway)"},
		{name: "key not unique", err: fmt.Errorf("merge nk: %w", load.ErrKeyNotUnique), want: " (--key names the merge key; --mode replace)"},
		{name: "no key", err: fmt.Errorf("%w: table has none", load.ErrNoKey), want: " (--key names the merge key)"},
		{name: "user columns", err: &load.UserColumnsError{Table: "t", Columns: []string{"note"}}, want: " (--key names the key; --mode merge or --mode append)"},
		{name: "retyped column", err: &load.ColumnError{Column: "n", Detail: "text cannot become integer", Err: load.ErrIncompatibleType}, want: " (--mode replace)"},
		{name: "view on a changed column", err: &load.ColumnError{Column: "n", View: "v", Err: load.ErrDependentView}, want: " (--mode append)"},
		{name: "view with its own fix", err: &load.ColumnError{Column: "n", View: "v", Fix: "drop the view", Err: load.ErrDependentView}},
		{name: "unparsable distribution rule", err: ruleErr, want: " (--distribute)"},
		{name: "bad reference rule", err: refErr, want: " (--reference [)"},
		{name: "two rules", err: fmt.Errorf("load t: %w", &load.RuleError{Rules: []load.DistributeRule{{Glob: "s*", Column: "id"}, {Glob: "sales"}}, Err: load.ErrInvalidConfig}),
			want: " (--distribute s*=id, --reference sales)"},
		{name: "plain http", err: fmt.Errorf("client: %w", extract.ErrInsecureURL), want: " (--insecure-http)"},
		{name: "tables pattern", err: &pipeline.PatternError{Pattern: "x", Err: pipeline.ErrNoTables}, want: " (--tables)"},
		{name: "exclude pattern", err: &pipeline.PatternError{Exclude: true, Pattern: "[", Err: errors.New("syntax error in pattern")}, want: " (--exclude)"},
		{name: "all excluded", err: pipeline.ErrAllExcluded, want: " (--exclude)"},
		{name: "backfill mode", err: fmt.Errorf("backfill: %w, not replace", pipeline.ErrBackfillMode), want: " (--mode merge or --mode snapshot)"},
		{name: "temp dir full", err: fmt.Errorf("download: no space (%w: /tmp)", pipeline.ErrTempDirFull), want: " (--temp-dir or MBILOAD_TEMP_DIR)"},
		{name: "account's zone", err: &pipeline.ZoneError{Abbr: "EST"}, want: " (--source-timezone)"},
		{name: "rows rejected", err: &pipeline.RejectsError{Table: "t", Rejects: []schema.Reject{{Line: 2}}, Budget: 1}, want: " (--max-bad-rows)"},
		{name: "other", err: errors.New("connection refused")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("the library returned no error")
			}
			if got := flagAdvice(tt.err); got != tt.want {
				t.Errorf("flagAdvice(%v) = %q, want %q", tt.err, got, tt.want)
			}
			got := withAdvice(tt.err)
			if got.Error() != tt.err.Error()+tt.want || !errors.Is(got, tt.err) {
				t.Errorf("withAdvice: got %q, want %q wrapping the error", got, tt.err.Error()+tt.want)
			}
		})
	}
}

// TestLibraryErrorsNameNoFlags checks that no error the libraries build
// (errors.New, fmt.Errorf and load's ruleErrorf) names a command-line
// flag: the CLI adds them (flagAdvice).
func TestLibraryErrorsNameNoFlags(t *testing.T) {
	flag := regexp.MustCompile(`(^|[^-\w])--[a-z]`)
	builders := map[string]bool{"errors.New": true, "fmt.Errorf": true, "ruleErrorf": true}
	var checked int
	for _, dir := range []string{"extract", "transform", "load", "pipeline", "schema"} {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || !builders[string(src[call.Fun.Pos()-1:call.Fun.End()-1])] {
					return true
				}
				checked++
				ast.Inspect(call, func(n ast.Node) bool {
					if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil && flag.MatchString(s) {
							t.Errorf("%s: an error names a flag: %s", fset.Position(lit.Pos()), lit.Value)
						}
					}
					return true
				})
				return true
			})
		}
	}
	if checked < 200 {
		t.Errorf("checked %d error constructors, want the libraries' hundreds", checked)
	}
}
