package load

// Config returns the loader's configuration with its defaults applied.
func (l *Loader) Config() Config { return l.cfg }
