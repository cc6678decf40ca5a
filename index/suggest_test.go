package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/wensou/wensou/index/article"
	"github.com/wensou/wensou/index/zh"
)

// suggestArticles are the articles the completion tests search: Chinese
// (one in Traditional characters), English with stems, a full-width
// title, titles sharing a start.
var suggestArticles = []article.Article{
	{ID: "law", Title: "职业教育法施行", Body: "新修订的职业教育法今天起施行。职业教育很重要。"},
	{ID: "week", Title: "職業教育活動周啟動", Body: "全省職業教育活動周今天啟動。"},
	{ID: "skill", Title: "职业技能大赛开幕", Body: "职业技能大赛在郑州开幕，职业教育成果展同期举行。"},
	{ID: "coop", Title: "中国职业教育合作", Body: "中国与德国开展职业教育合作。"},
	{ID: "infl1", Title: "Inflation rises again", Body: "Inflation rose in March. Inflationary pressure grows."},
	{ID: "infl2", Title: "Oil prices climb", Body: "Oil prices rose as inflation fears grew."},
	{ID: "oil", Title: "Oil output falls", Body: "Oil output fell; the price of oil rose."},
	{ID: "wide", Title: "ＦＵＬＬ ｗｉｄｔｈ Inflation", Body: "A title in full-width letters."},
	{ID: "tags", Title: "What <b> tags do", Body: "Escaping <b> & friends."},
}

// newSuggestIndex returns an in-memory index holding arts, one batch
// (one segment) each.
func newSuggestIndex(t testing.TB, arts []article.Article) *Index {
	t.Helper()
	ix := openTest(t, "")
	t.Cleanup(func() { closeTest(t, ix) })
	for _, a := range arts {
		if err := ix.Put(t.Context(), []article.Article{a}); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

// brief is a suggestion as the tables write it.
type brief struct {
	Kind      SuggestionKind
	Text      string
	Count     uint64
	Highlight string
	ID        string
}

func briefs(ss []Suggestion) []brief {
	out := make([]brief, len(ss))
	for i, s := range ss {
		out[i] = brief{s.Kind, s.Text, s.Count, s.Highlight, s.ID}
	}
	return out
}

func TestIndex_Suggest(t *testing.T) {
	ix := newSuggestIndex(t, suggestArticles)
	w := func(text string, count uint64, hl string) brief { return brief{SuggestWord, text, count, hl, ""} }
	ti := func(text string, count uint64, hl, id string) brief { return brief{SuggestTitle, text, count, hl, id} }
	ph := func(text string, count uint64, hl string) brief { return brief{SuggestPhrase, text, count, hl, ""} }
	zhiye := []brief{
		// 职业教育 is two words for gse (职业, 教育): a phrase of two
		// titles, held by four articles.
		ph("职业教育", 4, "<mark>职业</mark>教育"),
		w("职业技能", 1, "<mark>职业</mark>技能"),
		ti("职业技能大赛开幕", 1, "<mark>职业</mark>技能大赛开幕", "skill"),
		ti("职业教育法施行", 1, "<mark>职业</mark>教育法施行", "law"),
		ti("職業教育活動周啟動", 1, "<mark>職業</mark>教育活動周啟動", "week"),
	}
	tests := []struct {
		name   string
		prefix string
		n      int
		want   []brief
	}{
		{name: "chinese", prefix: "职业", want: zhiye},
		{name: "traditional typed", prefix: "職業", want: zhiye},
		{name: "size caps", prefix: "职业", n: 2, want: zhiye[:2]},
		{name: "past the last word that completes", prefix: "职业教育", want: []brief{
			// No word starts with 职业教育: 教育 is completed, with 职业
			// before it.
			w("职业教育法", 1, "<mark>职业教育</mark>法"),
			ti("职业教育法施行", 1, "<mark>职业教育</mark>法施行", "law"),
			ti("職業教育活動周啟動", 1, "<mark>職業教育</mark>活動周啟動", "week"),
		}},
		{name: "earlier words must be in the article", prefix: "中国职", want: []brief{
			w("中国职业", 1, "<mark>中国职</mark>业"),
			ti("中国职业教育合作", 1, "<mark>中国职</mark>业教育合作", "coop"),
		}},
		{name: "english stem shown as written", prefix: "infla", want: []brief{
			w("inflation", 3, "<mark>infla</mark>tion"),
			w("inflationary", 1, "<mark>infla</mark>tionary"),
			ti("Inflation rises again", 1, "<mark>Infla</mark>tion rises again", "infl1"),
		}},
		{name: "typed past the stem", prefix: "inflatio", want: []brief{
			w("inflation", 3, "<mark>inflatio</mark>n"),
			w("inflationary", 1, "<mark>inflatio</mark>nary"),
			ti("Inflation rises again", 1, "<mark>Inflatio</mark>n rises again", "infl1"),
		}},
		{name: "upper case and full width", prefix: "ＩＮＦＬＡ", want: []brief{
			w("inflation", 3, "<mark>infla</mark>tion"),
			w("inflationary", 1, "<mark>infla</mark>tionary"),
			ti("Inflation rises again", 1, "<mark>Infla</mark>tion rises again", "infl1"),
		}},
		{name: "full-width title", prefix: "full w", want: []brief{
			w("full width", 1, "<mark>full w</mark>idth"),
			ti("ＦＵＬＬ ｗｉｄｔｈ Inflation", 1, "<mark>ＦＵＬＬ ｗ</mark>ｉｄｔｈ Inflation", "wide"),
		}},
		{name: "words typed before, kept as typed", prefix: "Oil pri", want: []brief{
			w("Oil prices", 2, "<mark>Oil pri</mark>ces"),
			ti("Oil prices climb", 1, "<mark>Oil pri</mark>ces climb", "infl2"),
		}},
		{name: "the typed word itself is not offered", prefix: "oil", want: []brief{
			ti("Oil output falls", 1, "<mark>Oil</mark> output falls", "oil"),
			ti("Oil prices climb", 1, "<mark>Oil</mark> prices climb", "infl2"),
		}},
		{name: "a space ends the word: titles only", prefix: "oil ", want: []brief{
			ti("Oil output falls", 1, "<mark>Oil </mark>output falls", "oil"),
			ti("Oil prices climb", 1, "<mark>Oil </mark>prices climb", "infl2"),
		}},
		{name: "one letter", prefix: "o", want: []brief{
			w("oil", 2, "<mark>o</mark>il"),
			w("output", 1, "<mark>o</mark>utput"),
			ti("Oil output falls", 1, "<mark>O</mark>il output falls", "oil"),
			ti("Oil prices climb", 1, "<mark>O</mark>il prices climb", "infl2"),
		}},
		{name: "html escaped", prefix: "what <b", want: []brief{
			ti("What <b> tags do", 1, "<mark>What &lt;b</mark>&gt; tags do", "tags"),
		}},
		{name: "nothing starts so", prefix: "zebra", want: []brief{}},
		{name: "empty", prefix: "  ", want: []brief{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.Suggest(t.Context(), tt.prefix, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(tt.want, briefs(got)); diff != "" {
				t.Errorf("Suggest(%q, %d) (-want +got):\n%s", tt.prefix, tt.n, diff)
			}
		})
	}
}

// TestIndex_Suggest_Replaced follows one word, one phrase and one title
// through writes: the counts are of live articles, though the replaced
// and deleted versions stay in their segments (an in-memory index never
// merges them away).
func TestIndex_Suggest_Replaced(t *testing.T) {
	ix := newSuggestIndex(t, nil)
	ctx := t.Context()
	// Each put is a batch, a segment, with a filler article, so that the
	// segment outlives its article (a segment whose every document is
	// deleted is dropped).
	filler := 0
	put := func(id, title, body string) {
		t.Helper()
		filler++
		arts := []article.Article{{ID: id, Title: title, Body: body}, {ID: fmt.Sprint("filler", filler), Title: "天气", Body: "晴。"}}
		if err := ix.Put(ctx, arts); err != nil {
			t.Fatal(err)
		}
	}
	count := func(prefix string, kind SuggestionKind, text string) uint64 {
		t.Helper()
		got, err := ix.Suggest(ctx, prefix, MaxSuggestions)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			if s.Kind == kind && s.Text == text {
				return s.Count
			}
		}
		return 0
	}
	type counts struct{ Word, Phrase, Title uint64 }
	check := func(step string, want counts) {
		t.Helper()
		got := counts{
			Word:   count("职业", SuggestWord, "职业技能"),
			Phrase: count("职业", SuggestPhrase, "职业教育"),
			Title:  count("职业", SuggestTitle, "职业教育周"),
		}
		if got != want {
			t.Errorf("after %s: counts %+v, want %+v", step, got, want)
		}
	}
	put("a", "职业教育周", "职业技能培训。")
	put("b", "职业教育周", "职业技能大赛。")
	put("c", "职业教育论坛", "论坛。")
	check("three puts", counts{Word: 2, Phrase: 3, Title: 2})
	put("a", "学校开放日", "校园开放。") // replaced: its old version is deleted
	check("replacing a", counts{Word: 1, Phrase: 2, Title: 1})
	if err := ix.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	// One title with 职业教育 is left: a phrase needs two.
	check("deleting b", counts{Word: 0, Phrase: 0, Title: 0})
	put("b", "职业教育周", "职业技能。")
	put("d", "职业教育周", "无关。")
	check("putting b again and d", counts{Word: 1, Phrase: 3, Title: 2})

	snap, _, _, err := ix.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	var deleted uint64
	for _, ss := range snap.Segments() {
		if d := ss.Deleted(); d != nil {
			deleted += d.GetCardinality()
		}
	}
	if deleted != 2 {
		t.Errorf("%d deleted documents in the segments, want 2: the test no longer covers deletions", deleted)
	}
}

// suggestVocabulary are the words of the generated articles: many share
// their first characters.
var suggestVocabulary = []string{
	"职业", "职工", "职务", "职能", "职业技能", "教育", "教师", "教学", "教材",
	"学生", "学校", "学习", "学者", "中国", "中心", "中华", "中学", "人民",
	"人才", "人口", "发展", "发明", "经济", "经验", "城市", "城乡",
}

// randomArticle makes an article of vocabulary words: a title of two or
// three words run together (phrases), a body of words, some separated.
func randomArticle(r *rand.Rand, id string) article.Article {
	words := func(n int, seps ...string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(suggestVocabulary[r.IntN(len(suggestVocabulary))])
		}
		return b.String()
	}
	return article.Article{ID: id, Title: words(2+r.IntN(2), ""), Body: words(4+r.IntN(8), "", "，", "。")}
}

// suggestOracle counts what Suggest should, from the live articles and
// the analyzer alone.
type suggestOracle struct {
	seg  *zh.Segmenter
	live map[string]article.Article
}

// terms returns the indexed terms of an article's title and body.
func (o *suggestOracle) terms(t *testing.T, a article.Article) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, text := range []string{a.Title, a.Body} {
		toks, err := o.seg.Tokens(zh.Search, text)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			out[tok.Term] = true
		}
	}
	return out
}

// count returns how many live articles Suggest should count for s.
func (o *suggestOracle) count(t *testing.T, s Suggestion) uint64 {
	t.Helper()
	var words []string
	if s.Kind != SuggestTitle {
		toks, err := o.seg.Tokens(zh.Accurate, s.Text)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			if !zh.IsQueryStopWord(tok.Term) {
				words = append(words, tok.Term)
			}
		}
	}
	var n uint64
	for _, a := range o.live {
		if s.Kind == SuggestTitle {
			if titleForm(a.Title, false) == titleForm(s.Text, false) {
				n++
			}
			continue
		}
		terms := o.terms(t, a)
		if !slices.ContainsFunc(words, func(w string) bool { return !terms[w] }) {
			n++
		}
	}
	return n
}

// words returns the terms starting with prefix (not prefix itself) by
// the number of live articles holding them, as Suggest ranks words.
func (o *suggestOracle) words(t *testing.T, prefix string) []brief {
	t.Helper()
	counts := map[string]uint64{}
	for _, a := range o.live {
		for term := range o.terms(t, a) {
			if strings.HasPrefix(term, prefix) && term != prefix {
				counts[term]++
			}
		}
	}
	var out []brief
	for term, n := range counts {
		out = append(out, brief{Kind: SuggestWord, Text: term, Count: n})
	}
	slices.SortFunc(out, func(a, b brief) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Text, b.Text)
	})
	return out
}

// sameRanking compares the first words of a ranking, want, with got:
// the same words with more articles than the last of got, in the same
// order, then as many of those with as many as it, in any order.
func sameRanking(want, got []brief) string {
	if len(got) == 0 {
		return gocmp.Diff([]brief(nil), want[:min(len(want), 1)])
	}
	last := got[len(got)-1].Count
	cut := func(l []brief) ([]brief, []brief) {
		i := slices.IndexFunc(l, func(b brief) bool { return b.Count <= last })
		if i < 0 {
			return l, nil
		}
		return l[:i], l[i:]
	}
	wantAbove, wantTied := cut(want)
	gotAbove, gotTied := cut(got)
	if diff := gocmp.Diff(wantAbove, gotAbove); diff != "" {
		return diff
	}
	for _, g := range gotTied {
		if g.Count != last || !slices.Contains(wantTied, g) {
			return fmt.Sprintf("%+v is not among the words tied at %d: %+v", g, last, wantTied)
		}
	}
	if len(gotTied) > len(wantTied) {
		return fmt.Sprintf("%d words tied at %d, want at most %d", len(gotTied), last, len(wantTied))
	}
	return ""
}

// waitBuilt waits until ix's background builds are done.
func waitBuilt(t testing.TB, ix *Index) {
	t.Helper()
	s := ix.suggester()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.mu.Lock()
		busy := s.running || len(s.queue) > 0
		s.mu.Unlock()
		if !busy {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("background builds not done after 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestIndex_Suggest_Counts writes, replaces and deletes generated
// articles, and checks after each step that every count Suggest gives is
// the number of live articles holding the suggestion, and that words come
// in the order of those numbers: in memory (deletions stay in the
// segments), on disk (segments merge meanwhile), and with every segment
// built in the background (requests meanwhile read the term
// dictionaries).
func TestIndex_Suggest_Counts(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few hundred articles")
	}
	for _, tt := range []struct {
		name       string
		disk       bool
		background bool
	}{
		{name: "memory"},
		{name: "disk", disk: true},
		{name: "background", background: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.disk {
				path = filepath.Join(t.TempDir(), "idx.bleve")
			}
			ix := openTest(t, path)
			t.Cleanup(func() { closeTest(t, ix) })
			if tt.background {
				ix.suggester().syncDocs = 0
			}
			o := &suggestOracle{seg: ix.Segmenter(), live: map[string]article.Article{}}
			r := rand.New(rand.NewPCG(9, uint64(len(tt.name))))
			put := func(ids ...string) {
				t.Helper()
				var batch []article.Article
				for _, id := range ids {
					a := randomArticle(r, id)
					batch = append(batch, a)
					o.live[id] = a
				}
				if err := ix.Put(t.Context(), batch); err != nil {
					t.Fatal(err)
				}
			}
			check := func(step string) {
				t.Helper()
				for _, wait := range []bool{false, true} {
					if wait {
						waitBuilt(t, ix)
					}
					for _, prefix := range []string{"职", "职业", "学", "中", "人", "教", "发", "城", "经济"} {
						got, err := ix.Suggest(t.Context(), prefix, MaxSuggestions)
						if err != nil {
							t.Fatal(err)
						}
						var words []brief
						for _, s := range got {
							if want := o.count(t, s); s.Count != want {
								t.Errorf("%s: Suggest(%q): %s %q counted %d, want %d", step, prefix, s.Kind, s.Text, s.Count, want)
							}
							if s.Kind == SuggestWord {
								words = append(words, brief{Kind: s.Kind, Text: s.Text, Count: s.Count})
							}
						}
						if diff := sameRanking(o.words(t, prefix), words); diff != "" {
							t.Errorf("%s: Suggest(%q) words (-want +got):\n%s", step, prefix, diff)
						}
					}
				}
			}
			id := func(i int) string { return fmt.Sprint("g", i) }
			for b := range 8 {
				var ids []string
				for i := range 10 {
					ids = append(ids, id(b*10+i))
				}
				put(ids...)
			}
			check("80 puts")
			for range 3 {
				var ids []string
				for range 5 {
					ids = append(ids, id(r.IntN(80)))
				}
				put(ids...)
			}
			check("replacing 15")
			for range 3 {
				var ids []string
				for range 4 {
					i := id(r.IntN(80))
					ids = append(ids, i)
					delete(o.live, i)
				}
				if err := ix.Delete(t.Context(), ids...); err != nil {
					t.Fatal(err)
				}
			}
			check("deleting 12")
			put(id(100), id(101), id(102))
			check("3 more puts")
		})
	}
}

func TestIndex_Suggest_Errors(t *testing.T) {
	ix := openTest(t, "")
	if err := ix.Put(t.Context(), suggestArticles[:2]); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := ix.Suggest(ctx, "职业", 8); !errors.Is(err, context.Canceled) {
		t.Errorf("Suggest with a cancelled context: error = %v, want context.Canceled", err)
	}
	closeTest(t, ix)
	if _, err := ix.Suggest(t.Context(), "职业", 8); !errors.Is(err, ErrClosed) {
		t.Errorf("Suggest on a closed index: error = %v, want ErrClosed", err)
	}
}

// TestCompletionDict checks the key ranges and the most-common-first
// listing against sorting, on dictionaries of every size up to 70 with
// many equal counts.
func TestCompletionDict(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("%c%03d", 'a'+r.IntN(3), i)
		}
		slices.Sort(keys)
		var b dictBuilder
		counts := make([]uint32, n)
		for i, k := range keys {
			counts[i] = uint32(r.IntN(5))
			b.add([]byte(k), counts[i])
		}
		d := b.finish()
		for _, prefix := range []string{"", "a", "b", "c", "d", "a0"} {
			lo, hi := d.prefixRange([]byte(prefix))
			var want []int
			for i, k := range keys {
				if strings.HasPrefix(k, prefix) {
					want = append(want, i)
				}
			}
			if len(want) > 0 && (lo != want[0] || hi != want[len(want)-1]+1) || len(want) == 0 && lo != hi {
				t.Fatalf("n=%d: prefixRange(%q) = [%d, %d), want %v", n, prefix, lo, hi, want)
			}
			slices.SortStableFunc(want, func(a, b int) int { return cmp.Compare(counts[b], counts[a]) })
			var it descending
			it.reset(d, lo, hi)
			var got []int
			for it.peek() >= 0 {
				if it.bound() != counts[it.peek()] {
					t.Fatalf("bound %d, count %d", it.bound(), counts[it.peek()])
				}
				got = append(got, it.peek())
				it.next()
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Fatalf("n=%d, prefix %q: order (-want +got):\n%s", n, prefix, diff)
			}
			for i := range keys {
				j, ok := d.find([]byte(keys[i]), 0, n)
				if !ok || j != i {
					t.Fatalf("find(%q) = %d, %v; want %d", keys[i], j, ok, i)
				}
			}
		}
	}
}

func TestTitleForm(t *testing.T) {
	tests := []struct {
		title      string
		typed      bool
		want       string
		mark       int    // bytes of the form to mark
		wantMarked string // the title's bytes they come from
	}{
		{"Oil Prices  Rise", false, "oil prices rise", 6, "Oil Pr"},
		{"  “Oil”  prices ", false, "oil” prices", 3, "Oil"},
		{"oil ", true, "oil ", 4, "oil "},
		{"Oil\t\tprices", false, "oil prices", 4, "Oil\t\t"},
		{"職業教育", false, "职业教育", 6, "職業"},
		{"ＦＵＬＬ　ｗｉｄｔｈ", false, "full width", 6, "ＦＵＬＬ　ｗ"},
		{"《职业教育法》", false, "职业教育法》", 15, "职业教育法"},
		{"???", false, "", 0, ""},
		{"", true, "", 0, ""},
	}
	for _, tt := range tests {
		if got := titleForm(tt.title, tt.typed); got != tt.want {
			t.Errorf("titleForm(%q, %v) = %q, want %q", tt.title, tt.typed, got, tt.want)
		}
		start, end := titleMark(tt.title, tt.mark)
		if got := tt.title[start:end]; got != tt.wantMarked {
			t.Errorf("titleMark(%q, %d) marks %q, want %q", tt.title, tt.mark, got, tt.wantMarked)
		}
	}
}

// suggestFuzzIndex is the index FuzzIndex_Suggest asks, opened once per
// process.
var suggestFuzzIndex = sync.OnceValues(func() (*Index, error) {
	ix, err := Open(context.Background(), Options{})
	if err != nil {
		return nil, err
	}
	return ix, ix.Put(context.Background(), suggestArticles)
})

// FuzzIndex_Suggest types anything: Suggest never fails, and every
// suggestion is well formed: valid UTF-8, a count, and a highlight that
// is the text, escaped, with one <mark> at its start (after what a title
// starts with).
func FuzzIndex_Suggest(f *testing.F) {
	for _, s := range []string{"职业", "職業教", "中国职", "infla", "Oil pri", "oil ", "what <b", "ＦＵＬＬ ｗ", "a\xffb", "\xbd\xe8\x81A", "1.5", "  ", "“职", "e\u0301", "职业 教"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		ix, err := suggestFuzzIndex()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.Suggest(context.Background(), prefix, MaxSuggestions)
		if err != nil {
			t.Fatalf("Suggest(%q): %v", prefix, err)
		}
		if len(got) > MaxSuggestions {
			t.Fatalf("Suggest(%q): %d suggestions", prefix, len(got))
		}
		for _, s := range got {
			if !utf8.ValidString(s.Text) || s.Count == 0 || s.Text == "" {
				t.Errorf("Suggest(%q): bad suggestion %+v", prefix, s)
			}
			before, rest, ok := strings.Cut(s.Highlight, "<mark>")
			marked, after, ok2 := strings.Cut(rest, "</mark>")
			if !ok || !ok2 || strings.Contains(after, "<mark>") ||
				html.UnescapeString(before)+html.UnescapeString(marked)+html.UnescapeString(after) != s.Text ||
				strings.ContainsAny(before+marked+after, "<>") {
				t.Errorf("Suggest(%q): highlight %q of %q", prefix, s.Highlight, s.Text)
			}
			if s.Kind != SuggestTitle && before != "" {
				t.Errorf("Suggest(%q): %s %q marked from byte %d", prefix, s.Kind, s.Text, len(before))
			}
		}
	})
}

// TestIndex_Suggest_Concurrent completes from several goroutines while
// articles are written and segments built in the background: run with
// -race, it checks that what requests share (dictionaries, caches) is
// shared safely.
func TestIndex_Suggest_Concurrent(t *testing.T) {
	ix := openTest(t, "")
	t.Cleanup(func() { closeTest(t, ix) })
	ix.suggester().syncDocs = 0
	r := rand.New(rand.NewPCG(3, 4))
	var batch []article.Article
	for i := range 60 {
		batch = append(batch, randomArticle(r, fmt.Sprint("c", i)))
	}
	if err := ix.Put(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	prefixes := []string{"职", "职业", "学生 学", "中国 人", "教", "城市发", "经济", "人民 教育 职"}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 40 {
				p := prefixes[(g+i)%len(prefixes)]
				if _, err := ix.Suggest(t.Context(), p, MaxSuggestions); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		w := rand.New(rand.NewPCG(5, 6))
		for i := range 10 {
			if err := ix.Put(t.Context(), []article.Article{randomArticle(w, fmt.Sprint("c", w.IntN(60))), randomArticle(w, fmt.Sprint("n", i))}); err != nil {
				t.Error(err)
				return
			}
			if err := ix.Delete(t.Context(), fmt.Sprint("c", w.IntN(60))); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	waitBuilt(t, ix)
}

func TestIndex_WarmSuggestions(t *testing.T) {
	ix := newSuggestIndex(t, suggestArticles)
	if err := ix.WarmSuggestions(); err != nil {
		t.Fatal(err)
	}
	waitBuilt(t, ix)
	s := ix.suggester()
	s.mu.Lock()
	var built int
	for _, e := range s.entries {
		if e.built.Load() != nil {
			built++
		}
	}
	s.mu.Unlock()
	if built != len(suggestArticles) {
		t.Errorf("%d segments built, want %d", built, len(suggestArticles))
	}
	closed := openTest(t, "")
	closeTest(t, closed)
	if err := closed.WarmSuggestions(); !errors.Is(err, ErrClosed) {
		t.Errorf("WarmSuggestions on a closed index: error = %v, want ErrClosed", err)
	}
}

// TestIndex_Suggest_LongRun: in a long run of Han characters, only the
// tails from its last word starts are tried.
func TestIndex_Suggest_LongRun(t *testing.T) {
	ix := newSuggestIndex(t, suggestArticles)
	long := strings.Repeat("中国", 400) + "职"
	start := time.Now()
	got, err := ix.Suggest(t.Context(), long, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Text != long+"业" || got[0].Count != 1 || got[0].Kind != SuggestWord {
		t.Errorf("Suggest(中国×400 职) = %+v, want 职 completed to 职业 in the one article with 中国", briefs(got))
	}
	t.Logf("%d characters in %v", utf8.RuneCountInString(long), time.Since(start))
}
