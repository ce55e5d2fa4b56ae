package transform

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestDecoderNotes checks that values loaded changed to fit their type
// are counted per column with their first line, and only once the decode
// has ended.
func TestDecoderNotes(t *testing.T) {
	tb := mustTable(t, "t", col{"flag", "tinyint(1)"}, col{"day", "date"}, col{"made", "datetime not null"})
	csv := "flag,day,made\n1,2024-01-01,2024-01-01 00:00:00\n2,0000-00-00,2024-01-01 00:00:00\n" +
		"-1,2023-00-10,0000-00-00 00:00:00\n0,,2023-10-00 10:00:00\n"
	d, err := NewDecoder(context.Background(), strings.NewReader(csv), tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for {
		rec, err := d.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	want := []string{
		`table "t" column "flag": 2 integers other than 0 and 1 loaded as true (first on line 3)`,
		`table "t" column "day": 2 MySQL zero dates loaded as NULL (first on line 3)`,
		`table "t" column "made": 2 MySQL zero dates loaded as -infinity (NOT NULL column) (first on line 4)`,
	}
	if got := d.Notes(); !slices.Equal(got, want) {
		t.Errorf("Notes:\ngot  %q\nwant %q", got, want)
	}
}
