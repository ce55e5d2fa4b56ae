package main

import (
	"io"
	"slices"
	"testing"
)

func TestInterspersedMovesGlobalFlags(t *testing.T) {
	app := newApp(nil, io.Discard, io.Discard)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"global after command", []string{"mbiload", "sync", "--database-url", "postgres://x", "--dry-run"},
			[]string{"mbiload", "--database-url", "postgres://x", "sync", "--dry-run"}},
		{"global after positional", []string{"mbiload", "tables", "describe", "orders", "--client-id", "12", "--ddl"},
			[]string{"mbiload", "--client-id", "12", "tables", "describe", "--ddl", "orders"}},
		{"global with =", []string{"mbiload", "tables", "list", "--schema=x"},
			[]string{"mbiload", "--schema=x", "tables", "list"}},
		{"command flag shadows nothing global", []string{"mbiload", "sync", "--tables", "a"},
			[]string{"mbiload", "sync", "--tables", "a"}},
		{"global before command untouched", []string{"mbiload", "--log-level", "debug", "sync"},
			[]string{"mbiload", "--log-level", "debug", "sync"}},
		{"after -- untouched", []string{"mbiload", "localpg", "--", "go", "test", "--schema", "x"},
			[]string{"mbiload", "localpg", "--", "go", "test", "--schema", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := interspersed(app, tt.args); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
