package progress

import (
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/testlog"
	"github.com/mbiload/mbiload/pipeline"
)

// TestBarsEscapeNames checks that the live display shows a table whose
// name holds terminal escape sequences escaped, as the log does: the raw
// name would set the terminal's title and clear its screen (the display's
// own cursor movements are the only escapes it may write).
func TestBarsEscapeNames(t *testing.T) {
	t.Parallel()
	var out testlog.Buffer
	d, draw := testBars(t, &out)
	const name = "evil\x1b]0;pwned\a\x1b[2J"
	d.Start("k", name)
	d.Stage("k", pipeline.StageDownload)
	d.Downloaded("k", 1<<20, 2<<20)
	draw() // with the table in flight
	d.Done("k", pipeline.TableReport{Status: pipeline.StatusLoaded})
	d.Close()
	text := out.String()
	if !strings.Contains(text, `evil\x1b]0;pwned\a\x1b[2J`) {
		t.Errorf("output does not show the escaped name: %q", text)
	}
	for _, raw := range []string{"\x1b]0;", "\a", "\x1b[2J"} {
		if strings.Contains(text, raw) {
			t.Errorf("output holds the raw sequence %q: %q", raw, text)
		}
	}
}
