package pipeline

import "github.com/mbiload/mbiload/extract"

// progressKey is the key of tr's progress events (see [Observer]): its
// kind and source id ("table 12", "figure 360531"), or for a local file
// its path. Table ids are unique in the warehouse, and a sync loads a
// figure or chart id once, so keys are unique within a run.
func (tr *TableReport) progressKey() string {
	if tr.Kind == "file" {
		return itemKey("file", tr.File)
	}
	return itemKey(tr.Kind, tr.SourceID)
}

// itemKey is the progress key of a thing of kind ("table", "figure",
// "chart" or "file") identified by id.
func itemKey(kind, id string) string { return kind + " " + id }

// tableKey is the progress key of a table.
func tableKey(t extract.Table) string { return itemKey("table", string(t.ID)) }

// key is the progress key of a figure or chart.
func (j reportJob) key() string { return itemKey(j.kind, string(j.id)) }

// progressItem is a table, figure or chart of a run as the progress
// display names it.
type progressItem struct {
	key    string // see TableReport.progressKey
	source string // the API's name
	target string // the table written, "" when unknown
}

// progressLabels returns each item's label, by key: its source name, with
// its target table in parentheses when another item of the run has the
// same source name (a figure and a table, or two figures, of one name),
// so that every line of the display can be told apart.
func progressLabels(items []progressItem) map[string]string {
	count := make(map[string]int, len(items))
	for _, it := range items {
		count[it.source]++
	}
	out := make(map[string]string, len(items))
	for _, it := range items {
		label := it.source
		switch {
		case label == "" && it.target != "":
			label = it.target
		case label == "":
			label = it.key
		case count[it.source] > 1 && it.target != "":
			label += " (" + it.target + ")"
		}
		out[it.key] = label
	}
	return out
}
