package simulator

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mbiload/mbiload/schema"
)

// orderStats are the aggregates of sales_order behind the built-in figures
// and charts.
type orderStats struct {
	months   []agg // by month of created_at
	statuses []agg // by status
	cohorts  []agg // by month of each customer's first order
}

// agg is one group of an aggregate; amounts are fixed-point with scale 4.
type agg struct {
	key       string
	orders    int64
	customers int64
	revenue   int64
}

// staticStats stand in when the warehouse has no usable sales_order.
var staticStats = &orderStats{
	months: []agg{
		{key: "2026-01", orders: 412, revenue: 512345600}, {key: "2026-02", orders: 398, revenue: 498120000},
		{key: "2026-03", orders: 455, revenue: 571002500}, {key: "2026-04", orders: 470, revenue: 590870000},
	},
	statuses: []agg{
		{key: "canceled", orders: 61, revenue: 70120000}, {key: "complete", orders: 1502, revenue: 1880000000},
		{key: "pending", orders: 88, revenue: 101200000}, {key: "processing", orders: 84, revenue: 121018100},
	},
	cohorts: []agg{
		{key: "2026-01", customers: 300, orders: 701, revenue: 876000000},
		{key: "2026-02", customers: 250, orders: 520, revenue: 655000000},
		{key: "2026-03", customers: 210, orders: 351, revenue: 455018100},
		{key: "2026-04", customers: 120, orders: 163, revenue: 195320000},
	},
}

// statsColumns are the sales_order columns the aggregates need.
var statsColumns = []string{"created_at", "grand_total", "status", "customer_id"}

// statsLoader returns the table's lazily computed, cached aggregates.
func (s *Server) statsLoader(t *table) func() (*orderStats, error) {
	return sync.OnceValues(func() (*orderStats, error) {
		for _, name := range statsColumns {
			if !slices.ContainsFunc(t.Columns, func(c schema.Column) bool { return c.Name == name }) {
				return staticStats, nil
			}
		}
		pr, pw := io.Pipe()
		go func() {
			bw := bufio.NewWriterSize(pw, 256<<10)
			err := t.WriteCSV(s.ctx, bw)
			if err == nil {
				err = bw.Flush()
			}
			pw.CloseWithError(err)
		}()
		defer pr.Close()
		st, err := aggregateOrders(pr)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", t.Name, err)
		}
		return st, nil
	})
}

// aggregateOrders reads a sales_order CSV and computes its aggregates.
// Rows with an unreadable created_at or grand_total are skipped.
func aggregateOrders(r io.Reader) (*orderStats, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 256<<10))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.TrimPrefix(h, "\uFEFF")] = i
	}
	iCreated, iTotal, iStatus, iCustomer := idx["created_at"], idx["grand_total"], idx["status"], idx["customer_id"]
	months, statuses, cohorts := map[string]*agg{}, map[string]*agg{}, map[string]*agg{}
	type customer struct {
		first   string // interned: a key of months
		orders  int64
		revenue int64
	}
	// Customers are keyed by numeric id when they have one. Keys and kept
	// values are cloned: a record's fields share one string per line.
	byNum, byText := map[int64]*customer{}, map[string]*customer{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read record: %w", err)
		}
		if len(rec) != len(header) || len(rec[iCreated]) < 7 {
			continue
		}
		total, ok := parseFixed(rec[iTotal])
		if !ok {
			continue
		}
		month := add(months, rec[iCreated][:7], total).key
		add(statuses, rec[iStatus], total)
		id := rec[iCustomer]
		if id == "" {
			continue
		}
		var c *customer
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			if c = byNum[n]; c == nil {
				c = &customer{first: month}
				byNum[n] = c
			}
		} else if c = byText[id]; c == nil {
			c = &customer{first: month}
			byText[strings.Clone(id)] = c
		}
		c.first = min(c.first, month)
		c.orders++
		c.revenue += total
	}
	customers := slices.Collect(maps.Values(byNum))
	customers = slices.AppendSeq(customers, maps.Values(byText))
	for _, c := range customers {
		a := cohorts[c.first]
		if a == nil {
			a = &agg{key: c.first}
			cohorts[c.first] = a
		}
		a.customers++
		a.orders += c.orders
		a.revenue += c.revenue
	}
	return &orderStats{months: sorted(months), statuses: sorted(statuses), cohorts: sorted(cohorts)}, nil
}

// add counts an order of amount in the group key and returns the group.
func add(m map[string]*agg, key string, amount int64) *agg {
	a := m[key]
	if a == nil {
		key = strings.Clone(key)
		a = &agg{key: key}
		m[key] = a
	}
	a.orders++
	a.revenue += amount
	return a
}

func sorted(m map[string]*agg) []agg {
	out := make([]agg, 0, len(m))
	for _, a := range m {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b agg) int { return strings.Compare(a.key, b.key) })
	return out
}

// parseFixed parses a decimal such as "-123.45" into a fixed-point integer
// with scale 4, truncating further digits.
func parseFixed(s string) (int64, bool) {
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	if intPart == "" && frac == "" {
		return 0, false
	}
	n := int64(0)
	if intPart != "" {
		v, err := strconv.ParseUint(intPart, 10, 40)
		if err != nil {
			return 0, false
		}
		n = int64(v) * 10000
	}
	frac = (frac + "0000")[:4]
	f, err := strconv.ParseUint(frac, 10, 16)
	if err != nil {
		return 0, false
	}
	n += int64(f)
	if neg {
		n = -n
	}
	return n, true
}
