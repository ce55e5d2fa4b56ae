package pipeline

import "github.com/mbiload/mbiload/transform"

// decodeSettings are the decoder's options that shape the rows, by name,
// for the load's fingerprint (see load.Job.Decode): a file loaded again
// with another NULL marker or zero-date rule is not skipped. The error
// budget and batch sizes are left out: they do not change the rows a
// successful load writes.
func decodeSettings(o transform.Options) map[string]string {
	zd := o.ZeroDates
	if zd == "" {
		zd = transform.ZeroDatesNull
	}
	return map[string]string{"null string": o.NullString, "zero dates": zd}
}
