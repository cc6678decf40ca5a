package zh

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-ego/gse"
)

var (
	gseMu    sync.Mutex
	gseBuilt = map[string]*gse.Segmenter{}
)

// testGse returns a gse segmenter loaded as newSegmenter loads one for
// opts, built once per test process.
func testGse(t testing.TB, opts Options) *gse.Segmenter {
	t.Helper()
	a, err := parseOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	gseMu.Lock()
	defer gseMu.Unlock()
	if g, ok := gseBuilt[a.fingerprint]; ok {
		return g
	}
	g, err := loadGse(a.words)
	if err != nil {
		t.Fatal(err)
	}
	gseBuilt[a.fingerprint] = g
	return g
}

// diffSegment compares the lexicon's segmentation of text, word trees
// included, with gse's; "" when they agree.
func diffSegment(g *gse.Segmenter, l *lexicon, text []byte) string {
	want := g.Segment(text)
	got := l.segment(text, nil)
	if len(want) != len(got) {
		return fmt.Sprintf("%q: %d pieces, gse has %d", text, len(got), len(want))
	}
	for i := range want {
		if want[i].Start() != got[i].Start() || want[i].End() != got[i].End() {
			return fmt.Sprintf("%q: piece %d is [%d,%d), gse has [%d,%d)", text, i, got[i].start, got[i].end, want[i].Start(), want[i].End())
		}
		if d := diffTree(g, l, want[i].Token(), got[i].word, text[got[i].start:got[i].end]); d != "" {
			return fmt.Sprintf("%q: piece %d: %s", text, i, d)
		}
	}
	return ""
}

func diffTree(g *gse.Segmenter, l *lexicon, tok *gse.Token, w int32, text []byte) string {
	v, _, err := g.Dict.Value([]byte(tok.Text()))
	inDict := err == nil && &g.Dict.Tokens[v] == tok
	if inDict != (w != noWord) {
		return fmt.Sprintf("%q: in the dictionary %v, gse says %v", text, w != noWord, inDict)
	}
	want, got := tok.Segments(), l.subWords(w)
	if len(want) != len(got) {
		return fmt.Sprintf("%q: %d sub-words, gse has %d", text, len(got), len(want))
	}
	for i, s := range want {
		if s.Start() != int(got[i].start) || s.End() != int(got[i].end) {
			return fmt.Sprintf("%q: sub-word %d is [%d,%d), gse has [%d,%d)", text, i, got[i].start, got[i].end, s.Start(), s.End())
		}
		if d := diffTree(g, l, s.Token(), got[i].word, text[s.Start():s.End()]); d != "" {
			return d
		}
	}
	return ""
}

// lexiconCase is a dictionary to compare with gse.
var lexiconCases = []struct {
	name string
	opts func(testing.TB) Options
}{
	{"default", func(testing.TB) Options { return Options{} }},
	{"data/dict", dictOptions},
	{"other", func(testing.TB) Options { return Options{UserWords: otherWords} }},
}

func testLexicon(t testing.TB, opts Options) (*gse.Segmenter, *lexicon) {
	t.Helper()
	g := testGse(t, opts)
	l, err := lexiconFrom(g)
	if err != nil {
		t.Fatal(err)
	}
	return g, l
}

// TestLexicon_MatchesGse: every word of the dictionary, and tricky text,
// segments exactly as gse segments it, sub-word trees included.
func TestLexicon_MatchesGse(t *testing.T) {
	texts := []string{
		"", "a", "A", "中", "中华人民共和国", "我爱北京天安门", "iPhone15 Pro 手机", "ChatGPT和GPT-4",
		"職業教育", "职业教育集团在许昌职业技术学院", "2022年3月5日", "Ｇ２０峰会", "naïve café Straße",
		"ひらがなカタカナ漢字", "한국어", "😀表情", "\xff\xfe坏", "e-mail,don't;ok", "长城长 行长 重庆重复",
		"   ", "a b  c", "一二三四五六七八九十百千万亿",
	}
	for _, c := range lexiconCases {
		t.Run(c.name, func(t *testing.T) {
			g, l := testLexicon(t, c.opts(t))
			bad := 0
			check := func(text []byte) {
				if d := diffSegment(g, l, text); d != "" {
					if bad++; bad <= 10 {
						t.Error(d)
					}
				}
			}
			for _, s := range texts {
				check([]byte(s))
			}
			// Every word; under the race detector every 16th.
			step := 1
			if raceEnabled {
				step = 16
			}
			if len(g.Dict.Tokens) < 300_000 {
				t.Errorf("only %d dictionary words", len(g.Dict.Tokens))
			}
			for i := 0; i < len(g.Dict.Tokens); i += step {
				check([]byte(g.Dict.Tokens[i].Text()))
			}
			if bad > 0 {
				t.Errorf("%d texts segment otherwise than gse", bad)
			}
		})
	}
}

// TestLexicon_MatchesGseOnCorpora compares whole corpora, folded as the
// analyzers fold them and as they are.
func TestLexicon_MatchesGseOnCorpora(t *testing.T) {
	dir := corpusDir(t)
	g, l := testLexicon(t, dictOptions(t))
	limit := 4 << 20
	if testing.Short() || raceEnabled {
		limit = 256 << 10
	}
	for _, name := range []string{"cn_web_extract.jsonl", "sighan2005_pku_test.jsonl", "chinese_poetry_tang.jsonl", "reuters21578.jsonl"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 16<<20)
			read, bad := 0, 0
			for sc.Scan() && read < limit {
				var rec map[string]any
				if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, v := range rec {
					s, ok := v.(string)
					if !ok {
						continue
					}
					read += len(s)
					folded, _ := fold([]byte(s), nil, nil)
					for _, text := range [][]byte{folded, []byte(s)} {
						if d := diffSegment(g, l, text); d != "" {
							if bad++; bad <= 5 {
								t.Error(d)
							}
						}
					}
				}
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if bad > 0 {
				t.Errorf("%d texts segment otherwise than gse", bad)
			}
			t.Logf("%s: %d KB compared", name, read>>10)
		})
	}
}

// FuzzLexicon compares the lexicon with gse on any text.
func FuzzLexicon(f *testing.F) {
	for _, s := range []string{"中华人民共和国", "iPhone15 Pro 手机", "職業教育集团", "\xff坏", "ab12中文cd"} {
		f.Add(s)
	}
	g := testGse(f, Options{UserWords: otherWords})
	l, err := lexiconFrom(g)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d := diffSegment(g, l, []byte(s)); d != "" {
			t.Error(d)
		}
	})
}

func TestLexicon_FileRoundTrip(t *testing.T) {
	_, l := testLexicon(t, Options{UserWords: otherWords})
	fp := mustFingerprint(t, Options{UserWords: otherWords})
	path := lexPath(t.TempDir(), fp)
	if err := writeLexicon(path, fp, l); err != nil {
		t.Fatal(err)
	}
	got, err := readLexicon(path, fp)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.trie.base, l.trie.base) || !slices.Equal(got.trie.check, l.trie.check) ||
		!slices.Equal(got.dist, l.dist) || !slices.Equal(got.subOff, l.subOff) || !slices.Equal(got.subs, l.subs) ||
		got.maxAtoms != l.maxAtoms {
		t.Fatal("read back another lexicon than written")
	}
	if _, err := readLexicon(path, "2-000000000000"); err == nil {
		t.Error("read for another fingerprint: no error")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, damage := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"a flipped byte", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-100] }},
		{"empty", func([]byte) []byte { return nil }},
		{"another magic", func(b []byte) []byte { b[0] = 'x'; return b }},
	} {
		bad := damage.edit(bytes.Clone(raw))
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readLexicon(path, fp); err == nil {
			t.Errorf("%s: no error", damage.name)
		}
	}
}

// TestNewSegmenter_Cache: the first build keeps the lexicon in the cache
// directory, the next one reads it, and a damaged file is built again.
func TestNewSegmenter_Cache(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(CacheDirEnv, dir)
	a, err := parseOptions(Options{UserWords: "学院集团 2\n"})
	if err != nil {
		t.Fatal(err)
	}
	text := "职业教育集团在许昌职业技术学院集团"
	terms := func(s *Segmenter) []string { return termsOf(t, s, Search, text) }

	first, err := newSegmenter(a)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached() || first.CacheError() != nil {
		t.Fatalf("first build: cached %v, cache error %v", first.Cached(), first.CacheError())
	}
	second, err := newSegmenter(a)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Cached() {
		t.Fatal("second build did not read the cache")
	}
	if got, want := terms(second), terms(first); !slices.Equal(got, want) {
		t.Errorf("from the cache %q, built %q", got, want)
	}
	t.Logf("built in %v, read in %v", first.LoadTime(), second.LoadTime())

	path := lexPath(dir, a.fingerprint)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-5] ^= 1
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := newSegmenter(a)
	if err != nil {
		t.Fatal(err)
	}
	if third.Cached() || !slices.Equal(terms(third), terms(first)) {
		t.Errorf("damaged cache: cached %v, terms %q", third.Cached(), terms(third))
	}
	if fourth, err := newSegmenter(a); err != nil || !fourth.Cached() {
		t.Errorf("after the rebuild: cached %v, err %v", fourth != nil && fourth.Cached(), err)
	}

	// Off: nothing read or written.
	t.Setenv(CacheDirEnv, "off")
	off, err := newSegmenter(a)
	if err != nil || off.Cached() {
		t.Errorf("cache off: cached %v, err %v", off != nil && off.Cached(), err)
	}
	// An unwritable directory: built, with the reason.
	t.Setenv(CacheDirEnv, filepath.Join(path, "not-a-dir"))
	nodir, err := newSegmenter(a)
	if err != nil || nodir.Cached() || nodir.CacheError() == nil {
		t.Errorf("unwritable cache: err %v, cached %v, cache error %v", err, nodir != nil && nodir.Cached(), nodir != nil && nodir.CacheError() != nil)
	}
}

// TestGseVersion: the lexicon files name the gse that go.mod requires.
func TestGseVersion(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := "github.com/go-ego/gse " + gseVersion + "\n"
	if !bytes.Contains(mod, []byte(want)) {
		t.Errorf("go.mod does not require %q: gseVersion must name the gse a lexicon reproduces", strings.TrimSpace(want))
	}
}

func TestTrie(t *testing.T) {
	keys := [][]byte{[]byte("a"), []byte("ab"), []byte("abc"), []byte("b"), []byte("中"), []byte("中国"), []byte("\xff\x01")}
	vals := make([]int32, len(keys))
	for i := range vals {
		vals[i] = int32(i * 7)
	}
	tr, err := buildTrie(keys, vals)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if v, ok := tr.lookup(k); !ok || v != vals[i] {
			t.Errorf("lookup(%q) = %d, %v; want %d", k, v, ok, vals[i])
		}
	}
	for _, k := range []string{"", "abcd", "c", "ba", "中华", "\xe4", "\xff"} {
		if v, ok := tr.lookup([]byte(k)); ok {
			t.Errorf("lookup(%q) = %d, want none", k, v)
		}
	}
	for _, bad := range [][][]byte{{[]byte("b"), []byte("a")}, {[]byte("a"), []byte("a")}, {[]byte("")}, {[]byte("a\x00")}} {
		if _, err := buildTrie(bad, make([]int32, len(bad))); err == nil {
			t.Errorf("buildTrie(%q): no error", bad)
		}
	}
}
