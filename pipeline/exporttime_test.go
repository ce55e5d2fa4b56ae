package pipeline

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// TestExportTime: a zip entry with only the MS-DOS date is the account's
// wall clock, read in --source-timezone (UTC when unset); one with an
// extended timestamp records the instant, whatever the zone given.
func TestExportTime(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	wall := time.Date(2026, time.March, 3, 2, 0, 4, 0, time.UTC) // 02:00:04 on the account's clock
	instant := time.Date(2026, time.March, 3, 7, 0, 4, 0, time.UTC)
	tests := []struct {
		name     string
		extended *time.Location // the writer's zone for an extended timestamp; nil: MS-DOS date only
		loc      *time.Location
		want     time.Time
	}{
		{name: "MS-DOS date, no zone set", loc: nil, want: wall},
		{name: "MS-DOS date, account in New York", loc: ny, want: instant},
		{name: "extended timestamp, no zone set", extended: ny, loc: nil, want: instant},
		{name: "extended timestamp, account in New York", extended: ny, loc: ny, want: instant},
		{name: "extended timestamp written in UTC, account in New York", extended: time.UTC, loc: ny, want: instant},
		{name: "extended timestamp written in Tokyo, account in New York", extended: mustLoad(t, "Asia/Tokyo"), loc: ny, want: instant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			fh := &zip.FileHeader{Name: "sales_order.csv", Method: zip.Deflate}
			if tt.extended != nil {
				fh.Modified = instant.In(tt.extended) // the MS-DOS wall clock in that zone, plus the instant
			} else {
				// Only the legacy fields: what a writer without extended
				// timestamps leaves (MS-DOS date and time, 2 s resolution).
				fh.ModifiedDate = uint16((wall.Year()-1980)<<9 | int(wall.Month())<<5 | wall.Day())
				fh.ModifiedTime = uint16(wall.Hour()<<11 | wall.Minute()<<5 | wall.Second()/2)
			}
			w, err := zw.CreateHeader(fh)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte("entity_id\n1\n")); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			path := mustWriteFile(t, t.TempDir(), "export.zip", buf.Bytes())
			got, err := exportTime(path, Options{Mapping: schema.Options{SourceTimezone: tt.loc}})
			if err != nil {
				t.Fatalf("exportTime(%s): %v", filepath.Base(path), err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got.UTC(), tt.want)
			}
		})
	}
}
