package transform

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/mbiload/mbiload/schema"
)

// column accumulates one batch's values of one table field straight into
// allocator-owned buffers, which become the batch's Arrow array.
type column struct {
	name    string // source name
	typ     schema.Type
	dtype   arrow.DataType
	notNull bool
	width   int  // bytes per value of a fixed-width type; 0 for bool and strings
	varlen  bool // string: int32 offsets + data
	bits    bool // bool: values are a bitmap

	mem   memory.Allocator
	valid *memory.Buffer
	data  *memory.Buffer
	offs  *memory.Buffer
	vb    []byte // valid.Buf()
	db    []byte // data.Buf()
	ob    []byte // offs.Buf()
	n     int    // values in this batch
	nulls int
	dlen  int // string bytes used in db

	hintRows  int // capacity to reserve at the start of a batch
	hintBytes int
}

func newColumn(f schema.Field, dtype arrow.DataType, mem memory.Allocator) *column {
	c := &column{
		name: f.Source.Name, typ: f.Type, dtype: dtype, notNull: f.Source.NotNull(),
		mem: mem, hintRows: 1024, hintBytes: 16 << 10,
	}
	switch dt := dtype.(type) {
	case *arrow.StringType:
		c.varlen = true
	case *arrow.BooleanType:
		c.bits = true
	case arrow.FixedWidthDataType:
		c.width = dt.BitWidth() / 8
	}
	return c
}

// start allocates the buffers of a new batch.
func (c *column) start() {
	c.n, c.nulls, c.dlen = 0, 0, 0
	c.valid = memory.NewResizableBuffer(c.mem)
	c.valid.Reserve(c.hintRows/8 + 1)
	c.vb = c.valid.Buf()
	c.data = memory.NewResizableBuffer(c.mem)
	switch {
	case c.varlen:
		c.data.Reserve(c.hintBytes)
		c.offs = memory.NewResizableBuffer(c.mem)
		c.offs.Reserve(4 * (c.hintRows + 1))
		c.ob = c.offs.Buf()
		binary.LittleEndian.PutUint32(c.ob, 0)
	case c.bits:
		c.data.Reserve(c.hintRows/8 + 1)
	default:
		c.data.Reserve(c.hintRows * c.width)
	}
	c.db = c.data.Buf()
}

// release frees the batch's buffers (after an error or on Close).
func (c *column) release() {
	for _, b := range []**memory.Buffer{&c.valid, &c.data, &c.offs} {
		if *b != nil {
			(*b).Release()
			*b = nil
		}
	}
	c.vb, c.db, c.ob = nil, nil, nil
}

// grow makes room for one more value (and extra string bytes).
func (c *column) grow(extra int) {
	if c.n/8 >= len(c.vb) {
		c.valid.Reserve(2 * len(c.vb))
		c.vb = c.valid.Buf()
	}
	switch {
	case c.varlen:
		if 4*(c.n+2) > len(c.ob) {
			c.offs.Reserve(2 * len(c.ob))
			c.ob = c.offs.Buf()
		}
		if c.dlen+extra > len(c.db) {
			c.data.Reserve(max(2*len(c.db), c.dlen+extra))
			c.db = c.data.Buf()
		}
	case c.bits:
		if c.n/8 >= len(c.db) {
			c.data.Reserve(2 * len(c.db))
			c.db = c.data.Buf()
		}
	default:
		if (c.n+1)*c.width > len(c.db) {
			c.data.Reserve(2 * len(c.db))
			c.db = c.data.Buf()
		}
	}
}

// setValid marks value n present or null, zeroing each bitmap byte as it
// is first touched (allocators need not return zeroed memory).
func (c *column) setValid(ok bool) {
	i := c.n
	if i&7 == 0 {
		c.vb[i>>3] = 0
	}
	if ok {
		c.vb[i>>3] |= 1 << (i & 7)
	} else {
		c.vb[i>>3] &^= 1 << (i & 7)
		c.nulls++
	}
}

func (c *column) appendNull() {
	c.grow(0)
	c.setValid(false)
	switch {
	case c.varlen:
		binary.LittleEndian.PutUint32(c.ob[4*(c.n+1):], uint32(c.dlen))
	case c.bits:
		if c.n&7 == 0 {
			c.db[c.n>>3] = 0
		}
		c.db[c.n>>3] &^= 1 << (c.n & 7)
	default:
		clear(c.db[c.n*c.width : (c.n+1)*c.width])
	}
	c.n++
}

func (c *column) appendBytes(v []byte) {
	c.grow(len(v))
	c.setValid(true)
	c.dlen += copy(c.db[c.dlen:], v)
	binary.LittleEndian.PutUint32(c.ob[4*(c.n+1):], uint32(c.dlen))
	c.n++
}

func (c *column) appendBool(v bool) {
	c.grow(0)
	c.setValid(true)
	i := c.n
	if i&7 == 0 {
		c.db[i>>3] = 0
	}
	if v {
		c.db[i>>3] |= 1 << (i & 7)
	} else {
		c.db[i>>3] &^= 1 << (i & 7)
	}
	c.n++
}

func (c *column) appendInt16(v int16) {
	c.grow(0)
	c.setValid(true)
	binary.LittleEndian.PutUint16(c.db[2*c.n:], uint16(v))
	c.n++
}

func (c *column) appendInt32(v int32) {
	c.grow(0)
	c.setValid(true)
	binary.LittleEndian.PutUint32(c.db[4*c.n:], uint32(v))
	c.n++
}

func (c *column) appendInt64(v int64) {
	c.grow(0)
	c.setValid(true)
	binary.LittleEndian.PutUint64(c.db[8*c.n:], uint64(v))
	c.n++
}

// appendWords appends a little-endian multi-word integer (decimal128: 2
// words, decimal256: 4).
func (c *column) appendWords(w []uint64) {
	c.grow(0)
	c.setValid(true)
	off := c.n * c.width
	for i, x := range w {
		binary.LittleEndian.PutUint64(c.db[off+8*i:], x)
	}
	c.n++
}

// truncate drops values appended after the first rows (a record that
// failed half way).
func (c *column) truncate(rows int) {
	for c.n > rows {
		c.n--
		if c.vb[c.n>>3]&(1<<(c.n&7)) == 0 {
			c.nulls--
		}
	}
	if c.varlen {
		c.dlen = int(binary.LittleEndian.Uint32(c.ob[4*rows:]))
	}
}

// finish turns the batch's buffers into an array; call start before the
// next batch.
func (c *column) finish() arrow.Array {
	n := c.n
	valid := c.valid
	if c.nulls == 0 {
		valid.Release()
		valid = nil
	} else {
		valid.ResizeNoShrink((n + 7) / 8)
	}
	var bufs []*memory.Buffer
	switch {
	case c.varlen:
		c.offs.ResizeNoShrink(4 * (n + 1))
		c.data.ResizeNoShrink(c.dlen)
		bufs = []*memory.Buffer{valid, c.offs, c.data}
	case c.bits:
		c.data.ResizeNoShrink((n + 7) / 8)
		bufs = []*memory.Buffer{valid, c.data}
	default:
		c.data.ResizeNoShrink(n * c.width)
		bufs = []*memory.Buffer{valid, c.data}
	}
	d := array.NewData(c.dtype, n, bufs, nil, c.nulls, 0)
	arr := array.MakeFromData(d)
	d.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	c.hintRows = max(n, 1024)
	c.hintBytes = max(c.dlen+c.dlen/8, 16<<10)
	c.valid, c.data, c.offs = nil, nil, nil
	c.vb, c.db, c.ob = nil, nil, nil
	return arr
}

func (c *column) appendFloat64(v float64) {
	c.appendInt64(int64(math.Float64bits(v)))
}

func (c *column) appendFloat32(v float32) {
	c.appendInt32(int32(math.Float32bits(v)))
}
