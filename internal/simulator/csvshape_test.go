package simulator

import (
	"bytes"
	"testing"
)

func TestRecordCounter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
	}{
		{name: "header only", in: "a,b\n", want: 0},
		{name: "empty", in: "", want: 0},
		{name: "two rows", in: "a,b\n1,2\n3,4\n", want: 2},
		{name: "no final newline", in: "a,b\n1,2\n3,4", want: 2},
		{name: "crlf", in: "a,b\r\n1,2\r\n3,4\r\n", want: 2},
		{name: "newline inside quotes", in: "a,b\n\"x\ny\",2\n\"p\r\nq\",3\n", want: 2},
		{name: "doubled quotes", in: "a\n\"say \"\"hi\"\"\n now\"\n", want: 1},
		{name: "blank lines are skipped", in: "a\n\n1\n\r\n2\n", want: 2},
		{name: "quoted empty field is a record", in: "a\n\"\"\n", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every way of cutting the input in two gives the same count.
			for cut := 0; cut <= len(tt.in); cut++ {
				var c recordCounter
				c.scan([]byte(tt.in[:cut]))
				c.scan([]byte(tt.in[cut:]))
				if got := c.rows(); got != tt.want {
					t.Fatalf("cut at %d: got %d rows, want %d", cut, got, tt.want)
				}
			}
		})
	}
}

func TestShaper(t *testing.T) {
	tests := []struct {
		name   string
		quirks Quirks
		in     string
		want   string
	}{
		{name: "pass through", in: "a,b\n1,\"x\ny\"\n", want: "a,b\n1,\"x\ny\"\n"},
		{name: "crlf outside quotes only", quirks: Quirks{CRLF: true}, in: "a,b\n1,\"x\ny\"\n2,z", want: "a,b\r\n1,\"x\ny\"\r\n2,z"},
		{name: "crlf kept", quirks: Quirks{CRLF: true}, in: "a\r\n1\r\n", want: "a\r\n1\r\n"},
		{name: "bom", quirks: Quirks{BOM: true}, in: "a\n1\n", want: "\uFEFFa\n1\n"},
		{name: "no second bom", quirks: Quirks{BOM: true}, in: "\uFEFFa\n1\n", want: "\uFEFFa\n1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for cut := 3; cut <= len(tt.in); cut++ { // the first write holds at least a BOM's length
				var out bytes.Buffer
				s := newShaper(&out, tt.quirks)
				s.Write([]byte(tt.in[:cut]))
				s.Write([]byte(tt.in[cut:]))
				if out.String() != tt.want {
					t.Fatalf("cut at %d: got %q, want %q", cut, out.String(), tt.want)
				}
				if s.size != int64(len(tt.want)) {
					t.Errorf("got size %d, want %d", s.size, len(tt.want))
				}
			}
		})
	}
}

func TestEntryName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "sales_order 2026-11-26 02:00:04", want: "sales_order 2026-11-26 02:00:04.csv"},
		{name: "no directories", in: "../../etc/passwd", want: ".._.._etc_passwd.csv"},
		{name: "backslashes", in: `a\b`, want: "a_b.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := entryName(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFixedAndMoney(t *testing.T) {
	tests := []struct {
		in    string
		want  int64
		ok    bool
		money string
	}{
		{in: "123.4500", want: 1234500, ok: true, money: "123.45"},
		{in: "-5", want: -50000, ok: true, money: "-5.00"},
		{in: "0.005", want: 50, ok: true, money: "0.01"},
		{in: ".5", want: 5000, ok: true, money: "0.50"},
		{in: "", ok: false},
		{in: "abc", ok: false},
		{in: "1.2e3", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseFixed(tt.in)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("got %d %v, want %d %v", got, ok, tt.want, tt.ok)
			}
			if ok && money(got).String() != tt.money {
				t.Errorf("got money %s, want %s", money(got), tt.money)
			}
		})
	}
}
