package magentogen

import "github.com/mbiload/mbiload/schema"

// world holds what every table's generator may refer to: the seed and the
// row counts of all tables, so foreign keys stay within range.
type world struct {
	seed      int64
	orders    int64
	items     int64
	customers int64
	products  int64
	lines     int64
}

// cursor is the per-row context handed to field generators: the row's own
// random stream, its number and the world.
type cursor struct {
	rng
	i  int64
	wd *world
}

// field is one column of a table definition and the function that writes
// its value. R is the table's per-row state, filled by the definition's
// prepare function before the fields are written.
type field[R any] struct {
	col schema.Column
	put func(w *rowWriter, c *cursor, r *R)
}

// tableDef defines one generated table.
type tableDef[R any] struct {
	name    string
	rows    func(wd *world) int64
	prepare func(c *cursor, r *R)
	fields  []field[R]
}

// rowGen generates rows of one table. It holds per-call state, so each
// WriteCSV or Row call makes its own.
type rowGen interface {
	fill(w *rowWriter, i int64)
}

// genState is the rowGen of a tableDef.
type genState[R any] struct {
	def  *tableDef[R]
	wd   *world
	salt uint64
	c    cursor
	r    R
}

var _ rowGen = (*genState[struct{}])(nil)

func (s *genState[R]) fill(w *rowWriter, i int64) {
	s.c = cursor{rng: rowRNG(s.wd.seed, s.salt, i), i: i, wd: s.wd}
	var zero R
	s.r = zero
	if s.def.prepare != nil {
		s.def.prepare(&s.c, &s.r)
	}
	for k := range s.def.fields {
		s.def.fields[k].put(w, &s.c, &s.r)
	}
	w.endRow()
}

// table builds the exported Table of a definition; column ids are assigned
// by the caller.
func (d *tableDef[R]) table(wd *world) *Table {
	cols := make([]schema.Column, len(d.fields))
	for k, f := range d.fields {
		cols[k] = f.col
	}
	salt := hashName(d.name)
	return &Table{
		Name:    d.name,
		Columns: cols,
		Rows:    d.rows(wd),
		newGen: func() rowGen {
			return &genState[R]{def: d, wd: wd, salt: salt}
		},
	}
}

// colOpt adjusts a column's metadata.
type colOpt func(c *schema.Column)

// col returns column metadata named name of type typ.
func col(name, typ string, opts ...colOpt) schema.Column {
	c := schema.Column{Name: name, Type: typ}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func nullFlag(b bool) *schema.Flag {
	f := schema.Flag(b)
	return &f
}

// pk marks a primary-key column (never NULL).
func pk(c *schema.Column) { c.IsPrimaryKey = true; c.Nullable = nullFlag(false) }

// notNull marks a column that never holds NULL.
func notNull(c *schema.Column) { c.Nullable = nullFlag(false) }

// nullable says explicitly that a column may hold NULL (a column without
// the field is nullable too).
func nullable(c *schema.Column) { c.Nullable = nullFlag(true) }

// calculated marks a column the platform computes.
func calculated(c *schema.Column) { c.IsCalculated = true }

// precision sets the metadata's precision and scale fields.
func precision(p, s int) colOpt {
	return func(c *schema.Column) { c.Precision, c.Scale = schema.Count(p), schema.Count(s) }
}
