package zh

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

const (
	// IndexAnalyzer is the registry name of the indexing analyzer
	// (search mode).
	IndexAnalyzer = "zh"
	// QueryAnalyzer is the registry name of the query analyzer
	// (accurate mode).
	QueryAnalyzer = "zh_query"
	// ConfigAnalysis is the optional key of a custom analyzer's config
	// that binds it to the segmenter with that fingerprint (a string, see
	// [Segmenter.Fingerprint]), so that indexes with different
	// dictionaries coexist in one process:
	//
	//	im.AddCustomAnalyzer("text", map[string]any{
	//		"type":             zh.IndexAnalyzer,
	//		zh.ConfigAnalysis: seg.Fingerprint(),
	//	})
	//
	// The analyzer finds the segmenter with [Lookup] when built, or else
	// on its first Analyze after [Load] has built it; until then it uses
	// the current one. Without the key an analyzer always uses the
	// current segmenter.
	ConfigAnalysis = "analysis"
)

func constructor(mode Mode) registry.AnalyzerConstructor {
	return func(config map[string]any, _ *registry.Cache) (analysis.Analyzer, error) {
		v, ok := config[ConfigAnalysis]
		if !ok {
			return NewAnalyzer(mode)
		}
		fp, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("zh analyzer: %q must be a fingerprint string, not %T", ConfigAnalysis, v)
		}
		if fp == "" {
			return NewAnalyzer(mode)
		}
		return newBoundAnalyzer(fp, mode)
	}
}

func init() {
	if err := registry.RegisterAnalyzer(IndexAnalyzer, constructor(Search)); err != nil {
		panic(err)
	}
	if err := registry.RegisterAnalyzer(QueryAnalyzer, constructor(Accurate)); err != nil {
		panic(err)
	}
}
