package magentogen

import (
	"math"
	"testing"
	"time"
)

func TestAppendDecimal(t *testing.T) {
	tests := []struct {
		name  string
		units int64
		scale int
		want  string
	}{
		{name: "zero", units: 0, scale: 4, want: "0.0000"},
		{name: "positive", units: 1234500, scale: 4, want: "123.4500"},
		{name: "negative", units: -125000, scale: 4, want: "-12.5000"},
		{name: "negative below one", units: -5, scale: 2, want: "-0.05"},
		{name: "scale zero", units: 42, scale: 0, want: "42"},
		{name: "large", units: 99999999999999999, scale: 4, want: "9999999999999.9999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendDecimal(nil, tt.units, tt.scale)); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestCivil compares the date arithmetic with package time over 1900-2100.
func TestCivil(t *testing.T) {
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := start; d.Year() < 2100; d = d.AddDate(0, 0, 1) {
		days := d.Unix() / day
		if got, want := string(appendDate(nil, days)), d.Format(time.DateOnly); got != want {
			t.Fatalf("day %d: got %s, want %s", days, got, want)
		}
	}
}

func TestAppendDatetime(t *testing.T) {
	tests := []struct {
		name string
		sec  int64
		us   int64
		want string
	}{
		{name: "epoch 2019", sec: epoch2019, us: -1, want: "2019-01-01 00:00:00"},
		{name: "leap day", sec: time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC).Unix(), us: -1, want: "2024-02-29 23:59:59"},
		{name: "micros", sec: epoch2019 + 3661, us: 7, want: "2019-01-01 01:01:01.000007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := appendDatetime(nil, tt.sec)
			if tt.us >= 0 {
				b = appendMicros(b, tt.us)
			}
			if got := string(b); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestIsqrt(t *testing.T) {
	tests := []struct {
		name string
		x    uint64
		want uint64
	}{
		{name: "zero", x: 0, want: 0},
		{name: "one", x: 1, want: 1},
		{name: "below square", x: 15, want: 3},
		{name: "square", x: 16, want: 4},
		{name: "near 2^64", x: math.MaxUint64, want: math.MaxUint32},
		{name: "big square", x: (1<<32 - 5) * (1<<32 - 5), want: 1<<32 - 5},
		{name: "below big square", x: (1<<32-5)*(1<<32-5) - 1, want: 1<<32 - 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isqrt(tt.x); got != tt.want {
				t.Fatalf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestOrderCreatedInRange(t *testing.T) {
	tests := []struct {
		name   string
		orders int64
	}{
		{name: "one order", orders: 1},
		{name: "thousand", orders: 1000},
		{name: "ten billion", orders: 10_000_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wd := &world{seed: 1, orders: tt.orders}
			prev := int64(0)
			for _, i := range []int64{0, 1, tt.orders / 2, tt.orders - 1} {
				i = min(i, tt.orders-1)
				got := orderCreated(wd, i)
				if got < epoch2019 || got > epoch2019+orderSpan+3600 {
					t.Fatalf("order %d: got %s, want 2019-2025", i, time.Unix(got, 0).UTC())
				}
				if got+3600 < prev {
					t.Fatalf("order %d: got %d, want after %d", i, got, prev)
				}
				prev = got
			}
		})
	}
}
