package magentogen

import "strconv"

// Time line of the warehouse: orders from 2019-01-01 to the end of 2025.
const (
	epoch2019 = 1546300800 // 2019-01-01 00:00:00 UTC
	orderSpan = 220924800  // seconds from 2019-01-01 to 2026-01-01
	day       = 86400
)

// Salts of the per-entity hashes that tables share, so that an order's
// customer has the same name in sales_order and customer_entity.
var (
	saltCustomer = hashName("customer identity")
	saltProduct  = hashName("product identity")
	saltOrder    = hashName("order time")
)

// entityHash is a hash of (seed, kind, id) independent of any row stream.
func entityHash(seed int64, salt uint64, id int64) uint64 {
	return mix64(mix64(uint64(seed)^salt) + uint64(id)*golden)
}

// customerName returns the first and last name of customer id.
func customerName(seed, id int64) (first, last name) {
	h := entityHash(seed, saltCustomer, id)
	return firstNames[h%uint64(len(firstNames))], lastNames[(h>>20)%uint64(len(lastNames))]
}

// appendEmail appends the e-mail address of customer id:
// "first.last123@example.com".
func appendEmail(dst []byte, first, last name, id int64) []byte {
	dst = append(dst, first.ascii...)
	dst = append(dst, '.')
	dst = append(dst, last.ascii...)
	dst = strconv.AppendInt(dst, id, 10)
	return append(dst, "@example.com"...)
}

// orderCreated returns the creation time (seconds since the epoch) of the
// order with 0-based index i. Orders are in time order, from 2019 to 2025,
// and grow in number over time like a growing shop; a small per-order jitter
// keeps the seconds irregular.
func orderCreated(wd *world, i int64) int64 {
	n := uint64(max(wd.orders, 1))
	u := scaleFrac(uint64(min(max(i, 0), int64(n-1))), 1<<32, n) // i/n in units of 2^-32
	s := isqrt(u << 32)                                          // sqrt(i/n), same units
	p := (u + s) / 2
	t := int64(scaleFrac(p, orderSpan, 1<<32))
	slot := max(min(orderSpan/int64(n), 3600), 1)
	return epoch2019 + t + int64(entityHash(wd.seed, saltOrder, i)%uint64(slot))
}

// product is the identity of a catalog product shared by the tables that
// mention it.
type product struct {
	adjective string
	noun      string
	code      string
	price     int64 // in cents
}

// productOf returns product id's identity.
func productOf(seed, id int64) product {
	h := entityHash(seed, saltProduct, id)
	n := productNouns[(h>>8)%uint64(len(productNouns))]
	return product{
		adjective: productAdjectives[h%uint64(len(productAdjectives))],
		noun:      n.noun,
		code:      n.code,
		price:     500 + int64((h>>24)%20000),
	}
}

// appendSKU appends product id's SKU, e.g. "24-MB1234".
func appendSKU(dst []byte, p product, id int64) []byte {
	dst = append(dst, "24-"...)
	dst = append(dst, p.code...)
	return strconv.AppendInt(dst, id, 10)
}

// appendProductName appends the product's display name.
func appendProductName(dst []byte, p product) []byte {
	dst = append(dst, p.adjective...)
	dst = append(dst, ' ')
	return append(dst, p.noun...)
}
