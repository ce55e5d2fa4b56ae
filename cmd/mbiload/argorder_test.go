package main

import (
	"reflect"
	"strings"
	"testing"
)

// TestInterspersed checks the argument reordering that lets flags follow
// positional arguments.
func TestInterspersed(t *testing.T) {
	app := newApp(nil, nil, nil)
	tests := []struct {
		name string
		args string // split on spaces
		want string
	}{
		{name: "no arguments", args: "mbiload", want: "mbiload"},
		{name: "flags already first", args: "mbiload tables describe --ddl orders", want: "mbiload tables describe --ddl orders"},
		{name: "bool flag after the argument", args: "mbiload tables describe orders --ddl", want: "mbiload tables describe --ddl orders"},
		{name: "several flags after the argument", args: "mbiload tables describe orders --json --identifiers preserve", want: "mbiload tables describe --json --identifiers preserve orders"},
		{name: "value flag after the argument", args: "mbiload exports download 51 -o out.zip", want: "mbiload exports download -o out.zip 51"},
		{name: "value attached with =", args: "mbiload exports download 51 --output=out.zip --no-wait", want: "mbiload exports download --output=out.zip --no-wait 51"},
		{name: "dash is a value, not a flag", args: "mbiload exports download 51 -o -", want: "mbiload exports download -o - 51"},
		{name: "dash as an argument stays", args: "mbiload figures export - --format json", want: "mbiload figures export --format json -"},
		{name: "global flags before the command stay", args: "mbiload --api-url u --log-level debug exports info 51 --json", want: "mbiload --api-url u --log-level debug exports info --json 51"},
		{name: "bool global flag", args: "mbiload --insecure-http tables list --json", want: "mbiload --insecure-http tables list --json"},
		{name: "value that looks like a command", args: "mbiload --client-id tables tables list", want: "mbiload --client-id tables tables list"},
		{name: "everything after -- stays", args: "mbiload localpg --fsync off -- go test -v ./...", want: "mbiload localpg --fsync off -- go test -v ./..."},
		{name: "flag after the argument before --", args: "mbiload localpg -- go test --fsync off", want: "mbiload localpg -- go test --fsync off"},
		{name: "unknown command is left alone", args: "mbiload tabels list --json", want: "mbiload tabels list --json"},
		{name: "unknown flag moves alone", args: "mbiload tables describe orders --bogus x", want: "mbiload tables describe --bogus orders x"},
		{name: "value flag with its value missing stays last", args: "mbiload exports download 51 -o", want: "mbiload exports download 51 -o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := interspersed(app, strings.Split(tt.args, " "))
			if want := strings.Split(tt.want, " "); !reflect.DeepEqual(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
