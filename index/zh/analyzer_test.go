package zh

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	if _, err := Load(Options{}); err != nil {
		fmt.Fprintln(os.Stderr, "load segmenter:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func mustAnalyzer(t testing.TB, mode Mode) *Analyzer {
	t.Helper()
	a, err := NewAnalyzer(mode)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tok is the part of a token the tests pin: term, offsets, position, type.
type tok struct {
	Term       string
	Start, End int
	Pos        int
	Type       analysis.TokenType
}

func toks(ts analysis.TokenStream) []tok {
	out := make([]tok, len(ts))
	for i, t := range ts {
		out[i] = tok{string(t.Term), t.Start, t.End, t.Position, t.Type}
	}
	return out
}

const (
	an = analysis.AlphaNumeric
	id = analysis.Ideographic
	nu = analysis.Numeric
)

func TestAnalyzer_Tokens(t *testing.T) {
	tests := []struct {
		name  string
		mode  Mode
		input string
		want  []tok
	}{
		{"empty", Search, "", []tok{}},
		{"spaces only", Search, "  \u3000\n", []tok{}},
		{"punctuation only", Search, "，。！?", []tok{}},
		{"word with sub-words", Search, "中华人民共和国", []tok{
			{"中华人民共和国", 0, 21, 1, id}, {"中华", 0, 6, 1, id}, {"人民共和国", 6, 21, 3, id},
			{"人民", 6, 12, 3, id}, {"共和国", 12, 21, 5, id}, {"共和", 12, 18, 5, id},
		}},
		{"accurate has no sub-words", Accurate, "中华人民共和国", []tok{{"中华人民共和国", 0, 21, 1, id}}},
		{"traditional folds to simplified", Accurate, "中華人民共和國", []tok{{"中华人民共和国", 0, 21, 1, id}}},
		{"gap at punctuation", Search, "职业，教育", []tok{{"职业", 0, 6, 1, id}, {"教育", 9, 15, 4, id}}},
		{"no gap at space", Search, "职业 教育", []tok{{"职业", 0, 6, 1, id}, {"教育", 7, 13, 3, id}}},
		{"full-width folds, offsets on original", Search, "ＧＯ语言２０２２", []tok{
			{"go", 0, 6, 1, an}, {"语言", 6, 12, 2, id}, {"2022", 12, 24, 4, nu},
		}},
		{"half-width mixed", Search, "Go语言2022", []tok{{"go", 0, 2, 1, an}, {"语言", 2, 8, 2, id}, {"2022", 8, 12, 4, nu}}},
		{"letters and digits stay one word", Search, "iPhone15手机", []tok{{"iphone15", 0, 8, 1, an}, {"手机", 8, 14, 2, id}}},
		{"stemming and stop words", Search, "The prices of oil", []tok{{"price", 4, 10, 2, an}, {"oil", 14, 17, 4, an}}},
		{"chinese stop words leave a gap", Search, "我的家乡", []tok{{"我", 0, 3, 1, id}, {"家乡", 6, 12, 3, id}}},
		{"decimal numbers stay whole", Search, "up 3.5 pct to 155,221", []tok{
			{"up", 0, 2, 1, an}, {"3.5", 3, 6, 2, an}, {"pct", 7, 10, 3, an}, {"155,221", 14, 21, 5, an},
		}},
		{"possessive 's takes no position", Search, "last year's sharp fall, Japan’s", []tok{
			{"last", 0, 4, 1, an}, {"year", 5, 9, 2, an}, {"sharp", 12, 17, 3, an}, {"fall", 18, 22, 4, an}, {"japan", 24, 29, 6, an},
		}},
		{"a lone s after an apostrophe stays", Search, "rock 's roll", []tok{{"rock", 0, 4, 1, an}, {"roll", 8, 12, 4, an}}},
		{"full-width space separates", Search, "石油\u3000价格", []tok{{"石油", 0, 6, 1, id}, {"价格", 9, 15, 3, id}}},
		{"emoji is punctuation", Search, "好👍天", []tok{{"好", 0, 3, 1, id}, {"天", 7, 10, 3, id}}},
		{"invalid utf-8 is a separator", Search, "ab\xffcd", []tok{{"ab", 0, 2, 1, an}, {"cd", 3, 5, 2, an}}},
		{"case folding changes length", Search, "İstanbul \u212Aelvin", []tok{{"istanbul", 0, 9, 1, an}, {"kelvin", 10, 18, 2, an}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := toks(mustAnalyzer(t, tt.mode).Analyze([]byte(tt.input)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Analyze(%q) mismatch (-want +got):\n%s", tt.input, diff)
			}
		})
	}
}

// terms returns the distinct terms of text in a mode.
func terms(t testing.TB, mode Mode, text string) map[string]bool {
	m := map[string]bool{}
	for _, tk := range mustAnalyzer(t, mode).Analyze([]byte(text)) {
		m[string(tk.Term)] = true
	}
	return m
}

// TestAnalyzer_Recall pins what a query word finds in a text: every query
// term must be among the indexed terms.
func TestAnalyzer_Recall(t *testing.T) {
	tests := []struct {
		query, text string
		want        bool
	}{
		{"人民", "中华人民共和国", true},
		{"共和国", "中华人民共和国", true},
		{"华人", "中华人民共和国", false},
		{"简单", "安装简单", true},
		{"研究", "研究生", true},
		{"研究生", "开展研究", false},
		{"惠州", "广州", false},
		{"prices", "the price", true},
		{"price", "oil prices", true},
		{"ＧＯ语言２０２２", "Go语言2022", true},
		{"iPhone15", "iPhone15发布", true},
		{"iphone", "iPhone15发布", false},
		{"长安", "長安一片月", true},
		{"長安", "长安一片月", true},
	}
	for _, tt := range tests {
		t.Run(tt.query+"/"+tt.text, func(t *testing.T) {
			t.Parallel()
			idx := terms(t, Search, tt.text)
			qs := terms(t, Accurate, tt.query)
			if len(qs) == 0 {
				t.Fatalf("query %q has no terms", tt.query)
			}
			got := true
			for q := range qs {
				got = got && idx[q]
			}
			if got != tt.want {
				t.Errorf("query %q (terms %v) in %q (terms %v) = %v, want %v", tt.query, keys(qs), tt.text, keys(idx), got, tt.want)
			}
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkStream checks the token contract on input: offsets in range, on
// rune boundaries, positions 1-based and non-decreasing for words, and
// the term derived from input[Start:End].
func checkStream(t testing.TB, input []byte, ts analysis.TokenStream) {
	t.Helper()
	lastWord := 0
	for i, tk := range ts {
		if tk.Start < 0 || tk.Start >= tk.End || tk.End > len(input) {
			t.Fatalf("token %d %q: offsets [%d:%d] out of range for %d bytes", i, tk.Term, tk.Start, tk.End, len(input))
		}
		orig := input[tk.Start:tk.End]
		if utf8.Valid(input) && !utf8.Valid(orig) {
			t.Fatalf("token %d %q: input[%d:%d] = %q is not valid UTF-8", i, tk.Term, tk.Start, tk.End, orig)
		}
		if tk.Position < 1 {
			t.Fatalf("token %d %q: position %d < 1", i, tk.Term, tk.Position)
		}
		if len(tk.Term) == 0 {
			t.Fatalf("token %d: empty term", i)
		}
		if tk.Position < lastWord && !isSubWordOf(ts, i) {
			t.Fatalf("token %d %q: position %d before %d", i, tk.Term, tk.Position, lastWord)
		}
		lastWord = max(lastWord, tk.Position)
		if utf8.Valid(orig) {
			want := []byte(Fold(string(orig)))
			if tk.Type == analysis.AlphaNumeric && len(want) > 2 && isASCIILetters(want) {
				want = stem(want)
			}
			if string(want) != string(tk.Term) {
				t.Fatalf("token %d: term %q is not the folded original %q (%q)", i, tk.Term, orig, want)
			}
		}
	}
}

// isSubWordOf reports whether token i lies inside an earlier token.
func isSubWordOf(ts analysis.TokenStream, i int) bool {
	for j := i - 1; j >= 0; j-- {
		if ts[j].Start <= ts[i].Start && ts[i].End <= ts[j].End {
			return true
		}
	}
	return false
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"中华人民共和国", "ＧＯ语言２０２２", "Go语言2022 iPhone15", "职业，教育", "U.S. 3.5%", "\xff\xfe中", "İK", "a\u3000b", "長安一片月"} {
		f.Add(s)
	}
	idx, q := mustAnalyzer(f, Search), mustAnalyzer(f, Accurate)
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		checkStream(t, in, idx.Analyze(in))
		checkStream(t, in, q.Analyze(in))
	})
}

// corpusDir finds ../shared/corpus from this package.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpus"))
	if err == nil {
		if _, err = os.Stat(dir); err == nil {
			return dir
		}
	}
	t.Skipf("corpus not found at ../shared/corpus (%v): skipping", err)
	return ""
}

// TestAnalyzer_CorpusOffsets checks the token contract on every text of
// the shared corpus: every token's input[Start:End] is the original text
// it was made from.
func TestAnalyzer_CorpusOffsets(t *testing.T) {
	dir := corpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	idx := mustAnalyzer(t, Search)
	for _, name := range files {
		if testing.Short() && strings.HasSuffix(name, ".jsonl") {
			if st, err := os.Stat(name); err == nil && st.Size() > 5<<20 {
				continue
			}
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			n := 0
			forEachText(t, name, func(s string) {
				in := []byte(s)
				checkStream(t, in, idx.Analyze(in))
				n++
			})
			t.Logf("%d texts checked", n)
		})
	}
}

func forEachText(t *testing.T, name string, fn func(string)) {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !strings.HasSuffix(name, ".jsonl") {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fn(string(b))
		return
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"title", "body", "text", "author"} {
			if s, ok := rec[k].(string); ok && s != "" {
				fn(s)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestAnalyzer_AnalyzeInto reuses one buffer for texts of every size, in
// both modes: the tokens are Analyze's, and the terms of an earlier call
// stay as they were when later calls reuse the buffer.
func TestAnalyzer_AnalyzeInto(t *testing.T) {
	texts := []string{
		"中华人民共和国国务院关于职业教育的决定",
		"a",
		strings.Repeat("The bike-share scheme's riders, 3.5 million of them; 北京大学的学生。", 40),
		"",
		"长城很长 Great Wall",
		strings.Repeat("人民", 300),
	}
	for _, mode := range []Mode{Accurate, Search} {
		a := mustAnalyzer(t, mode)
		var buf TokenBuf
		var terms [][]byte
		var want []string
		for _, text := range texts {
			ts := a.AnalyzeInto([]byte(text), &buf)
			if diff := cmp.Diff(toks(a.Analyze([]byte(text))), toks(ts)); diff != "" {
				t.Errorf("mode %d, %.20q: AnalyzeInto differs from Analyze (-want +got):\n%s", mode, text, diff)
			}
			for _, tk := range ts {
				terms, want = append(terms, tk.Term), append(want, string(tk.Term))
			}
		}
		for i, term := range terms {
			if string(term) != want[i] {
				t.Fatalf("mode %d: term %d is %q after later calls, was %q", mode, i, term, want[i])
			}
		}
	}
}
