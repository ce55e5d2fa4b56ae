package load

import (
	"errors"
	"fmt"

	"github.com/mbiload/mbiload/schema"
)

// ErrAllRejected is an export whose every row was rejected: a load that
// has nothing good to publish fails, whatever the error budget
// ([Config.MaxBadRows]) allowed, and the table keeps its rows. (An export
// with no rows at all is not this: it publishes an empty table, see
// load/README.md.)
var ErrAllRejected = errors.New("load: every row of the export was rejected")

// allRejected is the error of a load whose source yielded no good row but
// rejected some: it names how many and the first.
func allRejected(rejects []schema.Reject) error {
	if len(rejects) == 0 {
		return nil
	}
	return fmt.Errorf("%w (%d rows; first: line %d: %s); nothing was published",
		ErrAllRejected, len(rejects), rejects[0].Line, rejects[0].Reason)
}
