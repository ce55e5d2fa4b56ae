package magentogen

// lineRow is the per-row state of orders_~_line_items-mps.
type lineRow struct {
	order int64
	city  city
}

// lineItems is a table as a warehouse's own transformations name things: a
// hostile table name and hostile column names, among them two that are equal
// after snake-casing ("Ship-To City" and "ship to city").
var lineItems = &tableDef[lineRow]{
	name: "orders_~_line_items-mps",
	rows: func(wd *world) int64 { return wd.lines },
	prepare: func(c *cursor, r *lineRow) {
		if c.wd.orders > 0 {
			r.order = 1 + c.intn(c.wd.orders)
		}
		r.city = pick(&c.rng, cities)
	},
	fields: []field[lineRow]{
		{col("Variant ID [pk]", "Integer", pk), func(w *rowWriter, c *cursor, r *lineRow) {
			w.int(100000 + c.i)
		}},
		{col("_id_of_parent", "Integer"), func(w *rowWriter, c *cursor, r *lineRow) {
			if r.order == 0 {
				w.null()
				return
			}
			w.int(r.order)
		}},
		{col("customer_~_id", "Whole Number", nullable), func(w *rowWriter, c *cursor, r *lineRow) {
			if c.per(150) {
				w.null()
				return
			}
			w.int(1 + c.intn(c.wd.customers))
		}},
		{col("sku", "String"), func(w *rowWriter, c *cursor, r *lineRow) {
			id := 1 + c.intn(c.wd.products)
			w.begin()
			w.buf = appendSKU(w.buf, productOf(c.wd.seed, id), id)
			w.endText()
		}},
		{col("qty", "Integer", notNull), func(w *rowWriter, c *cursor, r *lineRow) {
			w.int(c.between(1, 5))
		}},
		{col("line_total", "Decimal", precision(20, 2)), func(w *rowWriter, c *cursor, r *lineRow) {
			w.dec(c.between(-5000, 250000), 2)
		}},
		{col("Ship-To City", "String"), func(w *rowWriter, c *cursor, r *lineRow) {
			if c.per(50) {
				w.null()
				return
			}
			w.str(r.city.typed)
		}},
		{col("ship to city", "Text (Up to 255 Characters)"), func(w *rowWriter, c *cursor, r *lineRow) {
			switch n := c.intn(100); {
			case n < 10:
				w.null()
			case n < 15:
				w.str("")
			default:
				w.str(r.city.other)
			}
		}},
		{col("fulfilled_on", "date", nullable), func(w *rowWriter, c *cursor, r *lineRow) {
			if c.per(200) {
				w.null()
				return
			}
			w.date(orderCreated(c.wd, max(r.order-1, 0))/day + c.between(0, 7))
		}},
		{col("synced_at", "Date & Time", notNull), func(w *rowWriter, c *cursor, r *lineRow) {
			w.datetime(orderCreated(c.wd, max(r.order-1, 0)) + c.between(3600, 2*day))
		}},
	},
}
