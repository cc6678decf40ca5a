// Package zh is wensou's text analysis for Chinese and English: a bleve
// analyzer backed by the gse segmenter.
//
// [Load] builds a [Segmenter] from the dictionary embedded in gse plus
// optional user words and extra stop words ([Options], read from a
// directory by [LoadDir]), and makes it the current one. Every segmenter
// built is kept by its [Segmenter.Fingerprint] ([Lookup]), so indexes
// built with different dictionaries can live in one process. Importing
// the package registers two analyzers in bleve's registry:
//
//   - [IndexAnalyzer] ("zh"): gse accurate segmentation plus every
//     multi-character sub-word from gse's word tree, for indexing.
//   - [QueryAnalyzer] ("zh_query"): accurate segmentation only, for queries.
//
// They use the current segmenter, or the one whose fingerprint a custom
// analyzer's config names under [ConfigAnalysis].
//
// Both fold full-width ASCII to half-width, Traditional to Simplified
// characters and letters to lower case, drop a short list of function
// words, stem English words, and keep every token's Start/End on the
// original bytes: input[Start:End] is always the text the token came from.
//
// Positions count "units": one per Han character and one per run of
// letters or digits, with one extra at punctuation. A sub-word gets the
// position of its first unit, so a phrase matches whatever way each side
// was segmented, and a phrase never matches across punctuation.
//
// Segmentation is gse's, reproduced over a lexicon: gse's dictionary
// (with the user words) in flat arrays, built from gse's text once per
// fingerprint and kept in a cache directory ([CacheDirEnv]), so a start
// reads 24 MB in milliseconds instead of loading gse for a second and a
// half. Tests compare it with gse word for word.
//
// The package does not know about fields, mappings or indexes; index/ does.
package zh
