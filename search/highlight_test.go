package search

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// find returns the spans of every occurrence of each word in text, word
// by word (so not sorted when several words are given), as term vectors
// would record them.
func find(text string, words ...string) []span {
	var out []span
	for _, w := range words {
		for i := 0; ; {
			j := strings.Index(text[i:], w)
			if j < 0 {
				break
			}
			out = append(out, span{i + j, i + j + len(w)})
			i += j + len(w)
		}
	}
	return out
}

func TestMergeSpans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    []span
		limit int
		want  []span
	}{
		{"none", nil, 10, []span{}},
		{"one", []span{{2, 4}}, 10, []span{{2, 4}}},
		{"apart", []span{{0, 2}, {5, 7}}, 10, []span{{0, 2}, {5, 7}}},
		{"unsorted", []span{{5, 7}, {0, 2}}, 10, []span{{0, 2}, {5, 7}}},
		{"overlapping", []span{{0, 6}, {3, 9}}, 20, []span{{0, 9}}},
		{"overlapping unsorted", []span{{3, 9}, {0, 6}}, 20, []span{{0, 9}}},
		// 中华人民共和国 (21 bytes) and 人民 inside it.
		{"nested", []span{{6, 12}, {0, 21}}, 30, []span{{0, 21}}},
		{"nested same start", []span{{0, 6}, {0, 21}}, 30, []span{{0, 21}}},
		{"nested then apart", []span{{0, 10}, {2, 3}, {11, 12}}, 20, []span{{0, 10}, {11, 12}}},
		// 职业 + 教育 touching become one mark.
		{"adjacent", []span{{0, 6}, {6, 12}}, 20, []span{{0, 12}}},
		{"chain", []span{{0, 3}, {2, 5}, {5, 7}}, 20, []span{{0, 7}}},
		{"duplicates", []span{{1, 3}, {1, 3}}, 10, []span{{1, 3}}},
		{"clipped", []span{{-3, 2}, {8, 20}}, 10, []span{{0, 2}, {8, 10}}},
		{"out of range", []span{{12, 15}, {10, 11}, {-5, 0}}, 10, []span{}},
		{"empty and inverted", []span{{4, 4}, {5, 3}}, 10, []span{}},
		{"start and end of text", []span{{7, 10}, {0, 3}}, 10, []span{{0, 3}, {7, 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := append([]span(nil), tt.in...)
			got := mergeSpans(in, tt.limit)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(span{})); diff != "" {
				t.Errorf("mergeSpans(%v, %d) mismatch (-want +got):\n%s", tt.in, tt.limit, diff)
			}
			if diff := cmp.Diff(tt.in, in, cmp.AllowUnexported(span{})); diff != "" {
				t.Errorf("mergeSpans(%v, %d) changed its input (-was +now):\n%s", tt.in, tt.limit, diff)
			}
		})
	}
}

func TestSentenceEnds(t *testing.T) {
	t.Parallel()
	n := func(s string) int { return len(s) }
	tests := []struct {
		name string
		in   string
		want []int
	}{
		{"empty", "", []int{0}},
		{"no end", "没有标点", []int{n("没有标点")}},
		{"chinese", "你好。世界！", []int{n("你好。"), n("你好。世界！")}},
		{"question then exclamation", "什么？！好", []int{n("什么？"), n("什么？！"), n("什么？！好")}},
		{"semicolon and ellipsis", "一；二……三", []int{n("一；"), n("一；二…"), n("一；二……"), n("一；二……三")}},
		{"closing quote stays", "他说：“好。”然后走了", []int{n("他说：“好。”"), n("他说：“好。”然后走了")}},
		{"closing bracket stays", "（见下图。）下面", []int{n("（见下图。）"), n("（见下图。）下面")}},
		{"english", "Hello. World", []int{n("Hello."), n("Hello. World")}},
		{"english question", "Why? Because!", []int{n("Why?"), n("Why? Because!")}},
		{"decimal is no end", "Go 1.18 is out.", []int{n("Go 1.18 is out.")}},
		{"domain is no end", "see example.com today", []int{n("see example.com today")}},
		{"ellipsis dots", "Wait... what", []int{n("Wait..."), n("Wait... what")}},
		{"full stop inside quotes", `He said "stop." Then left.`, []int{n(`He said "stop."`), n(`He said "stop." Then left.`)}},
		{"paragraphs", "第一段\n\n第二段", []int{n("第一段\n"), n("第一段\n\n"), n("第一段\n\n第二段")}},
		{"full stop before newline", "End.\nNext", []int{n("End."), n("End.\n"), n("End.\nNext")}},
		// A quote after a line break opens the next paragraph: it must not
		// be taken into the previous sentence.
		{"quote opens paragraph", "End.\n\"Hi,\" she said.", []int{n("End."), n("End.\n"), n("End.\n\"Hi,\" she said.")}},
		{"apostrophe opens line", "好。\n'x'", []int{n("好。"), n("好。\n"), n("好。\n'x'")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, sentenceEnds(tt.in)); diff != "" {
				t.Errorf("sentenceEnds(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestHighlightTitle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		title string
		spans func(string) []span
		want  string
	}{
		{"no spans", "Go 1.22 <released>", nil, "Go 1.22 &lt;released&gt;"},
		{"empty", "", nil, ""},
		{"english", "Oil prices climb", func(s string) []span { return find(s, "prices") }, "Oil <mark>prices</mark> climb"},
		{"word and sub-word", "中华人民共和国职业教育法", func(s string) []span { return find(s, "人民", "中华人民共和国") },
			"<mark>中华人民共和国</mark>职业教育法"},
		{"adjacent words", "新修订的职业教育法", func(s string) []span { return find(s, "教育", "职业") },
			"新修订的<mark>职业教育</mark>法"},
		{"separate words", "惠州西湖 广州骑楼", func(s string) []span { return find(s, "惠州", "广州") },
			"<mark>惠州</mark>西湖 <mark>广州</mark>骑楼"},
		{"mixed", "如何在Debian中配置LVM", func(s string) []span { return find(s, "LVM", "Debian", "配置") },
			"如何在<mark>Debian</mark>中<mark>配置LVM</mark>"},
		{"start and end", "LVM配置LVM", func(s string) []span { return find(s, "LVM") }, "<mark>LVM</mark>配置<mark>LVM</mark>"},
		{"escaped", `Tom & Jerry's "show"`, func(s string) []span { return find(s, "Jerry") },
			"Tom &amp; <mark>Jerry</mark>&#39;s &#34;show&#34;"},
		{"script tag", "<script>alert(1)</script>", func(s string) []span { return find(s, "script") },
			"&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"},
		{"out of range", "标题", func(string) []span { return []span{{-4, -1}, {3, 100}, {100, 200}} }, "标<mark>题</mark>"},
		// Term vectors never split a character, but if a span did, the
		// mark takes the whole character so the output stays UTF-8.
		{"inside a character", "人民", func(string) []span { return []span{{1, 4}} }, "<mark>人民</mark>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var spans []span
			if tt.spans != nil {
				spans = tt.spans(tt.title)
			}
			if got := highlightTitle(tt.title, spans); got != tt.want {
				t.Errorf("highlightTitle(%q, %v) = %q, want %q", tt.title, spans, got, tt.want)
			}
		})
	}
}

func TestBodyFragments(t *testing.T) {
	t.Parallel()
	words := func(ws ...string) func(string) []span {
		return func(s string) []span { return find(s, ws...) }
	}
	tests := []struct {
		name  string
		body  string
		spans func(string) []span
		n     int
		size  int
		want  []string
	}{
		{"empty body", "", words("x"), 3, 120, nil},
		{"blank body", " \n\u3000\n", words("x"), 3, 120, nil},
		{"no fragments wanted", "有内容。", words("内容"), 0, 120, nil},
		{"no fragments wanted, no match", "有内容。", nil, 0, 120, nil},
		{"no match: whole short body", "第一句。第二句。", nil, 3, 120, []string{"第一句。第二句。"}},
		{"no match: whole sentences from the start", "第一句话。第二句话。第三句话。", nil, 3, 10,
			[]string{"第一句话。第二句话。"}},
		{"no match: long first sentence is cut", "一二三四五六七八九十。后面", nil, 3, 6, []string{"一二三四五六…"}},
		{"no match: english cut between words", "The quick brown fox jumps over the lazy dog.", nil, 3, 12,
			[]string{"The quick…"}},
		{"spans outside the body are no match", "正文。", func(string) []span { return []span{{20, 30}} }, 3, 120, []string{"正文。"}},
		{"word with sub-words, adjacent words", "5月1日，新修订的《中华人民共和国职业教育法》正式施行。",
			words("中华人民共和国", "人民", "共和国", "职业", "教育"), 3, 120,
			[]string{"5月1日，新修订的《<mark>中华人民共和国职业教育</mark>法》正式施行。"}},
		{"match at start and end", "职业学校里的职业", words("职业"), 3, 120,
			[]string{"<mark>职业</mark>学校里的<mark>职业</mark>"}},
		{"english", "Oil prices rose. Traders weighed supplies.", words("prices", "supplies"), 3, 120,
			[]string{"Oil <mark>prices</mark> rose. Traders weighed <mark>supplies</mark>."}},
		{"mixed", "本文以Debian 11为例，介绍如何配置LVM。", words("Debian", "LVM"), 3, 120,
			[]string{"本文以<mark>Debian</mark> 11为例，介绍如何配置<mark>LVM</mark>。"}},
		{"html in text", `Type <script>alert('xss')</script> & "see".`, words("script", "xss"), 3, 120,
			[]string{"Type &lt;<mark>script</mark>&gt;alert(&#39;<mark>xss</mark>&#39;)&lt;/<mark>script</mark>&gt; &amp; &#34;see&#34;."}},
		{"paragraphs flatten to spaces", "第一段结束。\n\n\u3000\u3000第二段有关键词。\r\n第三段", words("关键词"), 3, 120,
			[]string{"第一段结束。 第二段有<mark>关键词</mark>。 第三段"}},
		// Before the fix, the line break before a mark was dropped:
		// "world<mark>Riverton</mark>".
		{"line break before a mark", "Hello world\nRiverton is here.", words("Riverton"), 3, 120,
			[]string{"Hello world <mark>Riverton</mark> is here."}},
		{"tab and line break after a mark", "Riverton\t\nis here.", words("Riverton"), 3, 120,
			[]string{"<mark>Riverton</mark> is here."}},
		{"spaces inside a line kept", "a  b\u3000c 关键", words("关键"), 3, 120, []string{"a  b\u3000c <mark>关键</mark>"}},
		// Before the fix, the opening quote went with the previous
		// paragraph, and a fragment starting at this one lost it.
		{"quote opens a paragraph", "A first paragraph ends here.\n\n\"Quote,\" he said.", words("Quote"), 3, 17,
			[]string{"&#34;<mark>Quote</mark>,&#34; he said."}},
		{"fragments in document order", "甲在这里。" + strings.Repeat("无关的话。", 5) + "乙在这里。", words("乙", "甲"), 3, 10,
			[]string{"<mark>甲</mark>在这里。无关的话。", "无关的话。<mark>乙</mark>在这里。"}},
		{"fewest fragments for most words", "甲乙都在。" + strings.Repeat("无关的话。", 5) + "甲在这里。乙在这里。", words("甲", "乙"), 3, 10,
			[]string{"<mark>甲乙</mark>都在。无关的话。"}},
		{"at most n", "甲。" + strings.Repeat("无关的话。", 5) + "乙。" + strings.Repeat("无关的话。", 5) + "丙。", words("甲", "乙", "丙"), 2, 5,
			[]string{"<mark>甲</mark>。", "<mark>乙</mark>。"}},
		{"case-insensitive words", "Oil rose. " + strings.Repeat("Nothing here. ", 5) + "OIL fell.", words("Oil", "OIL"), 3, 12,
			[]string{"<mark>Oil</mark> rose."}},
		{"spans inside characters", "中文", func(string) []span { return []span{{1, 2}} }, 3, 120, []string{"<mark>中</mark>文"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var spans []span
			if tt.spans != nil {
				spans = tt.spans(tt.body)
			}
			got := bodyFragments(tt.body, spans, tt.n, tt.size)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("bodyFragments(%q, %v, %d, %d) mismatch (-want +got):\n%s", tt.body, spans, tt.n, tt.size, diff)
			}
			checkFragments(t, tt.body, spans, tt.n, tt.size, got)
		})
	}
}

// TestBodyFragments_LongSentence checks fragments cut out of sentences
// longer than a fragment: "…" at each cut, about size characters, the
// match inside, whole words and whole marks.
func TestBodyFragments_LongSentence(t *testing.T) {
	t.Parallel()
	zh := strings.Repeat("这是一段很长的没有标点的中文", 18) // 252 runes
	zhBody := zh + "职业教育" + zh + "。"
	en := strings.Repeat("the slow train rolls across the quiet plain ", 10)
	enBody := "Somewhere " + en + "a sleeper carriage waits " + en + "until dawn."
	tests := []struct {
		name       string
		body       string
		spans      []span
		wantPrefix bool // "…" at the start
		wantSuffix bool // "…" at the end
		wantMarks  []string
	}{
		{"chinese match in the middle", zhBody, find(zhBody, "职业", "教育"), true, true, []string{"职业教育"}},
		{"english match in the middle", enBody, find(enBody, "sleeper"), true, true, []string{"sleeper"}},
		{"chinese match near the start", zhBody, find(zhBody, "这是")[:1], false, true, []string{"这是"}},
		{"chinese match near the end", zhBody, find(zhBody, "中文。")[:1], true, false, []string{"中文。"}},
		{"english match near the end", enBody, find(enBody, "dawn"), true, false, []string{"dawn"}},
		// The window around 职业教育 ends 96 runes after it, 2 runes
		// inside the second match: the cut moves before it, no half mark.
		{"cut never splits a mark", zhBody, append(find(zhBody, "职业教育"), find(zhBody, "没有标点")[24]), true, true, []string{"职业教育"}},
	}
	const size = 120
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := bodyFragments(tt.body, tt.spans, 3, size)
			checkFragments(t, tt.body, tt.spans, 3, size, got)
			if len(got) != 1 {
				t.Fatalf("bodyFragments gave %d fragments, want 1: %q", len(got), got)
			}
			f := got[0]
			if p := strings.HasPrefix(f, "…"); p != tt.wantPrefix {
				t.Errorf("fragment %q: starts with … = %v, want %v", f, p, tt.wantPrefix)
			}
			if s := strings.HasSuffix(f, "…"); s != tt.wantSuffix {
				t.Errorf("fragment %q: ends with … = %v, want %v", f, s, tt.wantSuffix)
			}
			if diff := cmp.Diff(tt.wantMarks, marked(f)); diff != "" {
				t.Errorf("fragment %q: marks mismatch (-want +got):\n%s", f, diff)
			}
			text := strings.Trim(plain(f), "…")
			if n := utf8.RuneCountInString(text); n > size || n < size*3/4 {
				t.Errorf("fragment %q has %d characters of text, want about %d", f, n, size)
			}
			if strings.Contains(tt.body, " ") {
				// Whole words: the text starts and ends where a word does.
				i := strings.Index(tt.body, text)
				if i < 0 || insideWord(tt.body, i) || insideWord(tt.body, i+len(text)) {
					t.Errorf("fragment %q cuts a word", f)
				}
			}
		})
	}
}

// TestBodyFragments_Coverage checks the choice of fragments on bodies
// with many matches far apart.
func TestBodyFragments_Coverage(t *testing.T) {
	t.Parallel()
	filler := strings.Repeat("今天的天气很好，我们一起去公园散步。", 8) // 144 runes
	t.Run("different words far apart", func(t *testing.T) {
		t.Parallel()
		body := "石油价格上涨。" + filler + "小麦开始收割。" + filler + "石油再次上涨。" + filler + "港口集装箱增加。" + filler
		spans := find(body, "石油", "小麦", "港口")
		got := bodyFragments(body, spans, 3, 120)
		checkFragments(t, body, spans, 3, 120, got)
		var marks []string
		for _, f := range got {
			marks = append(marks, marked(f)...)
		}
		// Three fragments, one per word, in document order; the second
		// 石油 adds no word and is left out.
		if diff := cmp.Diff([]string{"石油", "小麦", "港口"}, marks); diff != "" {
			t.Errorf("bodyFragments(...) = %q: marks mismatch (-want +got):\n%s", got, diff)
		}
	})
	t.Run("the same word many times", func(t *testing.T) {
		t.Parallel()
		body := strings.Repeat("职业教育很重要。"+filler, 6)
		spans := find(body, "职业教育")
		got := bodyFragments(body, spans, 3, 120)
		checkFragments(t, body, spans, 3, 120, got)
		if len(got) != 1 || !strings.HasPrefix(got[0], "<mark>职业教育</mark>很重要。") {
			t.Errorf("bodyFragments(...) = %q, want the first match only", got)
		}
	})
	t.Run("the same word in every sentence", func(t *testing.T) {
		t.Parallel()
		body := strings.Repeat("职业教育很重要。", 60)
		spans := find(body, "职业教育")
		got := bodyFragments(body, spans, 3, 120)
		checkFragments(t, body, spans, 3, 120, got)
		if len(got) != 1 {
			t.Errorf("bodyFragments(...) = %q, want one fragment", got)
		}
	})
	t.Run("most new words first, shown in order", func(t *testing.T) {
		t.Parallel()
		body := "甲出现了。" + filler + "乙和丙和丁都出现了。" + filler + "戊出现了。"
		spans := find(body, "甲", "乙", "丙", "丁", "戊")
		got := bodyFragments(body, spans, 2, 60)
		checkFragments(t, body, spans, 2, 60, got)
		var marks []string
		for _, f := range got {
			marks = append(marks, marked(f)...)
		}
		// With two fragments: the one with three words, then the first
		// of the one-word ones, in document order.
		if diff := cmp.Diff([]string{"甲", "乙", "丙", "丁"}, marks); diff != "" {
			t.Errorf("bodyFragments(...) = %q: marks mismatch (-want +got):\n%s", got, diff)
		}
	})
	t.Run("deterministic", func(t *testing.T) {
		t.Parallel()
		body := strings.Repeat("甲乙丙丁。"+filler, 4)
		spans := find(body, "甲", "乙", "丙", "丁", "甲乙")
		first := bodyFragments(body, spans, 3, 120)
		for range 50 {
			if got := bodyFragments(body, spans, 3, 120); !cmp.Equal(first, got) {
				t.Fatalf("bodyFragments changed between runs:\n%q\n%q", first, got)
			}
		}
	})
}

// marked returns the text inside each <mark> of an HTML fragment,
// unescaped.
func marked(f string) []string {
	var out []string
	for {
		i := strings.Index(f, "<mark>")
		if i < 0 {
			return out
		}
		f = f[i+len("<mark>"):]
		j := strings.Index(f, "</mark>")
		if j < 0 {
			return append(out, "<unclosed>")
		}
		out = append(out, html.UnescapeString(f[:j]))
		f = f[j+len("</mark>"):]
	}
}

// plain returns a fragment's text: no marks, unescaped.
func plain(f string) string {
	f = strings.ReplaceAll(f, "<mark>", "")
	f = strings.ReplaceAll(f, "</mark>", "")
	return html.UnescapeString(f)
}

// flatten turns each run of white space holding a line break or a tab into
// one space, as fragments do.
func flatten(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsSpace(r) {
				break
			}
			j += n
		}
		if strings.ContainsAny(s[i:j], "\n\r\t") {
			b.WriteByte(' ')
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

// fragmentProblems lists what is wrong with fragments of body: invalid
// UTF-8, bad markup, text that is not the body's, overlaps, too many or
// too long fragments. It holds for any body and spans.
func fragmentProblems(body string, spans []span, n, size int, frags []string) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if len(frags) > max(n, 0) {
		bad("%d fragments, want at most %d", len(frags), n)
	}
	blank := strings.TrimSpace(body) == ""
	if blank && len(frags) > 0 {
		bad("fragments of a blank body")
	}
	if n > 0 && !blank && len(frags) == 0 {
		bad("no fragment")
	}
	flat := flatten(body)
	// A fragment may grow past size by a mark cut at either end (touching
	// spans make one long mark), and by a character where a span ends
	// inside one.
	maxMark := 0
	for _, s := range mergeSpans(spans, len(body)) {
		maxMark = max(maxMark, utf8.RuneCountInString(body[s.start:s.end])+1)
	}
	from := 0
	for _, f := range frags {
		if !utf8.ValidString(f) {
			bad("fragment %q is not valid UTF-8", f)
		}
		// Marks: balanced, not nested, not empty.
		depth := 0
		for rest := f; rest != ""; {
			switch {
			case strings.HasPrefix(rest, "<mark>"):
				if depth != 0 {
					bad("fragment %q: nested <mark>", f)
				}
				depth++
				rest = rest[len("<mark>"):]
				if strings.HasPrefix(rest, "</mark>") {
					bad("fragment %q: empty <mark>", f)
				}
			case strings.HasPrefix(rest, "</mark>"):
				if depth != 1 {
					bad("fragment %q: </mark> without <mark>", f)
				}
				depth--
				rest = rest[len("</mark>"):]
			default:
				rest = rest[1:]
			}
		}
		if depth != 0 {
			bad("fragment %q: unclosed <mark>", f)
		}
		// The only markup is <mark>: everything else is escaped.
		text := strings.ReplaceAll(strings.ReplaceAll(f, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(text, `<>"'`) || html.EscapeString(html.UnescapeString(text)) != text {
			bad("fragment %q: text not escaped", f)
		}
		// The text is the body's (flattened), after the previous fragment.
		p := html.UnescapeString(text)
		found := false
		for _, c := range []string{p, strings.TrimPrefix(p, "…"), strings.TrimSuffix(p, "…"), strings.TrimSuffix(strings.TrimPrefix(p, "…"), "…")} {
			if i := strings.Index(flat[from:], c); i >= 0 {
				from += i + len(c)
				found = true
				break
			}
		}
		if !found {
			bad("fragment %q: text not found in the body after the previous fragment", f)
		}
		if r := utf8.RuneCountInString(p); r > max(size, 1)+2+2*maxMark {
			bad("fragment %q: %d characters, want about %d", f, r, size)
		}
	}
	return probs
}

func checkFragments(t *testing.T, body string, spans []span, n, size int, frags []string) {
	t.Helper()
	for _, p := range fragmentProblems(body, spans, n, size, frags) {
		t.Errorf("bodyFragments(%q, %v, %d, %d): %s", body, spans, n, size, p)
	}
}

func FuzzBodyFragments(f *testing.F) {
	f.Add("5月1日，新修订的《中华人民共和国职业教育法》正式施行。", []byte{27, 48, 33, 39, 48, 54, 54, 60}, uint8(3), uint8(120))
	f.Add("Hello world\nRiverton is here.\n\n\"Quote,\" he said.", []byte{12, 20, 32, 37}, uint8(3), uint8(10))
	f.Add(`<script>alert('xss')</script> & "x"`, []byte{1, 7, 15, 18}, uint8(2), uint8(5))
	f.Add(strings.Repeat("这是一段很长的没有标点的中文", 30), []byte{200, 212, 100, 130}, uint8(3), uint8(120))
	f.Add(strings.Repeat("the slow train rolls across the quiet plain ", 10), []byte{90, 95, 0, 3}, uint8(1), uint8(40))
	f.Add("\u3000\u3000第一段。\n\n\u3000\u3000第二段！", []byte{}, uint8(3), uint8(4))
	f.Add("", []byte{0, 1}, uint8(3), uint8(120))
	f.Fuzz(func(t *testing.T, body string, raw []byte, n, size uint8) {
		if !utf8.ValidString(body) {
			t.Skip("stored bodies are valid UTF-8")
		}
		// Spans from pairs of bytes, scaled to the body and a little
		// beyond it on both sides.
		var spans []span
		for i := 0; i+1 < len(raw); i += 2 {
			at := func(b byte) int { return int(b)*(len(body)+8)/255 - 4 }
			spans = append(spans, span{at(raw[i]), at(raw[i+1])})
		}
		nf, sz := int(n%6), int(size%160)
		frags := bodyFragments(body, spans, nf, sz)
		for _, p := range fragmentProblems(body, spans, nf, sz, frags) {
			t.Errorf("bodyFragments(%q, %v, %d, %d) = %q: %s", body, spans, nf, sz, frags, p)
		}
	})
}

// benchBody is a realistic Chinese article of about 3 KB.
const benchBody = `清晨六点半，位于城市东郊的一所高等职业院校已经热闹起来。智能制造实训楼里，数控机床发出均匀的嗡鸣声，几名穿着蓝色工装的学生正围在一台加工中心旁，盯着屏幕上不断跳动的参数。

带队的老师今年四十七岁，在这所学校已经教了二十一年书。十年前，学校的实训设备大多是企业淘汰下来的旧机床，学生毕业后进厂，往往还要从头学起。如今，实训楼里的设备与合作企业生产线上的型号基本一致，不少课程直接由企业工程师和学校老师共同讲授。

学校与本地一家汽车零部件企业共建了产业学院，企业派出技术骨干担任兼职教师，学校则为企业定向培养技术工人。学生在校期间有一半时间在企业实习，毕业时已经熟悉了生产流程。

近年来，国家陆续出台深化产教融合、推进现代职业教育体系建设改革的一系列文件，鼓励企业深度参与办学，这为学校的探索提供了更大的空间。职业教育不再被看作“低人一等”的选择，越来越多的家长开始主动了解职业院校的专业设置和就业情况。

一些学生在入学时就有明确的目标：有人想成为技艺精湛的工匠，有人想自己开一家汽车维修店，还有人计划通过专升本继续深造。当然，问题也依然存在。部分企业参与合作的积极性忽高忽低，行情好的时候抢着要人，订单减少时就把实习岗位压缩得很紧。也有老师坦言，自己跟不上新技术的更新速度，需要定期到工厂里“回炉”。

为此，学校建立了教师下厂锻炼制度，每位专业课老师每五年至少要有半年在合作单位一线工作。老师们把车间里遇到的新问题带回课堂，编进校本教材，学生们也因此更早接触到真实的生产任务。去年，学校有三个学生团队在全国技能大赛中获奖，其中一个团队的作品已经被合作单位采用，用在了一条新建的装配线上。

在谈到未来的打算时，校长表示，学校准备在三年内新建一座综合实训基地，面向周边中小企业开放，提供设备共享和员工培训服务，让学校真正成为区域产业发展的“技术后台”。

回头看这段历程，离不开国家层面政策的推动。中华人民共和国成立以来，技术工人的培养始终与工业化进程紧密相连。从早年的技工学校、中等专业学校，到后来遍布各地的高等职业院校，职业教育的形式不断变化，但为生产一线培养人才的定位始终没有改变。`

func BenchmarkHighlight(b *testing.B) {
	spans := find(benchBody, "职业教育", "产教融合", "工匠", "人民", "实训")
	b.Logf("%d bytes, %d spans", len(benchBody), len(spans))
	b.ReportAllocs()
	for b.Loop() {
		bodyFragments(benchBody, spans, 3, 120)
	}
}

// sentenceEndsByRune is sentenceEnds as it was, rune by rune: the
// reference of FuzzSentenceEnds.
func sentenceEndsByRune(text string) []int {
	var ends []int
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		switch r {
		case '\n':
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
			continue
		}
		i = j
		ends = append(ends, i)
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(text) {
		ends = append(ends, len(text))
	}
	return ends
}

func FuzzSentenceEnds(f *testing.F) {
	for _, s := range []string{"你好。他说：“好！”然后\n走了", "e.g. 1.18 example.com. End.", "\xe3\x80\x82\xe3\x80", "…？！；", "\xef\xbc\x81\xff\xe2\x80\xa6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := sentenceEnds(s), sentenceEndsByRune(s); !slices.Equal(got, want) {
			t.Errorf("sentenceEnds(%q) = %v, rune by rune %v", s, got, want)
		}
	})
}
