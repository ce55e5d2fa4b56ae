//go:build chaos

package chaos

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbiload/mbiload/schema"
)

// sampleDir is the real Magento sample data beside the repository.
const sampleDir = "../../../shared/data/magento-sample"

// TestSampleData serves the real Magento sample tables with every lenient
// shape switched on (bare arrays, string ids, lower-case statuses, extra
// fields, CRLF, BOM, Range ignored) and downloads cut at random: each
// table must equal what PostgreSQL's CSV COPY makes of the original file.
func TestSampleData(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sampleDir, "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample files in %s (%v); the suite needs ../shared next to the repository", sampleDir, err)
	}
	var tables []fileTable
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		cols, err := schema.ReadColumnsFile(filepath.Join(sampleDir, name+".columns.json"))
		if err != nil {
			t.Fatalf("read %s columns: %v", name, err)
		}
		tables = append(tables, fileTable{source: name, cols: cols, csv: mustAbs(t, path)})
	}
	v := st.fromFiles(t, "Magento sample data", tables)
	for rep := range st.cfg.reps {
		t.Run(repName("all_quirks", rep), func(t *testing.T) {
			sc := newScn(t, kindSurvive, "real Magento sample data, all lenient shapes, cut downloads")
			s := sc.startSim(simArgs{seed: int64(rep + 1), dirs: []string{mustAbs(t, sampleDir)},
				flags: []string{"--quirks", "all", "--drop-rate", "0.3"}})
			r := sc.sync(s)
			sc.expectOK(r)
			sc.expectVersion(v)
			sc.expectNoDebris()
			sc.expectNoTempFiles()
			sc.fig.injected = s.faults()
		})
	}
}
