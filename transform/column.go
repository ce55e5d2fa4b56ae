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
// allocator-owned buffers, which become the batch's Arrow array. Nulls are
// noted by position and the validity bitmap is built once, at the end of
// the batch, so that a present value costs no bitmap work.
type column struct {
	name    string // source name
	typ     schema.Type
	dtype   arrow.DataType
	notNull bool
	width   int  // bytes per value of a fixed-width type; 0 for bool and strings
	varlen  bool // string: int32 offsets + data
	bits    bool // bool: values are a bitmap

	mem   memory.Allocator
	data  *memory.Buffer
	offs  *memory.Buffer
	db    []byte  // data.Buf()
	ob    []byte  // offs.Buf()
	capN  int     // values that fit before growing (strings: offsets)
	n     int     // values in this batch
	nulls []int32 // positions of the batch's nulls, ascending
	dlen  int     // string bytes used in db

	notes columnNotes // values changed to fit the column's type

	hintRows  int // capacity to reserve at the start of a batch
	hintBytes int
	maxHint   int // hintBytes at most: a batch's bytes, not one huge record's
}

func newColumn(f schema.Field, dtype arrow.DataType, mem memory.Allocator, batchBytes int) *column {
	c := &column{
		name: f.Source.Name, typ: f.Type, dtype: dtype, notNull: f.Source.NotNull(),
		mem: mem, hintRows: 1024, hintBytes: 16 << 10, maxHint: max(batchBytes, 16<<10),
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
	c.n, c.dlen = 0, 0
	c.nulls = c.nulls[:0]
	c.data = memory.NewResizableBuffer(c.mem)
	switch {
	case c.varlen:
		c.data.Reserve(c.hintBytes)
		c.offs = memory.NewResizableBuffer(c.mem)
		c.offs.Reserve(4 * (c.hintRows + 1))
		c.ob = c.offs.Buf()
		c.capN = len(c.ob)/4 - 1
		binary.LittleEndian.PutUint32(c.ob, 0)
	case c.bits:
		c.data.Reserve(c.hintRows/8 + 1)
		c.capN = 8 * len(c.data.Buf())
	default:
		c.data.Reserve(c.hintRows * c.width)
		c.capN = len(c.data.Buf()) / c.width
	}
	c.db = c.data.Buf()
}

// release frees the batch's buffers (after an error or on Close).
func (c *column) release() {
	for _, b := range []**memory.Buffer{&c.data, &c.offs} {
		if *b != nil {
			(*b).Release()
			*b = nil
		}
	}
	c.db, c.ob, c.capN = nil, nil, 0
}

// grow makes room for at least one more value and extra string bytes.
func (c *column) grow(extra int) {
	switch {
	case c.varlen:
		if c.n+1 >= c.capN {
			c.offs.Reserve(2 * len(c.ob))
			c.ob = c.offs.Buf()
			c.capN = len(c.ob)/4 - 1
		}
		if c.dlen+extra > len(c.db) {
			c.data.Reserve(max(2*len(c.db), c.dlen+extra))
			c.db = c.data.Buf()
		}
	case c.bits:
		c.data.Reserve(2 * len(c.db))
		c.db = c.data.Buf()
		c.capN = 8 * len(c.db)
	default:
		c.data.Reserve(2 * len(c.db))
		c.db = c.data.Buf()
		c.capN = len(c.db) / c.width
	}
}

func (c *column) appendNull() {
	if c.n >= c.capN {
		c.grow(0)
	}
	c.nulls = append(c.nulls, int32(c.n))
	switch {
	case c.varlen:
		binary.LittleEndian.PutUint32(c.ob[4*(c.n+1):], uint32(c.dlen))
	case c.bits:
		c.setBit(false)
	default:
		clear(c.db[c.n*c.width : (c.n+1)*c.width])
	}
	c.n++
}

func (c *column) appendBytes(v []byte) {
	if c.n+1 >= c.capN || c.dlen+len(v) > len(c.db) {
		c.grow(len(v))
	}
	c.dlen += copy(c.db[c.dlen:], v)
	binary.LittleEndian.PutUint32(c.ob[4*(c.n+1):], uint32(c.dlen))
	c.n++
}

// setBit writes value n of a bool column, zeroing each byte as it is first
// touched (allocators need not return zeroed memory).
func (c *column) setBit(v bool) {
	i := c.n
	if i&7 == 0 {
		c.db[i>>3] = 0
	}
	if v {
		c.db[i>>3] |= 1 << (i & 7)
	} else {
		c.db[i>>3] &^= 1 << (i & 7)
	}
}

func (c *column) appendBool(v bool) {
	if c.n >= c.capN {
		c.grow(0)
	}
	c.setBit(v)
	c.n++
}

func (c *column) appendInt16(v int16) {
	if c.n >= c.capN {
		c.grow(0)
	}
	binary.LittleEndian.PutUint16(c.db[2*c.n:], uint16(v))
	c.n++
}

func (c *column) appendInt32(v int32) {
	if c.n >= c.capN {
		c.grow(0)
	}
	binary.LittleEndian.PutUint32(c.db[4*c.n:], uint32(v))
	c.n++
}

func (c *column) appendInt64(v int64) {
	if c.n >= c.capN {
		c.grow(0)
	}
	binary.LittleEndian.PutUint64(c.db[8*c.n:], uint64(v))
	c.n++
}

func (c *column) appendFloat64(v float64) { c.appendInt64(int64(math.Float64bits(v))) }

func (c *column) appendFloat32(v float32) { c.appendInt32(int32(math.Float32bits(v))) }

// appendDecimal appends a decimal128 or decimal256 from a signed 64-bit
// unscaled value, sign-extended.
func (c *column) appendDecimal(v int64) {
	if c.n >= c.capN {
		c.grow(0)
	}
	ext := uint64(v >> 63)
	off := c.n * c.width
	binary.LittleEndian.PutUint64(c.db[off:], uint64(v))
	binary.LittleEndian.PutUint64(c.db[off+8:], ext)
	if c.width == 32 {
		binary.LittleEndian.PutUint64(c.db[off+16:], ext)
		binary.LittleEndian.PutUint64(c.db[off+24:], ext)
	}
	c.n++
}

// appendWords appends a little-endian multi-word integer (decimal128: 2
// words, decimal256: 4).
func (c *column) appendWords(w []uint64) {
	if c.n >= c.capN {
		c.grow(0)
	}
	off := c.n * c.width
	for i, x := range w {
		binary.LittleEndian.PutUint64(c.db[off+8*i:], x)
	}
	c.n++
}

// truncate drops values appended after the first rows (a record that
// failed half way).
func (c *column) truncate(rows int) {
	c.n = min(c.n, rows)
	for len(c.nulls) > 0 && int(c.nulls[len(c.nulls)-1]) >= rows {
		c.nulls = c.nulls[:len(c.nulls)-1]
	}
	if c.varlen {
		c.dlen = int(binary.LittleEndian.Uint32(c.ob[4*rows:]))
	}
}

// validity builds the batch's validity bitmap, or nil when nothing is null.
func (c *column) validity() *memory.Buffer {
	if len(c.nulls) == 0 {
		return nil
	}
	nb := (c.n + 7) / 8
	buf := memory.NewResizableBuffer(c.mem)
	buf.Resize(nb)
	b := buf.Bytes()
	for i := range b {
		b[i] = 0xFF
	}
	if r := c.n & 7; r != 0 {
		b[nb-1] = 1<<r - 1
	}
	for _, i := range c.nulls {
		b[i>>3] &^= 1 << (i & 7)
	}
	return buf
}

// finish turns the batch's buffers into an array; call start before the
// next batch.
func (c *column) finish() arrow.Array {
	n := c.n
	valid := c.validity()
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
	d := array.NewData(c.dtype, n, bufs, nil, len(c.nulls), 0)
	arr := array.MakeFromData(d)
	d.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	c.hintRows = max(n, 1024)
	c.hintBytes = max(min(c.dlen+c.dlen/8, c.maxHint), 16<<10)
	c.data, c.offs = nil, nil
	c.db, c.ob, c.capN = nil, nil, 0
	return arr
}
