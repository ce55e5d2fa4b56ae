package magentogen

import "errors"

// ErrBadEntryName is returned by [Table.WriteZip] for a zip entry name that
// is empty, absolute or escapes the archive ("../x.csv").
var ErrBadEntryName = errors.New("magentogen: bad zip entry name")
