package zh

import (
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
)

func indexConstructor(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
	return NewAnalyzer(Search)
}

func queryConstructor(map[string]any, *registry.Cache) (analysis.Analyzer, error) {
	return NewAnalyzer(Accurate)
}

func init() {
	if err := registry.RegisterAnalyzer(IndexAnalyzer, indexConstructor); err != nil {
		panic(err)
	}
	if err := registry.RegisterAnalyzer(QueryAnalyzer, queryConstructor); err != nil {
		panic(err)
	}
}
