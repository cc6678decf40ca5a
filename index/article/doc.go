// Package article reads article files into one normalized [Article] type,
// for indexing.
//
// It owns:
//
//   - file formats: JSON Lines (.jsonl, .ndjson), JSON arrays (.json, streamed
//     element by element), plain text (.txt: a title line, "Author:… Time:…"
//     header lines, a body ending at "- END -" or an editor's credit line) and
//     Markdown (.md, .markdown, with optional front matter). [ReadFile] reads
//     one file, [Walk] files and directory trees, [ReadJSONLines] any reader,
//     and [Parse] one JSON object;
//   - field aliases ("content" and "text" for the body, "published" for the
//     date, "link" for the url, …), decided in one place, [Parse];
//   - normalization ([Article.Normalize]): trimming, line endings, author
//     splitting ("王建宏 张文攀" is two authors, "Janie Gabbett, Reuters" is
//     one), placeholder authors such as "UNKNOWN" dropped, tag deduplication;
//   - dates: [ParseDate] knows the shapes found in news (2022.09.23,
//     2022年9月23日, 26-FEB-1987 15:07:13.72, RFC 3339, RFC 1123, 1998-3,
//     2018, …), in [Options.Location] unless the date carries an offset;
//   - ids: a given id is kept, a missing one is derived from the content, the
//     same in every format; [Article.Hash] detects changed content;
//   - rejections with precise reasons ([Record.Problem] reads
//     "news.jsonl:17: invalid JSON: …") and warnings that keep the article
//     (an unparseable date).
//
// It does not index, search or store anything: the index package does, from
// the articles this package returns. It does not fetch URLs or strip HTML or
// Markdown syntax.
//
// Everything here is safe for concurrent use: functions keep no state
// between calls. Readers call fn from the calling goroutine, in input order.
package article
