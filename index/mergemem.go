package index

import (
	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zapv17 "github.com/blevesearch/zapx/v17"
)

// Merges and memory.
//
// A merge reads its source segments whole through their read-only
// mappings: zapx copies every stored article, then walks every field's
// dictionary and postings. Each page it reads stays mapped into the
// process until the sources are closed, after the merged segment
// replaces them; so during the last large merges of a big build the
// process's resident memory grew by the size of all the sources (a
// million articles: 2.3-2.9 GB of mapped pages beside 1.3 GB of its own,
// a peak of 4.2 GB), although the merge needs each page only once.
//
// So the index registers zapx's plugin with one change: while a merge
// runs, the pages of its sources are dropped from the process's mappings
// once a second (see trimMapped). Nothing is lost by that: the mappings
// are shared, read-only mappings of files, so a dropped page stays in the
// page cache and a later read maps it again (a minor fault). Searches
// that read the same segments meanwhile map again what they use.
func init() {
	scorch.RegisterSegmentPlugin(trimmingPlugin{&zapv17.ZapPlugin{}}, true)
}

// trimmingPlugin is zapx's segment plugin whose merges drop the pages of
// their sources that they have read.
type trimmingPlugin struct {
	*zapv17.ZapPlugin
}

func (p trimmingPlugin) Merge(segments []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter) ([][]uint64, uint64, error) {
	defer trimWhileMerging(segments)()
	return p.ZapPlugin.Merge(segments, drops, path, closeCh, s)
}

func (p trimmingPlugin) MergeUsing(segments []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter, config map[string]any) ([][]uint64, uint64, error) {
	defer trimWhileMerging(segments)()
	return p.ZapPlugin.MergeUsing(segments, drops, path, closeCh, s, config)
}

// pather is a segment kept in a file (zapx's *Segment).
type pather interface{ Path() string }

// sourceFiles are the paths of the segments kept in files.
func sourceFiles(segments []segment.Segment) []string {
	var paths []string
	for _, s := range segments {
		if p, ok := s.(pather); ok && p.Path() != "" {
			paths = append(paths, p.Path())
		}
	}
	return paths
}
