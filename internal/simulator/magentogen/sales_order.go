package magentogen

import "strconv"

// orderRow is the per-row state of sales_order.
type orderRow struct {
	customer                               int64 // 0 for a guest
	state                                  orderState
	first, last                            name
	created                                int64
	subtotal, tax, shipping, discount, qty int64 // scale 4
}

// salesOrder is Magento's sales_order (formerly sales_flat_order), with a
// calculated column and a column whose name ends in a space.
var salesOrder = &tableDef[orderRow]{
	name: "sales_order",
	rows: func(wd *world) int64 { return wd.orders },
	prepare: func(c *cursor, r *orderRow) {
		if !c.per(150) {
			r.customer = 1 + c.intn(c.wd.customers)
			r.first, r.last = customerName(c.wd.seed, r.customer)
		} else {
			r.first, r.last = pick(&c.rng, firstNames), pick(&c.rng, lastNames)
		}
		r.created = orderCreated(c.wd, c.i)
		r.state = pickState(&c.rng)
		r.qty = c.between(1, 6) * 10000
		cents := c.between(500, 25000)
		if c.per(20) {
			cents *= 10 // the occasional big order
		}
		r.subtotal = cents * 100
		switch c.intn(4) {
		case 0:
		case 1:
			r.tax = cents * 5 / 100 * 100
		case 2:
			r.tax = cents * 825 / 10000 * 100
		default:
			r.tax = cents * 20 / 100 * 100
		}
		switch c.intn(4) {
		case 0:
		case 1:
			r.shipping = 50000
		case 2:
			r.shipping = 99900
		default:
			r.shipping = 150000
		}
		if c.per(300) {
			r.discount = -(cents * c.between(5, 30) / 100 * 100)
		}
	},
	fields: []field[orderRow]{
		{col("entity_id", "int(10) unsigned", pk), func(w *rowWriter, c *cursor, r *orderRow) {
			w.int(c.i + 1)
		}},
		{col("increment_id", "varchar(50)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.begin()
			w.buf = appendIncrementID(w.buf, c.i+1)
			w.endPlain()
		}},
		{col("state", "varchar(32)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.str(r.state.state)
		}},
		{col("status", "varchar(32)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.str(r.state.status)
		}},
		{col("store_id", "smallint(5) unsigned", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.int(1 + c.intn(3)/2)
		}},
		{col("customer_id", "int(10) unsigned", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			if r.customer == 0 {
				w.null()
				return
			}
			w.int(r.customer)
		}},
		{col("customer_is_guest", "tinyint(1)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			if r.customer == 0 {
				w.int(1)
				return
			}
			w.int(0)
		}},
		{col("customer_email", "varchar(128)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.begin()
			id := r.customer
			if id == 0 {
				id = c.i + 1
			}
			w.buf = appendEmail(w.buf, r.first, r.last, id)
			w.endText()
		}},
		{col("customer_firstname", "varchar(128)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.str(r.first.display)
		}},
		{col("customer_lastname", "varchar(128)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.str(r.last.display)
		}},
		{col("order_currency_code", "varchar(3)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.str(pickCurrency(&c.rng))
		}},
		{col("subtotal", "decimal(20,4)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.dec(r.subtotal, 4)
		}},
		{col("tax_amount", "decimal(20,4)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.dec(r.tax, 4)
		}},
		{col("shipping_amount", "decimal(20,4)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.dec(r.shipping, 4)
		}},
		{col("discount_amount", "decimal(20,4)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.dec(r.discount, 4)
		}},
		{col("grand_total", "Decimal", precision(20, 4)), func(w *rowWriter, c *cursor, r *orderRow) {
			w.dec(r.subtotal+r.tax+r.shipping+r.discount, 4)
		}},
		{col("total_qty_ordered", "decimal(12,4)", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			w.dec(r.qty, 4)
		}},
		{col("created_at", "Datetime", notNull), func(w *rowWriter, c *cursor, r *orderRow) {
			w.datetime(r.created)
		}},
		{col("updated_at", "datetime", notNull), func(w *rowWriter, c *cursor, r *orderRow) {
			if c.per(200) {
				w.datetime(r.created)
				return
			}
			w.datetime(r.created + c.between(60, 30*day))
		}},
		{col("customer_note", "text", nullable), func(w *rowWriter, c *cursor, r *orderRow) {
			if !c.per(30) {
				w.null()
				return
			}
			w.str(pick(&c.rng, notes))
		}},
		{col("Order Notes ", "String"), func(w *rowWriter, c *cursor, r *orderRow) {
			switch n := c.intn(100); {
			case n < 85:
				w.null()
			case n < 95:
				w.str("")
			default:
				w.str(pick(&c.rng, orderNotes))
			}
		}},
	},
}

// appendIncrementID appends Magento's zero-padded order number, e.g.
// "000000042".
func appendIncrementID(dst []byte, id int64) []byte {
	for d := int64(100000000); d > id && d > 1; d /= 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, id, 10)
}

func pickState(r *rng) orderState {
	n := r.intn(100)
	for _, s := range states {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return states[0]
}

func pickCurrency(r *rng) string {
	n := r.intn(100)
	for _, c := range currencies {
		if n < c.weight {
			return c.code
		}
		n -= c.weight
	}
	return currencies[0].code
}
