package transform

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// decodeLines decodes csv and returns, for each good row, Decoder.Line of
// it (decodeString checks that Line is 0 outside the batch).
func decodeLines(t testing.TB, csv string, opts Options, cols ...col) []int64 {
	t.Helper()
	out := decodeString(t, mustTable(t, "t", cols...), csv, opts)
	if out.err != nil {
		t.Fatalf("decode: %v", out.err)
	}
	return out.lines
}

func TestDecoderLine(t *testing.T) {
	three := []col{{"id", "int(11)"}, {"name", "varchar(255)"}, {"n", "int(11)"}}
	tests := []struct {
		name string
		csv  string
		opts Options
		cols []col
		want []int64
	}{
		{name: "one line each", csv: "id,name,n\n1,a,1\n2,b,2\n3,c,3\n", want: []int64{2, 3, 4}},
		{name: "quoted newlines", csv: "id,name,n\n1,\"a\nb\nc\",1\n2,b,2\n3,\"x\ny\",3\n4,d,4\n", want: []int64{2, 5, 6, 8}},
		{name: "bom and crlf", csv: "\xef\xbb\xbfid,name,n\r\n1,\"a\r\nb\",1\r\n2,c,2\r\n", want: []int64{2, 4}},
		{name: "rejected rows skipped", csv: "id,name,n\n1,a,1\nx,b,2\n3,\"c\nd\",oops\n4,e,4\n", opts: Options{MaxBadRows: 5}, want: []int64{2, 6}},
		{name: "across batches", csv: "id,name,n\n1,\"a\nb\",1\n2,b,2\n3,\"c\n\nd\",3\n4,e,4\n5,f,5\n", opts: Options{BatchRows: 2},
			want: []int64{2, 4, 5, 8, 9}},
		{name: "blank lines of a one-column table", csv: "v\n1\n\n2\n", cols: []col{{"v", "int(11)"}}, want: []int64{2, 3, 4}},
		{name: "header spanning lines", csv: "\"id\",\"na\nme\",n\n1,a,1\n", cols: []col{{"id", "int(11)"}, {"na\nme", "text"}, {"n", "int(11)"}}, want: []int64{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols := tt.cols
			if cols == nil {
				cols = three
			}
			if got := decodeLines(t, tt.csv, tt.opts, cols...); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDecoderLineCounted checks Line against the line breaks counted
// before each record, for records spanning 1 to 4 lines in batches of
// several sizes.
func TestDecoderLineCounted(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,n\n")
	var want []int64
	for i := range 200 {
		want = append(want, int64(strings.Count(b.String(), "\n"))+1)
		fmt.Fprintf(&b, "%d,\"%s\",%d\n", i, strings.Repeat("x\n", i%4)+"y", i)
	}
	for _, rows := range []int{1, 3, 7, 64, 0} {
		t.Run(fmt.Sprint("batch ", rows), func(t *testing.T) {
			got := decodeLines(t, b.String(), Options{BatchRows: rows}, col{"id", "int(11)"}, col{"name", "text"}, col{"n", "int(11)"})
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
