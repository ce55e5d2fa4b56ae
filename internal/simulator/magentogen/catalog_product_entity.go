package magentogen

// productRow is the per-row state of catalog_product_entity.
type productRow struct {
	prod    product
	created int64
}

// catalogProductEntity is Magento's catalog_product_entity with the name,
// price and description attributes flattened in, as a warehouse holds it.
// Descriptions carry HTML with LF and CRLF line breaks.
var catalogProductEntity = &tableDef[productRow]{
	name: "catalog_product_entity",
	rows: func(wd *world) int64 { return wd.products },
	prepare: func(c *cursor, r *productRow) {
		r.prod = productOf(c.wd.seed, c.i+1)
		r.created = epoch2019 - 365*day + int64(scaleFrac(uint64(c.i), orderSpan, uint64(c.wd.products))) + c.between(0, day)
	},
	fields: []field[productRow]{
		{col("entity_id", "int(10) unsigned", pk), func(w *rowWriter, c *cursor, r *productRow) {
			w.int(c.i + 1)
		}},
		{col("attribute_set_id", "smallint(5) unsigned", notNull), func(w *rowWriter, c *cursor, r *productRow) {
			w.int(c.between(4, 24))
		}},
		{col("type_id", "varchar(32)", notNull), func(w *rowWriter, c *cursor, r *productRow) {
			w.str(pick(&c.rng, productTypes))
		}},
		{col("sku", "varchar(64)", notNull), func(w *rowWriter, c *cursor, r *productRow) {
			w.begin()
			w.buf = appendSKU(w.buf, r.prod, c.i+1)
			w.endText()
		}},
		{col("name", "Text (Up to 255 Characters)"), func(w *rowWriter, c *cursor, r *productRow) {
			w.begin()
			w.buf = appendProductName(w.buf, r.prod)
			w.endText()
		}},
		{col("price", "Decimal Number", precision(12, 4)), func(w *rowWriter, c *cursor, r *productRow) {
			w.dec(r.prod.price*100, 4)
		}},
		{col("has_options", "smallint(6)", notNull), func(w *rowWriter, c *cursor, r *productRow) {
			w.int(c.intn(2))
		}},
		{col("required_options", "smallint(5) unsigned", notNull), func(w *rowWriter, c *cursor, r *productRow) {
			w.int(c.intn(4) / 3)
		}},
		{col("weight", "float", nullable), func(w *rowWriter, c *cursor, r *productRow) {
			if c.per(150) {
				w.null()
				return
			}
			w.float(float64(c.between(1, 20000))/100, 32)
		}},
		{col("rating_summary", "double", nullable), func(w *rowWriter, c *cursor, r *productRow) {
			if c.per(250) {
				w.null()
				return
			}
			w.float(float64(c.between(0, 100000))/1000, 64)
		}},
		{col("description", "text", nullable), func(w *rowWriter, c *cursor, r *productRow) {
			if c.per(100) {
				w.null()
				return
			}
			w.str(pick(&c.rng, descriptions))
		}},
		{col("news_from_date", "date", nullable), func(w *rowWriter, c *cursor, r *productRow) {
			if !c.per(300) {
				w.null()
				return
			}
			w.date(r.created/day + c.between(0, 60))
		}},
		{col("created_at", "timestamp", notNull), func(w *rowWriter, c *cursor, r *productRow) {
			w.datetime(r.created)
		}},
		{col("updated_at", "Date & Time", notNull), func(w *rowWriter, c *cursor, r *productRow) {
			w.datetime(r.created + c.between(0, 700*day))
		}},
	},
}
