// Package synonym reads synonym files and answers which entries a word or
// phrase also means, so that search can widen a query with them at query
// time (no index rebuild is needed when they change).
//
// It owns:
//
//   - the *.syn format ([Parse], [LoadDir]) and its errors ("file:line:
//     reason", [*LineError], matching [ErrSyntax]);
//   - the parsed rules as an immutable [Set] ([Set.Expand],
//     [Set.Fingerprint]);
//   - hot reload of a directory ([Live], [Live.Run]).
//
// It does not tokenize, fold full-width or Traditional characters, or
// build queries: the search package decides how an expansion becomes a
// query. Package index/zh lets *.syn files sit beside its *.dict and *.stop
// files but does not read them.
//
// # Format
//
// A *.syn file is UTF-8, one group or rule a line. Blank lines and lines
// starting with # are comments, and so is the rest of a line from a #
// that follows whitespace (so "c#" is an entry but "a b # note" has two).
//
//	# an equivalence group: every entry is a synonym of every other
//	北大 北京大学
//	laptop notebook
//	# with a comma on the line, entries are separated by commas and may
//	# hold spaces
//	new york, nyc, big apple
//	# a one-way rule: each entry on the left also means every entry on
//	# the right, not the reverse
//	央行 => 中国人民银行
//	fed => federal reserve, federal reserve system
//
// Each side of => decides for itself whether commas separate its entries:
// "fed => federal reserve" has two entries on the right, "federal" and
// "reserve", and "new york, nyc => new york city" three; a comma on the
// right keeps a phrase whole.
//
// Whitespace around an entry is trimmed and runs of it inside one collapse
// to a single space. English entries compare without case: they are stored
// lower-cased ([strings.ToLower]); Chinese is kept as written. A group or
// rule needs at least two distinct entries, an entry at most [MaxRunes]
// runes and no control characters, and a line at most [MaxEntries]
// entries.
package synonym
