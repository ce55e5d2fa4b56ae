package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/pipeline"
)

// TestRunSummaryNoteShort checks that the run summary's NOTE column shows
// a long table error cut short (the whole error is printed once, as the
// command's error), and a short one whole.
func TestRunSummaryNoteShort(t *testing.T) {
	long := "load: " + strings.Repeat("é", 5000)
	tests := []struct {
		name, err string
		wantMax   int
		want      string
	}{
		{name: "short", err: "load: header does not match", wantMax: 400, want: "load: header does not match\n"},
		{name: "long", err: long, wantMax: 400, want: "load: ééé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			env := &appEnv{stdout: &out}
			printRunSummary(env, &pipeline.Report{Tables: []pipeline.TableReport{{Source: "big", Target: "mbi.big", Status: pipeline.StatusFailed, Error: tt.err}}})
			if out.Len() > tt.wantMax {
				t.Errorf("summary: got %d bytes, want at most %d", out.Len(), tt.wantMax)
			}
			if !strings.Contains(out.String(), tt.want) || !strings.Contains(out.String(), "failed") {
				t.Errorf("summary: got %q, want it to hold %q", out.String(), tt.want)
			}
			if !bytes.Equal(bytes.ToValidUTF8(out.Bytes(), nil), out.Bytes()) {
				t.Errorf("summary cut a rune: %q", out.String())
			}
		})
	}
}
