package load

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/mbiload/mbiload/internal/pgtest"
	"github.com/mbiload/mbiload/schema"
)

func days(y int, m time.Month, d int) arrow.Date32 {
	return arrow.Date32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func micros(y int, m time.Month, d, hh, mm, ss, us int) arrow.Timestamp {
	return arrow.Timestamp(time.Date(y, m, d, hh, mm, ss, us*1000, time.UTC).UnixMicro())
}

const nul = "<nil>"

// TestEncodeRoundTrip COPYs edge values of every type in binary and
// compares what PostgreSQL returns as text.
func TestEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	sch := pgtest.Schema(t, pool)
	long := strings.Repeat("xyzé", 50_000)
	hugeInt := "1" + strings.Repeat("0", 1000)
	tiny := "0." + strings.Repeat("0", 999) + "1"
	tests := []struct {
		name   string
		pgType string
		dt     arrow.DataType
		add    func(t *testing.T, b array.Builder)
		want   []string
	}{
		{"int2", "smallint", arrow.PrimitiveTypes.Int16, func(t *testing.T, b array.Builder) {
			b.(*array.Int16Builder).AppendValues([]int16{math.MinInt16, math.MaxInt16, 0, -1}, nil)
			b.AppendNull()
		}, []string{"-32768", "32767", "0", "-1", nul}},
		{"int4", "integer", arrow.PrimitiveTypes.Int32, func(t *testing.T, b array.Builder) {
			b.(*array.Int32Builder).AppendValues([]int32{math.MinInt32, math.MaxInt32, 0}, nil)
			b.AppendNull()
		}, []string{"-2147483648", "2147483647", "0", nul}},
		{"int8", "bigint", arrow.PrimitiveTypes.Int64, func(t *testing.T, b array.Builder) {
			b.(*array.Int64Builder).AppendValues([]int64{math.MinInt64, math.MaxInt64, 0, 42}, nil)
			b.AppendNull()
		}, []string{"-9223372036854775808", "9223372036854775807", "0", "42", nul}},
		{"int2 into int8", "bigint", arrow.PrimitiveTypes.Int16, func(t *testing.T, b array.Builder) {
			b.(*array.Int16Builder).AppendValues([]int16{math.MinInt16, 7}, nil)
		}, []string{"-32768", "7"}},
		{"int2 into int4", "integer", arrow.PrimitiveTypes.Int16, func(t *testing.T, b array.Builder) {
			b.(*array.Int16Builder).AppendValues([]int16{math.MaxInt16, -7}, nil)
		}, []string{"32767", "-7"}},
		{"int4 into int8", "bigint", arrow.PrimitiveTypes.Int32, func(t *testing.T, b array.Builder) {
			b.(*array.Int32Builder).AppendValues([]int32{math.MinInt32}, nil)
		}, []string{"-2147483648"}},
		{"int8 into numeric", "numeric(25,2)", arrow.PrimitiveTypes.Int64, func(t *testing.T, b array.Builder) {
			b.(*array.Int64Builder).AppendValues([]int64{math.MinInt64, math.MaxInt64, 0, 10000}, nil)
		}, []string{"-9223372036854775808.00", "9223372036854775807.00", "0.00", "10000.00"}},
		{"bool", "boolean", arrow.FixedWidthTypes.Boolean, func(t *testing.T, b array.Builder) {
			b.(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
			b.AppendNull()
		}, []string{"t", "f", nul}},
		{"float4", "real", arrow.PrimitiveTypes.Float32, func(t *testing.T, b array.Builder) {
			b.(*array.Float32Builder).AppendValues([]float32{1.5, float32(math.Copysign(0, -1)), float32(math.NaN()),
				float32(math.Inf(1)), float32(math.Inf(-1)), math.SmallestNonzeroFloat32, math.MaxFloat32, 0.1}, nil)
			b.AppendNull()
		}, []string{"1.5", "-0", "NaN", "Infinity", "-Infinity", "1e-45", "3.4028235e+38", "0.1", nul}},
		{"float4 into float8", "double precision", arrow.PrimitiveTypes.Float32, func(t *testing.T, b array.Builder) {
			b.(*array.Float32Builder).AppendValues([]float32{0.5, 0.1}, nil)
		}, []string{"0.5", "0.10000000149011612"}},
		{"float8", "double precision", arrow.PrimitiveTypes.Float64, func(t *testing.T, b array.Builder) {
			b.(*array.Float64Builder).AppendValues([]float64{0.1, 1e308, 5e-324, -1.2345678901234567, math.NaN(), math.Inf(-1)}, nil)
			b.AppendNull()
		}, []string{"0.1", "1e+308", "5e-324", "-1.2345678901234567", "NaN", "-Infinity", nul}},
		{"text", "text", arrow.BinaryTypes.String, func(t *testing.T, b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{"", "héllo wörld ✓", "a\nb\r\nc", `q'"\`, long, "NULL", `\N`}, nil)
			b.AppendNull()
		}, []string{"", "héllo wörld ✓", "a\nb\r\nc", `q'"\`, long, "NULL", `\N`, nul}},
		{"jsonb", "jsonb", arrow.BinaryTypes.String, func(t *testing.T, b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{`{"a":1,"b":[true,null]}`, `[1,2]`, `"x"`, `null`, `{}`}, nil)
			b.AppendNull()
		}, []string{`{"a": 1, "b": [true, null]}`, `[1, 2]`, `"x"`, `null`, `{}`, nul}},
		{"date", "date", arrow.FixedWidthTypes.Date32, func(t *testing.T, b array.Builder) {
			b.(*array.Date32Builder).AppendValues([]arrow.Date32{days(2000, 1, 1), days(1999, 12, 31), days(1970, 1, 1),
				days(1, 1, 1), days(9999, 12, 31), days(1900, 2, 28), days(2024, 2, 29)}, nil)
			b.AppendNull()
		}, []string{"2000-01-01", "1999-12-31", "1970-01-01", "0001-01-01", "9999-12-31", "1900-02-28", "2024-02-29", nul}},
		{"date -infinity", "date", arrow.FixedWidthTypes.Date32, func(t *testing.T, b array.Builder) {
			b.(*array.Date32Builder).AppendValues([]arrow.Date32{math.MinInt32, days(2000, 1, 1)}, nil)
		}, []string{"-infinity", "2000-01-01"}},
		{"timestamp -infinity", "timestamp", &arrow.TimestampType{Unit: arrow.Microsecond}, func(t *testing.T, b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{math.MinInt64, micros(2000, 1, 1, 0, 0, 0, 0)}, nil)
		}, []string{"-infinity", "2000-01-01 00:00:00"}},
		{"timestamptz -infinity", "timestamptz", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, func(t *testing.T, b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{math.MinInt64}, nil)
		}, []string{"-infinity"}},
		{"interval", "interval", arrow.FixedWidthTypes.Duration_us, func(t *testing.T, b array.Builder) {
			b.(*array.DurationBuilder).AppendValues([]arrow.Duration{(838*3600 + 59*60 + 59) * 1e6, -3600e6, 0, 1, -(838*3600 + 59*60 + 59) * 1e6, 45296500000}, nil)
			b.AppendNull()
		}, []string{"838:59:59", "-01:00:00", "00:00:00", "00:00:00.000001", "-838:59:59", "12:34:56.5", nul}},
		{"time", "time", arrow.FixedWidthTypes.Time64us, func(t *testing.T, b array.Builder) {
			b.(*array.Time64Builder).AppendValues([]arrow.Time64{0, 86399999999, 86400000000, 45296500000, 1}, nil)
			b.AppendNull()
		}, []string{"00:00:00", "23:59:59.999999", "24:00:00", "12:34:56.5", "00:00:00.000001", nul}},
		{"timestamp", "timestamp", &arrow.TimestampType{Unit: arrow.Microsecond}, func(t *testing.T, b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{micros(2000, 1, 1, 0, 0, 0, 0),
				micros(1969, 12, 31, 23, 59, 59, 999999), micros(2024, 2, 29, 12, 0, 0, 1), micros(1, 1, 1, 0, 0, 0, 0),
				micros(9999, 12, 31, 23, 59, 59, 999999), micros(1999, 12, 31, 23, 59, 59, 999999)}, nil)
			b.AppendNull()
		}, []string{"2000-01-01 00:00:00", "1969-12-31 23:59:59.999999", "2024-02-29 12:00:00.000001",
			"0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "1999-12-31 23:59:59.999999", nul}},
		{"timestamptz", "timestamptz", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, func(t *testing.T, b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{micros(2024, 7, 1, 12, 30, 0, 123456), micros(1950, 1, 1, 0, 0, 0, 0)}, nil)
			b.AppendNull()
		}, []string{"2024-07-01 12:30:00.123456+00", "1950-01-01 00:00:00+00", nul}},
		{"numeric(38,4)", "numeric(38,4)", &arrow.Decimal128Type{Precision: 38, Scale: 4}, func(t *testing.T, b array.Builder) {
			for _, s := range []string{"0", "-0.0001", "0.0001", "1", "123.45", "-123.45", "10000", "99999999", "100000000",
				"9999999999999999999999999999999999.9999", "-9999999999999999999999999999999999.9999",
				"1844674407370955.1615", "1844674407370955.1616", "-922337203685477.5808", "0.0100"} {
				b.(*array.Decimal128Builder).Append(dec128(t, s, 4))
			}
			b.AppendNull()
		}, []string{"0.0000", "-0.0001", "0.0001", "1.0000", "123.4500", "-123.4500", "10000.0000", "99999999.0000", "100000000.0000",
			"9999999999999999999999999999999999.9999", "-9999999999999999999999999999999999.9999",
			"1844674407370955.1615", "1844674407370955.1616", "-922337203685477.5808", "0.0100", nul}},
		{"numeric(38,0)", "numeric(38,0)", &arrow.Decimal128Type{Precision: 38, Scale: 0}, func(t *testing.T, b array.Builder) {
			for _, s := range []string{strings.Repeat("9", 37), strings.Repeat("9", 38), "-" + strings.Repeat("9", 38),
				"18446744073709551615", "18446744073709551616", "100000000000000000000", "-1", "0"} {
				b.(*array.Decimal128Builder).Append(dec128(t, s, 0))
			}
		}, []string{strings.Repeat("9", 37), strings.Repeat("9", 38), "-" + strings.Repeat("9", 38),
			"18446744073709551615", "18446744073709551616", "100000000000000000000", "-1", "0"}},
		{"numeric(7,7)", "numeric(7,7)", &arrow.Decimal128Type{Precision: 7, Scale: 7}, func(t *testing.T, b array.Builder) {
			for _, s := range []string{"0.0000001", "-0.9999999", "0.00001", "0"} {
				b.(*array.Decimal128Builder).Append(dec128(t, s, 7))
			}
		}, []string{"0.0000001", "-0.9999999", "0.0000100", "0.0000000"}},
		{"numeric(12,4) into numeric(20,6)", "numeric(20,6)", &arrow.Decimal128Type{Precision: 12, Scale: 4}, func(t *testing.T, b array.Builder) {
			b.(*array.Decimal128Builder).Append(dec128(t, "-12345678.1234", 4))
		}, []string{"-12345678.123400"}},
		{"numeric(12,4) into numeric", "numeric", &arrow.Decimal128Type{Precision: 12, Scale: 4}, func(t *testing.T, b array.Builder) {
			b.(*array.Decimal128Builder).Append(dec128(t, "1.5", 4))
		}, []string{"1.5000"}},
		{"numeric(76,10)", "numeric(76,10)", &arrow.Decimal256Type{Precision: 76, Scale: 10}, func(t *testing.T, b array.Builder) {
			for _, s := range []string{strings.Repeat("9", 66) + "." + strings.Repeat("9", 10), "-" + strings.Repeat("9", 66) + "." + strings.Repeat("9", 10),
				"0.0000000001", "-0.0000000001", "0", "1" + strings.Repeat("0", 65), "123.456"} {
				b.(*array.Decimal256Builder).Append(dec256(t, s, 10))
			}
			b.AppendNull()
		}, []string{strings.Repeat("9", 66) + "." + strings.Repeat("9", 10), "-" + strings.Repeat("9", 66) + "." + strings.Repeat("9", 10),
			"0.0000000001", "-0.0000000001", "0.0000000000", "1" + strings.Repeat("0", 65) + ".0000000000", "123.4560000000", nul}},
		{"numeric(50,3)", "numeric(50,3)", &arrow.Decimal256Type{Precision: 50, Scale: 3}, func(t *testing.T, b array.Builder) {
			for _, s := range []string{"0.005", "-5", "18446744073709551.616"} {
				b.(*array.Decimal256Builder).Append(dec256(t, s, 3))
			}
		}, []string{"0.005", "-5.000", "18446744073709551.616"}},
		{"numeric text", "numeric", arrow.BinaryTypes.String, func(t *testing.T, b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{"0", "-0.0001", "1.000000", "123456789012345678901234567890.123456789",
				"-0", "0.000", "100000000", hugeInt, tiny, "00012.3400", "-00.50", "10000.00001", "99999999"}, nil)
			b.AppendNull()
		}, []string{"0", "-0.0001", "1.000000", "123456789012345678901234567890.123456789",
			"0", "0.000", "100000000", hugeInt, tiny, "12.3400", "-0.50", "10000.00001", "99999999", nul}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec := oneColumnBatch(mem, "v", tc.dt, func(b array.Builder) { tc.add(t, b) })
			table := schema.Quote(sch, pgtest.UniqueName(t, "rt"))
			ctx := context.Background()
			conn, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (v %s, n bigint); SET TimeZone = 'UTC'", table, tc.pgType)); err != nil {
				t.Fatal(err)
			}
			var oid uint32
			var typmod int32
			if err := conn.QueryRow(ctx, "SELECT atttypid, atttypmod FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'v'", table).Scan(&oid, &typmod); err != nil {
				t.Fatal(err)
			}
			col := targetColumn(0, schema.Field{Name: "v"}, &tableColumn{OID: oid, Typmod: typmod})
			cols := []copyColumn{col, {Name: "n", Src: -1, OID: oidInt8, Seq: true}}
			src := &sliceBatches{recs: []arrow.RecordBatch{rec}}
			defer src.close()
			res, err := copyBatches(ctx, conn.Conn().PgConn(), table, copyPlain, src, rec.Schema(), cols, nil)
			if err != nil {
				t.Fatalf("copy: %v", err)
			}
			if res.Rows != int64(len(tc.want)) || res.Sent != int64(len(tc.want)) {
				t.Errorf("got %d rows stored, %d sent, want %d", res.Rows, res.Sent, len(tc.want))
			}
			got := queryText(t, pool, "SELECT v, n FROM "+table+" ORDER BY n")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d rows back, want %d", len(got), len(tc.want))
			}
			for k, row := range got {
				if k >= len(tc.want) {
					break
				}
				if row[0] != tc.want[k] {
					g, w := row[0], tc.want[k]
					if len(g) > 80 || len(w) > 80 {
						g, w = fmt.Sprintf("%d bytes %.40q...", len(g), g), fmt.Sprintf("%d bytes %.40q...", len(w), w)
					}
					t.Errorf("row %d: got %q, want %q", k+1, g, w)
				}
			}
		})
	}
}
