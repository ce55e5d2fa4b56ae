package progress

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/internal/testlog"
	"github.com/mbiload/mbiload/pipeline"
)

// TestOutputDivert checks that a log line written while live lines are
// drawn comes out whole, once, above them (not between two redraws), and
// that the output goes straight to its writer again once the display is
// closed, and for a display that draws no live lines.
func TestOutputDivert(t *testing.T) {
	t.Parallel()
	var out testlog.Buffer
	o := NewOutput(&out)
	d, draw := testBars(t, &out)
	o.Divert(d)
	d.Start("table 1", "sales_order")
	d.Stage("table 1", pipeline.StageDownload)
	draw() // with the line live
	if _, err := o.Write([]byte("level=INFO msg=\"while live\"\n")); err != nil {
		t.Fatal(err)
	}
	draw() // the log line above the live lines
	d.Close()
	if _, err := o.Write([]byte("level=INFO msg=\"after close\"\n")); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	// The log line is written on a line of its own, right after the
	// escape that moves the cursor up over the live lines (and erases
	// them): the live lines are drawn again below it.
	if n := strings.Count(text, "msg=\"while live\""); n != 1 {
		t.Fatalf("output: log line %d times, want once: %q", n, text)
	}
	if !regexp.MustCompile(`\x1b\[\d+A\x1b\[Jlevel=INFO msg="while live"\n[^\n]*sales_order`).MatchString(text) {
		t.Errorf("output: got %q, want the log line where the live lines were, and them redrawn below it", text)
	}
	shown := terminalLines(text)
	count := func(prefix string) (n int) {
		for _, l := range shown {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}
	if count("level=INFO msg=\"while live\"") != 1 || count("overall: ") != 1 {
		t.Errorf("terminal: got %q, want the log line and the overall line once each", shown)
	}
	if !strings.HasSuffix(text, "level=INFO msg=\"after close\"\n") {
		t.Errorf("output: got %q, want the line after Close written straight to the writer", text)
	}

	var plainOut testlog.Buffer
	o = NewOutput(&plainOut)
	o.Divert(none{})
	o.Write([]byte("x\n"))
	if plainOut.String() != "x\n" {
		t.Errorf("with no live lines: got %q, want the line written as is", plainOut.String())
	}
}

// TestBarsRowProgress checks that while a table loads its line measures
// rows of the export's row count, not bytes (which were all downloaded
// before the load began), and that its final line says what was loaded.
func TestBarsRowProgress(t *testing.T) {
	t.Parallel()
	var out testlog.Buffer
	d, draw := testBars(t, &out)
	d.Start("table 1", "sales_order")
	d.Stage("table 1", pipeline.StageDownload)
	d.Downloaded("table 1", 4<<20, 4<<20)
	d.ExpectRows("table 1", 1000)
	d.Stage("table 1", pipeline.StageLoad)
	d.Rows("table 1", 250)
	draw()
	mid := out.String()
	// A quarter of a 30-column bar (28 inside the brackets) is filled.
	live := regexp.MustCompile(`sales_order\s+load\s+\[={6,7}>?-{20,22}\] 250/1000 rows, \d+ rows/s`)
	if !live.MatchString(mid) {
		t.Errorf("while loading: got %q, want a quarter-filled bar at 250/1000 rows", mid)
	}
	d.Rows("table 1", 1000)
	d.Done("table 1", pipeline.TableReport{Status: pipeline.StatusLoaded, RowsLoaded: 1000,
		Durations: pipeline.Durations{Total: 2.5}})
	d.Close()
	final := regexp.MustCompile(`^sales_order\s+loaded\s+\[=+\] 1000 rows in 2.5s$`)
	n := 0
	for _, l := range terminalLines(out.String()) {
		if final.MatchString(l) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("final line: %d times in %q, want once", n, terminalLines(out.String()))
	}
}

// cursorUp is the escape mpb writes before a redraw: cursor up n lines,
// erase to the end of the screen.
var cursorUp = regexp.MustCompile(`\x1b\[(\d+)A\x1b\[J`)

// terminalLines returns the lines a terminal shows (its scrollback
// included) after printing out: each redraw erases the lines it moves up
// over.
func terminalLines(out string) []string {
	var lines []string
	for {
		loc := cursorUp.FindStringSubmatchIndex(out)
		text := out
		if loc != nil {
			text = out[:loc[0]]
		}
		lines = append(lines, strings.Split(strings.TrimSuffix(text, "\n"), "\n")...)
		if text == "" {
			lines = lines[:len(lines)-1]
		}
		if loc == nil {
			return lines
		}
		var n int
		fmt.Sscan(out[loc[2]:loc[3]], &n)
		lines = lines[:max(len(lines)-n, 0)]
		out = out[loc[1]:]
	}
}
