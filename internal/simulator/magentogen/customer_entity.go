package magentogen

// customerRow is the per-row state of customer_entity.
type customerRow struct {
	first, last name
	created     int64
}

// customerEntity is Magento's customer_entity with two calculated columns of
// the platform, one with quotes in its name.
var customerEntity = &tableDef[customerRow]{
	name: "customer_entity",
	rows: func(wd *world) int64 { return wd.customers },
	prepare: func(c *cursor, r *customerRow) {
		r.first, r.last = customerName(c.wd.seed, c.i+1)
		// Customers sign up from mid-2018 on, in id order.
		r.created = epoch2019 - 200*day + int64(scaleFrac(uint64(c.i), orderSpan, uint64(c.wd.customers))) + c.between(0, 3600)
	},
	fields: []field[customerRow]{
		{col("entity_id", "int(10) unsigned", pk), func(w *rowWriter, c *cursor, r *customerRow) {
			w.int(c.i + 1)
		}},
		{col("website_id", "smallint(5) unsigned", nullable), func(w *rowWriter, c *cursor, r *customerRow) {
			w.int(1)
		}},
		{col("email", "varchar(255)", nullable), func(w *rowWriter, c *cursor, r *customerRow) {
			w.begin()
			w.buf = appendEmail(w.buf, r.first, r.last, c.i+1)
			w.endText()
		}},
		{col("group_id", "smallint(5) unsigned", notNull), func(w *rowWriter, c *cursor, r *customerRow) {
			w.int(1 + c.intn(10)/8)
		}},
		{col("store_id", "smallint(5) unsigned", nullable), func(w *rowWriter, c *cursor, r *customerRow) {
			w.int(1 + c.intn(3)/2)
		}},
		{col("created_at", "timestamp", notNull), func(w *rowWriter, c *cursor, r *customerRow) {
			w.datetime(r.created)
		}},
		{col("updated_at", "timestamp", notNull), func(w *rowWriter, c *cursor, r *customerRow) {
			w.datetime(r.created + c.between(0, 400*day))
		}},
		{col("is_active", "smallint(5) unsigned", notNull), func(w *rowWriter, c *cursor, r *customerRow) {
			if c.per(30) {
				w.int(0)
				return
			}
			w.int(1)
		}},
		{col("firstname", "varchar(255)", nullable), func(w *rowWriter, c *cursor, r *customerRow) {
			w.str(r.first.display)
		}},
		{col("lastname", "varchar(255)", nullable), func(w *rowWriter, c *cursor, r *customerRow) {
			w.str(r.last.display)
		}},
		{col("dob", "date", nullable), func(w *rowWriter, c *cursor, r *customerRow) {
			if c.per(600) {
				w.null()
				return
			}
			// Born between 1940 and 2005.
			w.date(c.between(-10957, 12784))
		}},
		{col("gender", "smallint(5) unsigned", nullable), func(w *rowWriter, c *cursor, r *customerRow) {
			if c.per(400) {
				w.null()
				return
			}
			w.int(c.between(1, 3))
		}},
		{col("lifetime_orders", "Whole Number", calculated), func(w *rowWriter, c *cursor, r *customerRow) {
			w.int(c.between(0, 12))
		}},
		{col("Customer's lifetime revenue", "Decimal Number", calculated), func(w *rowWriter, c *cursor, r *customerRow) {
			if c.per(100) {
				w.dec(0, 2)
				return
			}
			w.dec(c.between(500, 2500000), 2)
		}},
		{col(`Customer's first "Showroom_HG" order date`, "Datetime", calculated), func(w *rowWriter, c *cursor, r *customerRow) {
			if !c.per(80) {
				w.null()
				return
			}
			w.datetime(r.created + c.between(day, 300*day))
		}},
	},
}
