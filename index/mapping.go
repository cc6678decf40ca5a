package index

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/wensou/wensou/index/pinyin"
	"github.com/wensou/wensou/index/zh"
)

// Field names in the index. Title and body are analyzed by [zh] and carry
// term vectors for highlighting; author is a keyword and date a datetime,
// both with doc values, from which the columns for facets and sorting are
// built.
const (
	FieldTitle = "title"
	// FieldTitlePinyin holds every reading of the title's Chinese
	// characters (package pinyin), FieldTitleInitials their first
	// letters: pinyin typed finds the Chinese title.
	FieldTitlePinyin   = "title_pinyin"
	FieldTitleInitials = "title_initials"
	// FieldAuthorPinyin holds the readings of the authors' names: libai
	// finds 李白.
	FieldAuthorPinyin = "author_pinyin"
	FieldBody         = "body"
	FieldAuthor       = "author"      // exact names: filters and facets
	FieldAuthorText   = "author_text" // analyzed names: author: queries
	FieldDate         = "date"
	FieldURL          = "url"
	FieldSource       = "source"
	FieldTags         = "tags" // lower-cased exact tags
	FieldOrigin       = "origin"
	FieldHash         = "hash"
)

// SchemaVersion changes whenever the mapping below changes in a way that
// needs a rebuild.
const SchemaVersion = 6

// keywordLower is the analyzer for tags: the whole value, lower-cased.
const keywordLower = "keyword_lower"

// textAnalyzer is the analyzer of title, body and author_text: [zh] in
// search mode, bound by fingerprint to the dictionary the index was built
// with, so indexes built with different dictionaries live side by side
// in one process (a rebuild beside the live index).
const textAnalyzer = "wensou_text"

// newMapping builds the index mapping: explicit fields only, no _all, and
// doc values only where facets or sorting read them.
func newMapping(analysis string) (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	err := im.AddCustomAnalyzer(keywordLower, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []any{lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("define analyzer %s: %w", keywordLower, err)
	}
	err = im.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":            zh.IndexAnalyzer,
		zh.ConfigAnalysis: analysis,
	})
	if err != nil {
		return nil, fmt.Errorf("define analyzer %s: %w", textAnalyzer, err)
	}
	im.DefaultAnalyzer = textAnalyzer
	im.ScoringModel = bindex.BM25Scoring
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	text := func(store, vectors bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = textAnalyzer
		f.Store = store
		f.IncludeTermVectors = vectors
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(store, index, docValues bool, analyzer string) *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.Index = index
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	date := mapping.NewDateTimeFieldMapping()
	date.Store = true
	date.IncludeInAll = false
	date.DocValues = true

	dm := mapping.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(FieldTitle, text(true, true))
	dm.AddFieldMappingsAt(FieldBody, text(true, true))
	for _, fa := range [][2]string{{FieldTitlePinyin, pinyin.Analyzer}, {FieldTitleInitials, pinyin.InitialsAnalyzer}, {FieldAuthorPinyin, pinyin.Analyzer}} {
		f := text(false, true) // vectors: the hit's title is highlighted
		f.Analyzer = fa[1]
		dm.AddFieldMappingsAt(fa[0], f)
	}
	dm.AddFieldMappingsAt(FieldAuthor, kw(true, true, true, keyword.Name))
	dm.AddFieldMappingsAt(FieldAuthorText, text(false, false))
	dm.AddFieldMappingsAt(FieldDate, date)
	dm.AddFieldMappingsAt(FieldURL, kw(true, false, false, keyword.Name))
	dm.AddFieldMappingsAt(FieldSource, kw(true, true, false, keyword.Name))
	dm.AddFieldMappingsAt(FieldTags, kw(true, true, false, keywordLower))
	dm.AddFieldMappingsAt(FieldOrigin, kw(true, true, false, keyword.Name))
	dm.AddFieldMappingsAt(FieldHash, kw(true, false, false, keyword.Name))
	im.DefaultMapping = dm
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("validate mapping: %w", err)
	}
	return im, nil
}
