// Package index owns wensou's bleve index: it is the one package that
// uses bleve's index-level API, for one index directory.
//
// It owns:
//
//   - the mapping, built in Go with the field names as constants
//     ([FieldTitle], [FieldBody], …): title and body analyzed by package zh
//     with the dictionary the index was built with, authors and tags as
//     keywords, the date as a datetime, plus each article's origin file
//     and content hash. An index records its [SchemaVersion] and analyzer
//     ([Meta]); one built by a wensou with other rules is refused
//     ([ErrIncompatible], a [*CompatError]) unless it is opened only to
//     read its articles back for a rebuild;
//   - opening, creating and closing an index ([Open], [Index.Close]),
//     in memory or on disk, and whether its dictionary is out of date
//     ([Index.AnalysisStale]);
//   - writes: [Index.Put] and [Index.Delete], durable when they return (a
//     failing disk gives a [*StorageError] and leaves the index as it
//     was); [Ingest] and [WriteAll], which write article files or a
//     stream of articles in size-capped batches; [Sync], which makes
//     the index match its files, deleting only what it is sure is gone;
//     and [Index.ApplyLog], which applies entries of a replicated log
//     (package replica) with their sequence in one batch ([Index.Applied]);
//   - reads: [Index.Get] and [Index.Scan] of the stored articles, and
//     [Reader], a consistent view for one search that matches bleve
//     queries and exposes per-segment [Columns] (authors, dates, months)
//     for filters, facets and sorting;
//   - bleve's errors, translated at this boundary (a missing index is
//     [ErrNotExist]; others are wrapped), so that none reaches callers.
//
// It does not read or normalize article files (package article does),
// segment text (package zh, whose analyzers the mapping names), turn a
// user's query into bleve queries or rank, facet and highlight results
// (package search, through [Reader]), or keep generations of an index,
// rebuild one beside the live one or journal writes meanwhile (package
// store). It knows nothing of HTTP or the command line.
//
// An [*Index] is safe for concurrent use; the caller must Close it.
package index
