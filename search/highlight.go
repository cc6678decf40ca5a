package search

import (
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
	out := clipSpans(spans, limit)
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

// clipSpans returns a sorted copy of spans (by start, longest first),
// clipped to [0, limit), without the empty ones.
func clipSpans(spans []span, limit int) []span {
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
	return out
}

// runeSpans widens spans that start or end inside a multi-byte character
// to the whole character. Term vectors never do this, but a <mark> inside
// a character would make the output invalid UTF-8.
func runeSpans(text string, spans []span) []span {
	out := spans
	for i, s := range spans {
		s.start, s.end = max(s.start, 0), min(s.end, len(text))
		for s.start > 0 && s.start < len(text) && !utf8.RuneStart(text[s.start]) {
			s.start--
		}
		for s.end > 0 && s.end < len(text) && !utf8.RuneStart(text[s.end]) {
			s.end++
		}
		if s != spans[i] {
			if &out[0] == &spans[0] {
				out = slices.Clone(spans) // don't write to the caller's slice
			}
			out[i] = s
		}
	}
	return out
}

// markText writes text[from:to] as HTML with <mark> around the parts
// covered by spans (merged, sorted). Runs of white space that hold a line
// break or a tab become one space when flatten is set.
func markText(b *strings.Builder, text string, from, to int, spans []span, flatten bool) {
	pos := from
	for _, s := range spans {
		if s.end <= from || s.start >= to {
			continue
		}
		st, en := max(s.start, from, pos), min(s.end, to)
		// A mark never begins or ends with white space: a space run split
		// by a mark edge would flatten differently on either side.
		for st < en {
			r, n := utf8.DecodeRuneInString(text[st:])
			if !unicode.IsSpace(r) {
				break
			}
			st += n
		}
		for en > st {
			r, n := utf8.DecodeLastRuneInString(text[:en])
			if !unicode.IsSpace(r) {
				break
			}
			en -= n
		}
		if st >= en {
			continue
		}
		writeEscaped(b, text[pos:st], flatten)
		b.WriteString("<mark>")
		writeEscaped(b, text[st:en], flatten)
		b.WriteString("</mark>")
		pos = en
	}
	writeEscaped(b, text[pos:to], flatten)
}

// writeEscaped writes s HTML-escaped. With flatten, each run of white
// space holding \n, \r or \t becomes a single space; other runs (a space,
// an ideographic space inside a line) are kept. Earlier versions split on
// the break characters and dropped those at either end of s, so "world\n"
// followed by a mark came out as "world<mark>…" with no space.
func writeEscaped(b *strings.Builder, s string, flatten bool) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		switch c {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			i++
			last = i
			continue
		}
		if !flatten || c > ' ' && c < utf8.RuneSelf {
			i++
			continue
		}
		// A run of white space: find its end and whether it breaks lines.
		j, breaks := i, false
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r) {
				break
			}
			breaks = breaks || r == '\n' || r == '\r' || r == '\t'
			j += n
		}
		if j == i { // not white space
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		if breaks {
			b.WriteString(s[last:i])
			b.WriteByte(' ')
			last = j
		}
		i = j
	}
	b.WriteString(s[last:])
}

// highlightTitle returns the whole title as HTML with matches marked.
func highlightTitle(title string, spans []span) string {
	var b strings.Builder
	markText(&b, title, 0, len(title), mergeSpans(runeSpans(title, spans), len(title)), false)
	return b.String()
}

// closers are the quotes and brackets that stay with the sentence they
// close.
const closers = "”’」』)）\"'"

// sentenceEnds lists the byte offsets where sentences end in text: after
// 。！？!?；… (and closing quotes that follow), after a full stop followed
// by a space, a line break or the end (closing quotes may come between),
// and at line breaks. The last offset is always len(text).
func sentenceEnds(text string) []int {
	var ends []int
	for i := 0; i < len(text); {
		// Bytes, not runes: the ends are ASCII or start with a lead byte
		// (E2, E3, EF) that no other character has inside it, so only
		// those are looked at.
		for i < len(text) && !sentenceByte[text[i]] {
			i++
		}
		if i == len(text) {
			break
		}
		var r rune
		switch c := text[i]; c {
		case '\n', '!', '?', '.':
			r = rune(c)
			i++
		case 0xE2, 0xE3, 0xEF:
			var n int
			r, n = utf8.DecodeRuneInString(text[i:])
			i += n
		default:
			i++
			continue
		}
		switch r {
		case '\n':
			// Nothing is taken after a line break: a quote there opens
			// the next paragraph.
			ends = append(ends, i)
			continue
		case '。', '！', '？', '!', '?', '；', '…', '.':
		default:
			continue
		}
		j := i
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if !strings.ContainsRune(closers, r) {
				break
			}
			j += n
		}
		if r == '.' && j < len(text) && text[j] != ' ' && text[j] != '\n' {
			continue // 1.18, example.com, "e.g.," go on
		}
		i = j
		ends = append(ends, i)
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(text) {
		ends = append(ends, len(text))
	}
	return ends
}

// sentenceByte marks the bytes that may begin a sentence end.
var sentenceByte = func() (t [256]bool) {
	for _, c := range []byte{'\n', '!', '?', '.', 0xE2, 0xE3, 0xEF} {
		t[c] = true
	}
	return t
}()

// window is a candidate fragment [start, end) of the body.
type window struct {
	start, end int
	// words[lo:hi] are the matched words (sorted spans) starting inside
	// the window; only those also ending inside it count.
	lo, hi int
}

// bodyFragments returns up to n fragments of about size characters of
// body, cut at sentence boundaries where possible, each holding matches;
// together they cover as many different matched words as they can, and
// they come in document order without overlapping. With no match it
// returns the start of the body; with a blank body or n < 1, nothing.
//
// Different words are told apart on the spans as given (lower-cased), not
// on the merged marks: 中华人民共和国 with 人民 inside it shows two words.
func bodyFragments(body string, spans []span, n, size int) []string {
	body = strings.TrimRightFunc(body, unicode.IsSpace)
	if body == "" || n <= 0 {
		return nil
	}
	size = max(size, 1)
	words := clipSpans(runeSpans(body, spans), len(body))
	marks := mergeSpans(words, len(body))
	ends := sentenceEnds(body)
	if len(marks) == 0 {
		w := grow(body, ends, size)
		return []string{formatWindow(body, ends, w, nil)}
	}

	// Each word gets a small id, so counting a window's new words needs
	// no map per window.
	ids := make([]int, len(words))
	byText := map[string]int{}
	for i, s := range words {
		t := strings.ToLower(body[s.start:s.end])
		id, ok := byText[t]
		if !ok {
			id = len(byText)
			byText[t] = id
		}
		ids[i] = id
	}

	cands := make([]window, len(marks))
	for i := range marks {
		w := anchor(body, ends, marks, i, size)
		w.lo, _ = slices.BinarySearchFunc(words, w.start, func(s span, at int) int { return s.start - at })
		w.hi, _ = slices.BinarySearchFunc(words, w.end, func(s span, at int) int { return s.start - at })
		cands[i] = w
	}

	// Greedy: each pick adds the most words not yet shown, then the most
	// matches, then comes first.
	seen := make([]bool, len(byText))
	stamp := make([]int, len(byText)) // stamp[id] == k+1: counted for candidate k
	var picked []window
	for len(picked) < n {
		best, bestNew, bestSpans := -1, 0, 0
		for k, w := range cands {
			if overlapsAny(w, picked) {
				continue
			}
			nw, ns := 0, 0
			for j := w.lo; j < w.hi; j++ {
				if words[j].end > w.end {
					continue
				}
				ns++
				if id := ids[j]; !seen[id] && stamp[id] != k+1 {
					stamp[id] = k + 1
					nw++
				}
			}
			if best < 0 || nw > bestNew || (nw == bestNew && ns > bestSpans) {
				best, bestNew, bestSpans = k, nw, ns
			}
		}
		if best < 0 || (len(picked) > 0 && bestNew == 0) {
			break
		}
		w := cands[best]
		for j := w.lo; j < w.hi; j++ {
			if words[j].end <= w.end {
				seen[ids[j]] = true
			}
		}
		picked = append(picked, w)
		clear(stamp) // ids counted in this round must count again next round
	}
	slices.SortFunc(picked, func(a, b window) int { return a.start - b.start })
	out := make([]string, len(picked))
	for i, w := range picked {
		out[i] = formatWindow(body, ends, w, marks)
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

// sentenceAt returns the sentence [start, end) holding byte offset at,
// and the index of its end in ends.
func sentenceAt(ends []int, at int) (int, int, int) {
	i, _ := slices.BinarySearch(ends, at+1)
	i = min(i, len(ends)-1)
	start := 0
	if i > 0 {
		start = ends[i-1]
	}
	return start, ends[i], i
}

// isBoundary reports whether at is the start or end of a sentence.
func isBoundary(ends []int, at int) bool {
	_, found := slices.BinarySearch(ends, at)
	return at == 0 || found
}

// grow returns the window made of whole sentences from the start of body,
// adding sentences while the total stays within size characters (the
// first one is cut when it alone is longer).
func grow(body string, ends []int, size int) window {
	w := window{end: ends[0]}
	if !fits(body, 0, w.end, size) {
		w.end = cutAfter(body, 0, w.end, size)
		return w
	}
	for i := 1; i < len(ends) && fits(body, 0, ends[i], size); i++ {
		w.end = ends[i]
	}
	return w
}

// anchor returns a window around marks[k]: its sentence and the ones after
// (and before) it while they fit, or a cut of a long sentence that starts
// a little before the match. A cut never falls inside a mark.
func anchor(body string, ends []int, marks []span, k, size int) window {
	s := marks[k]
	ss, se, i := sentenceAt(ends, s.start)
	var w window
	if used := runesUpTo(body, ss, se, size); used <= size {
		w = window{start: ss, end: se}
		for j := i + 1; j < len(ends); j++ {
			if used += runesUpTo(body, w.end, ends[j], size-used); used > size {
				break
			}
			w.end = ends[j]
		}
		used = runesUpTo(body, w.start, w.end, size)
		for j := i - 1; j >= 0; j-- {
			st := 0
			if j > 0 {
				st = ends[j-1]
			}
			if used += runesUpTo(body, st, w.start, size-used); used > size {
				break
			}
			w.start = st
		}
	} else {
		// A long sentence: start about a fifth of the window before the
		// match, at a word boundary when the text has words. When the
		// sentence ends before the window is full, start earlier instead,
		// so that a match near the end of a long sentence still gets about
		// size characters of context.
		w.start = backRunes(body, s.start, size/5, ss)
		w.end = cutAfter(body, w.start, se, size)
		if w.end == se && w.start > ss {
			if left := size - runes(body, w.start, w.end); left > 0 {
				w.start = backRunes(body, w.start, left, ss)
			}
		}
		w.end = max(w.end, min(s.end, len(body)))
	}
	// Keep marks whole: a cut inside one moves to its edge, taking the
	// whole word at the start and leaving out the word at the end (unless
	// it is the anchor's own match).
	if t, ok := markAt(marks, w.start); ok {
		w.start = t.start
	}
	if t, ok := markAt(marks, w.end); ok {
		if t.start > s.start {
			w.end = t.start
		} else {
			w.end = t.end
		}
	}
	return w
}

// markAt returns the mark that at falls strictly inside, if any.
func markAt(marks []span, at int) (span, bool) {
	i, _ := slices.BinarySearchFunc(marks, at, func(s span, at int) int { return s.end - at })
	if i < len(marks) && marks[i].end == at {
		i++
	}
	if i < len(marks) && marks[i].start < at && at < marks[i].end {
		return marks[i], true
	}
	return span{}, false
}

// fits reports whether text[from:to] holds at most size runes.
func fits(text string, from, to, size int) bool {
	return runesUpTo(text, from, to, size) <= size
}

// runesUpTo returns the number of runes in text[from:to], or limit+1 if
// there are more than limit, without counting a long text through: a rune
// takes at most 4 bytes.
func runesUpTo(text string, from, to, limit int) int {
	switch n := to - from; {
	case limit < 0:
		return limit + 1
	case n > 4*limit:
		return limit + 1
	}
	return min(utf8.RuneCountInString(text[from:to]), limit+1)
}

// isWordRune reports whether r is part of a word that must not be cut:
// letters and digits of alphabetic scripts. Han, kana and hangul are
// written without spaces, so a cut between two of them is fine.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '\''
	}
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '’'
}

// insideWord reports whether at falls between two word runes of text.
func insideWord(text string, at int) bool {
	if at <= 0 || at >= len(text) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(text[:at])
	after, _ := utf8.DecodeRuneInString(text[at:])
	return isWordRune(before) && isWordRune(after)
}

// backRunes moves back up to n runes from at, not before floor; if that
// lands inside a word, it moves forward past the word and the spaces after
// it (not beyond at).
func backRunes(text string, at, n, floor int) int {
	i := at
	for k := 0; k < n && i > floor; k++ {
		_, sz := utf8.DecodeLastRuneInString(text[:i])
		i -= sz
	}
	if i > floor && insideWord(text, i) {
		j := i
		for j < at {
			r, sz := utf8.DecodeRuneInString(text[j:])
			if !isWordRune(r) {
				break
			}
			j += sz
		}
		for j < at && text[j] == ' ' {
			j++
		}
		i = j
	}
	return i
}

// cutAfter returns the byte offset size runes after from, or limit if that
// comes first. A cut inside a word moves back to the word's start, unless
// the word is longer than a third of the fragment (a URL, say).
func cutAfter(text string, from, limit, size int) int {
	i := from
	for k := 0; k < size && i < limit; k++ {
		_, sz := utf8.DecodeRuneInString(text[i:])
		i += sz
	}
	if i < limit && insideWord(text, i) {
		j := i
		for j > from {
			r, sz := utf8.DecodeLastRuneInString(text[:j])
			if !isWordRune(r) {
				break
			}
			j -= sz
		}
		if j > from && i-j <= (i-from)/3 {
			i = j
		}
	}
	return i
}

func runes(text string, from, to int) int {
	return utf8.RuneCountInString(text[from:to])
}

// formatWindow renders a window as HTML; a cut inside a sentence is shown
// as "…". White space at either end is left out.
func formatWindow(body string, ends []int, w window, marks []span) string {
	var b strings.Builder
	start, end := w.start, w.end
	for start < end {
		r, n := utf8.DecodeRuneInString(body[start:])
		if !unicode.IsSpace(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(body[:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= n
	}
	b.Grow(end - start + 16*len(marks) + 8)
	cutStart := !isBoundary(ends, w.start) && !spaceBefore(body, w.start)
	cutEnd := !isBoundary(ends, w.end)
	if cutStart {
		b.WriteString("…")
	}
	markText(&b, body, start, end, marks, true)
	if cutEnd {
		b.WriteString("…")
	}
	return b.String()
}

// spaceBefore reports whether the text before at ends in a line break
// (possibly followed by other white space): a paragraph's start is no cut.
func spaceBefore(text string, at int) bool {
	for at > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:at])
		if r == '\n' {
			return true
		}
		if !unicode.IsSpace(r) {
			return false
		}
		at -= n
	}
	return true
}
