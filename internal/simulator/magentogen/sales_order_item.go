package magentogen

// itemRow is the per-row state of sales_order_item.
type itemRow struct {
	order   int64 // 1-based sales_order entity_id
	product int64 // 0 when the product was deleted
	prod    product
	created int64
	qty     int64 // whole units
	price   int64 // cents
}

// salesOrderItem is Magento's sales_order_item: two items per order, with a
// JSON column, a float column and a datetime column that sometimes carries
// fractional seconds.
var salesOrderItem = &tableDef[itemRow]{
	name: "sales_order_item",
	rows: func(wd *world) int64 { return wd.items },
	prepare: func(c *cursor, r *itemRow) {
		r.order = c.i/2 + 1
		r.created = orderCreated(c.wd, r.order-1) + c.between(0, 2)
		pid := 1 + c.intn(c.wd.products)
		r.prod = productOf(c.wd.seed, pid)
		if !c.per(30) {
			r.product = pid
		}
		r.qty = c.between(1, 3)
		r.price = r.prod.price
	},
	fields: []field[itemRow]{
		{col("item_id", "int(10) unsigned", pk), func(w *rowWriter, c *cursor, r *itemRow) {
			w.int(c.i + 1)
		}},
		{col("order_id", "int(10) unsigned", notNull), func(w *rowWriter, c *cursor, r *itemRow) {
			w.int(r.order)
		}},
		{col("parent_item_id", "int(10) unsigned", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			if c.i%2 == 1 && c.per(100) {
				w.int(c.i) // the first item of the same order, a configurable parent
				return
			}
			w.null()
		}},
		{col("store_id", "smallint(5) unsigned", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			w.int(1 + c.intn(3)/2)
		}},
		{col("created_at", "Date & Time", notNull), func(w *rowWriter, c *cursor, r *itemRow) {
			w.datetime(r.created)
		}},
		{col("updated_at", "datetime(6)", notNull), func(w *rowWriter, c *cursor, r *itemRow) {
			t := r.created + c.between(0, 10*day)
			if c.per(500) {
				w.datetimeMicros(t, c.intn(1000000))
				return
			}
			w.datetime(t)
		}},
		{col("product_id", "int(10) unsigned", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			if r.product == 0 {
				w.null()
				return
			}
			w.int(r.product)
		}},
		{col("product_type", "varchar(255)", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			w.str(pick(&c.rng, productTypes))
		}},
		{col("sku", "varchar(255)", notNull), func(w *rowWriter, c *cursor, r *itemRow) {
			w.begin()
			w.buf = appendSKU(w.buf, r.prod, max(r.product, 1))
			w.endText()
		}},
		{col("name", "varchar(255)", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			w.begin()
			w.buf = appendProductName(w.buf, r.prod)
			w.endText()
		}},
		{col("weight", "float", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			if c.per(200) {
				w.null()
				return
			}
			w.float(float64(c.between(1, 5000))/100, 32)
		}},
		{col("qty_ordered", "decimal(12,4)", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			w.dec(r.qty*10000, 4)
		}},
		{col("price", "decimal(20,4)", notNull), func(w *rowWriter, c *cursor, r *itemRow) {
			w.dec(r.price*100, 4)
		}},
		{col("discount_amount", "decimal(20,4)", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			if c.per(700) {
				w.dec(0, 4)
				return
			}
			w.dec(-(r.price*r.qty*c.between(5, 30)/100)*100, 4)
		}},
		{col("tax_percent", "decimal(12,4)", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			w.dec(pick(&c.rng, taxPercents), 4)
		}},
		{col("row_total", "decimal(20,4)", notNull), func(w *rowWriter, c *cursor, r *itemRow) {
			w.dec(r.price*r.qty*100, 4)
		}},
		{col("product_options", "json", nullable), func(w *rowWriter, c *cursor, r *itemRow) {
			if !c.per(100) {
				w.null()
				return
			}
			w.begin()
			w.buf = appendOptions(w.buf, &c.rng, r)
			w.endText()
		}},
	},
}

// taxPercents are tax rates at scale 4.
var taxPercents = []int64{0, 50000, 82500, 200000, 190000}

// appendOptions appends a product_options JSON document, e.g.
// {"info_buyRequest":{"qty":2,"product":17},"options":[{"label":"Size","value":"XS"}]}.
func appendOptions(dst []byte, g *rng, r *itemRow) []byte {
	dst = append(dst, `{"info_buyRequest":{"qty":`...)
	dst = appendDecimal(dst, r.qty, 0)
	dst = append(dst, `,"product":`...)
	if r.product == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = appendDecimal(dst, r.product, 0)
	}
	dst = append(dst, `},"options":[`...)
	for k, n := int64(0), g.intn(3); k < n; k++ {
		if k > 0 {
			dst = append(dst, ',')
		}
		o := pick(g, optionValues)
		dst = append(dst, `{"label":`...)
		dst = append(dst, o.label...)
		dst = append(dst, `,"value":`...)
		dst = append(dst, o.value...)
		dst = append(dst, '}')
	}
	return append(dst, "]}"...)
}
