package transform

import "fmt"

// noteKind is a kind of value that was loaded changed to fit its column's
// type: legal in MySQL, without an exact PostgreSQL equivalent.
type noteKind uint8

const (
	// noteOtherInt: a boolean (tinyint(1)) holding an integer other than 0
	// and 1, loaded as true.
	noteOtherInt noteKind = iota
	// noteZeroNull: a zero date loaded as NULL.
	noteZeroNull
	// noteZeroInfinity: a zero date in a NOT NULL column loaded as
	// -infinity.
	noteZeroInfinity
	numNoteKinds
)

var noteText = [numNoteKinds]string{
	noteOtherInt:     "integers other than 0 and 1 loaded as true",
	noteZeroNull:     "MySQL zero dates loaded as NULL",
	noteZeroInfinity: "MySQL zero dates loaded as -infinity (NOT NULL column)",
}

// columnNotes counts a column's changed values of each kind and the line
// of the first.
type columnNotes struct {
	n     [numNoteKinds]int64
	first [numNoteKinds]int64
}

func (cn *columnNotes) add(k noteKind, line int64) {
	if cn.n[k] == 0 {
		cn.first[k] = line
	}
	cn.n[k]++
}

// notes renders the columns' notes, in table order.
func (p *parser) notes() []string {
	var out []string
	for _, c := range p.cols {
		for k := range numNoteKinds {
			if n := c.notes.n[k]; n > 0 {
				out = append(out, fmt.Sprintf("table %q column %q: %d %s (first on line %d)",
					p.t.SourceName, c.name, n, noteText[k], c.notes.first[k]))
			}
		}
	}
	return out
}

// Notes says which values were read changed to fit their column's type
// (a tinyint(1) of 2 read as true, a zero date read as NULL or -infinity),
// one line per column and kind with a count and the first line. It is
// complete once [Decoder.Next] has returned io.EOF, empty before. Values
// of rows rejected for another field may be counted too.
func (d *Decoder) Notes() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.notes...)
}

func (d *Decoder) setNotes(notes []string) {
	d.mu.Lock()
	d.notes = notes
	d.mu.Unlock()
}
