package schema

// Reject is a CSV record refused by the decoder while an error budget
// allowed it: the transform stage collects rejects instead of failing, and the
// load stage stores them in the ledger's reject table. Rejected records never
// reach a record batch.
type Reject struct {
	// Line is the physical line number (1-based, the header is line 1) where
	// the record starts in the CSV.
	Line int64
	// Column is the source name of the column at fault, or "" when the record
	// as a whole is at fault (for example a wrong number of fields).
	Column string
	// Record is the raw record as it appeared in the CSV, without its line
	// terminator (shortened to a bounded size by the producer).
	Record string
	// Reason says what is wrong, e.g. `value "12x" is not an integer`.
	Reason string
}
