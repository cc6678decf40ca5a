package search

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Highlighting works on byte spans of the stored text, as recorded in the
// index's term vectors. A word and its sub-words give overlapping spans;
// they are merged before any markup is written, so every <mark> is whole.

// span is a matched byte range [start, end) of a field's text.
type span struct{ start, end int }

// mergeSpans sorts spans and merges those that overlap or touch, so that
// 职业 and 教育 next to each other become one mark. Spans outside
// [0, limit) are dropped or clipped.
func mergeSpans(spans []span, limit int) []span {
	out := make([]span, 0, len(spans))
	for _, s := range spans {
		s.start, s.end = max(s.start, 0), min(s.end, limit)
		if s.start < s.end {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// markText writes text[from:to] as HTML with <mark> around the parts
// covered by spans (merged, sorted). Runs of white space that hold a line
// break become one space when flatten is set.
func markText(b *strings.Builder, text string, from, to int, spans []span, flatten bool) {
	pos := from
	for _, s := range spans {
		if s.end <= from || s.start >= to {
			continue
		}
		st, en := max(s.start, from), min(s.end, to)
		writeEscaped(b, text[pos:st], flatten)
		b.WriteString("<mark>")
		writeEscaped(b, text[st:en], flatten)
		b.WriteString("</mark>")
		pos = en
	}
	writeEscaped(b, text[pos:to], flatten)
}

func writeEscaped(b *strings.Builder, s string, flatten bool) {
	if flatten && strings.ContainsAny(s, "\r\n\t") {
		s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }), " ")
	}
	b.WriteString(html.EscapeString(s))
}

// highlightTitle returns the whole title as HTML with matches marked.
func highlightTitle(title string, spans []span) string {
	var b strings.Builder
	markText(&b, title, 0, len(title), mergeSpans(spans, len(title)), false)
	return b.String()
}

// sentenceEnds lists the byte offsets where sentences end in text: after
// 。！？!?；… (and closing quotes that follow), after a full stop followed by
// a space, and at line breaks.
func sentenceEnds(text string) []int {
	var ends []int
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		end := false
		switch r {
		case '。', '！', '？', '!', '?', '；', '…', '\n':
			end = true
		case '.':
			end = i == len(text) || text[i] == ' ' || text[i] == '\n'
		}
		if !end {
			continue
		}
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !strings.ContainsRune("”’」』)）\"'", r) {
				break
			}
			i += n
		}
		ends = append(ends, i)
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(text) {
		ends = append(ends, len(text))
	}
	return ends
}

// window is a candidate fragment [start, end) of the body.
type window struct {
	start, end       int
	cutStart, cutEnd bool // cut inside a sentence
	terms            map[string]bool
	spans            int
}

// bodyFragments returns up to n fragments of about size characters of
// body, cut at sentence boundaries where possible, each holding matches;
// together they cover as many different matched words as they can. With
// no match it returns the start of the body.
func bodyFragments(body string, spans []span, n, size int) []string {
	body = strings.TrimRightFunc(body, unicode.IsSpace)
	if body == "" {
		return nil
	}
	spans = mergeSpans(spans, len(body))
	ends := sentenceEnds(body)
	if len(spans) == 0 {
		w := grow(body, ends, 0, size)
		return []string{formatWindow(body, w, nil)}
	}

	var cands []window
	for _, s := range spans {
		w := anchor(body, ends, s, size)
		w.terms = map[string]bool{}
		for _, t := range spans {
			if t.start >= w.start && t.end <= w.end {
				w.terms[strings.ToLower(body[t.start:t.end])] = true
				w.spans++
			}
		}
		cands = append(cands, w)
	}

	// Greedy: each pick adds the most words not yet shown, then the most
	// matches, then comes first.
	seen := map[string]bool{}
	var picked []window
	for len(picked) < n {
		best, bestNew, bestSpans := -1, 0, 0
		for i, w := range cands {
			if overlapsAny(w, picked) {
				continue
			}
			nw := 0
			for t := range w.terms {
				if !seen[t] {
					nw++
				}
			}
			if best < 0 || nw > bestNew || (nw == bestNew && w.spans > bestSpans) {
				best, bestNew, bestSpans = i, nw, w.spans
			}
		}
		if best < 0 || (len(picked) > 0 && bestNew == 0) {
			break
		}
		for t := range cands[best].terms {
			seen[t] = true
		}
		picked = append(picked, cands[best])
	}
	slices.SortFunc(picked, func(a, b window) int { return a.start - b.start })
	out := make([]string, len(picked))
	for i, w := range picked {
		out[i] = formatWindow(body, w, spans)
	}
	return out
}

func overlapsAny(w window, ws []window) bool {
	for _, o := range ws {
		if w.start < o.end && o.start < w.end {
			return true
		}
	}
	return false
}

// sentenceAt returns the sentence [start, end) holding byte offset at.
func sentenceAt(ends []int, at int) (int, int, int) {
	i, _ := slices.BinarySearch(ends, at+1)
	i = min(i, len(ends)-1)
	start := 0
	if i > 0 {
		start = ends[i-1]
	}
	return start, ends[i], i
}

// grow returns the window made of whole sentences from byte from, adding
// sentences while the total stays within size characters (the first one
// is cut when it alone is longer).
func grow(body string, ends []int, from, size int) window {
	_, end, i := sentenceAt(ends, from)
	w := window{start: from, end: end}
	if runes(body, w.start, w.end) > size {
		w.end, w.cutEnd = cutAfter(body, w.start, size), true
		return w
	}
	for i+1 < len(ends) && runes(body, w.start, ends[i+1]) <= size {
		i++
		w.end = ends[i]
	}
	return w
}

// anchor returns a window around span s: its sentence and the ones after
// (and before) it while they fit, or a cut of a long sentence that starts
// a little before the match.
func anchor(body string, ends []int, s span, size int) window {
	ss, se, i := sentenceAt(ends, s.start)
	if runes(body, ss, se) <= size {
		w := window{start: ss, end: se}
		for j := i + 1; j < len(ends) && runes(body, w.start, ends[j]) <= size; j++ {
			w.end = ends[j]
		}
		for j := i - 1; j >= 0; j-- {
			st := 0
			if j > 0 {
				st = ends[j-1]
			}
			if runes(body, st, w.end) > size {
				break
			}
			w.start = st
		}
		return w
	}
	// A long sentence: start about a fifth of the window before the match,
	// at a word boundary when the text has spaces.
	start := backRunes(body, s.start, size/5, ss)
	w := window{start: start, cutStart: start > ss}
	w.end = cutAfter(body, start, size)
	if w.end < s.end {
		w.end = min(s.end, se)
	}
	if w.end >= se {
		w.end = se
	} else {
		w.cutEnd = true
	}
	return w
}

// backRunes moves back up to n runes from at, not before floor, then
// forward to the start of a word if a space is near.
func backRunes(text string, at, n, floor int) int {
	i := at
	for k := 0; k < n && i > floor; k++ {
		_, sz := utf8.DecodeLastRuneInString(text[:i])
		i -= sz
	}
	if i > floor {
		if sp := strings.IndexByte(text[i:at], ' '); sp >= 0 {
			i += sp + 1
		}
	}
	return i
}

// cutAfter returns the byte offset size runes after from (or the end),
// moved back to a space when one is near, so English words stay whole.
func cutAfter(text string, from, size int) int {
	i := from
	for k := 0; k < size && i < len(text); k++ {
		_, sz := utf8.DecodeRuneInString(text[i:])
		i += sz
	}
	if i < len(text) {
		if sp := strings.LastIndexByte(text[from:i], ' '); sp > (i-from)*2/3 {
			i = from + sp
		}
	}
	return i
}

func runes(text string, from, to int) int {
	return utf8.RuneCountInString(text[from:to])
}

// formatWindow renders a window as HTML; a cut is shown as "…".
func formatWindow(body string, w window, spans []span) string {
	var b strings.Builder
	start, end := w.start, w.end
	for start < end && body[start] <= ' ' {
		start++
	}
	for end > start && body[end-1] <= ' ' {
		end--
	}
	if w.cutStart {
		b.WriteString("…")
	}
	markText(&b, body, start, end, spans, true)
	if w.cutEnd {
		b.WriteString("…")
	}
	return b.String()
}
