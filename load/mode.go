package load

import (
	"fmt"
	"strings"
)

// Mode says how a load treats the rows already in the target table.
type Mode string

// The load modes.
const (
	// ModeReplace makes the table hold exactly the export (the default):
	// staged, then published atomically.
	ModeReplace Mode = "replace"
	// ModeAppend adds the export's rows to the table.
	ModeAppend Mode = "append"
	// ModeMerge upserts the export's rows on a key; the last row of the
	// export for a key wins.
	ModeMerge Mode = "merge"
	// ModeSnapshot appends every export to <table>_history with the export
	// id and time in two extra columns, once per export id.
	ModeSnapshot Mode = "snapshot"
)

// ParseMode parses a mode name; "" is [ModeReplace].
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ModeReplace, nil
	case ModeReplace, ModeAppend, ModeMerge, ModeSnapshot:
		return m, nil
	}
	return "", fmt.Errorf("%w: mode %q: want replace, append, merge or snapshot", ErrInvalidJob, s)
}

// accumulates reports whether the mode keeps earlier exports' rows, so that
// loading any export a second time would duplicate it.
func (m Mode) accumulates() bool { return m == ModeAppend || m == ModeSnapshot }
