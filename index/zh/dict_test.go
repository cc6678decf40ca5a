package zh

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-ego/gse"
	"github.com/google/go-cmp/cmp"
)

// dataDict is the project's dictionary directory.
const dataDict = "../../data/dict"

// otherWords are user words of a second dictionary, unlike data/dict's.
const otherWords = "教育集团\n一个中国\n学院集团 2\n"

// testSegmenter returns the registered segmenter for opts, building it
// once per process. It never changes the current segmenter. Building a
// dictionary takes seconds and 220 MB, so it skips in short mode.
func testSegmenter(t testing.TB, opts Options) *Segmenter {
	t.Helper()
	if testing.Short() {
		t.Skip("builds another dictionary: skipped in short mode")
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	s, err := build(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dictOptions(t testing.TB) Options {
	t.Helper()
	opts, err := LoadDir(dataDict)
	if err != nil {
		t.Fatal(err)
	}
	return opts
}

// testSegmenters returns the segmenters the tests compare: the embedded
// dictionary alone, with data/dict, and with otherWords.
func testSegmenters(t testing.TB) map[string]*Segmenter {
	t.Helper()
	def, ok := Lookup(mustFingerprint(t, Options{}))
	if !ok {
		t.Fatal("default segmenter not registered")
	}
	return map[string]*Segmenter{
		"default": def,
		"dict":    testSegmenter(t, dictOptions(t)),
		"other":   testSegmenter(t, Options{UserWords: otherWords}),
	}
}

func mustFingerprint(t testing.TB, opts Options) string {
	t.Helper()
	a, err := parseOptions(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a.fingerprint
}

func termsOf(t testing.TB, s *Segmenter, mode Mode, text string) []string {
	t.Helper()
	toks, err := s.Tokens(mode, text)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, tk := range toks {
		out = append(out, tk.Term)
	}
	return out
}

func TestSegmenter_UserWords(t *testing.T) {
	segs := testSegmenters(t)
	tests := []struct {
		name  string
		seg   string
		mode  Mode
		input string
		want  []string
	}{
		{"group splits without dict", "default", Accurate, "职业教育集团", []string{"职业", "教育", "集团"}},
		{"group whole", "dict", Accurate, "职业教育集团", []string{"职业教育集团"}},
		{"group with sub-words", "dict", Search, "职业教育集团", []string{"职业教育集团", "职业", "教育", "集团"}},
		{"college splits without dict", "default", Accurate, "许昌职业技术学院", []string{"许昌", "职业", "技术", "学院"}},
		{"college whole (no frequency given)", "dict", Accurate, "许昌职业技术学院", []string{"许昌职业技术学院"}},
		{"college with sub-words", "dict", Search, "许昌职业技术学院", []string{"许昌职业技术学院", "许昌", "职业", "技术", "学院"}},
		{"in a sentence", "dict", Accurate, "许昌职业教育集团在许昌职业技术学院揭牌成立",
			[]string{"许昌", "职业教育集团", "在", "许昌职业技术学院", "揭牌", "成立"}},
		{"next to a longer dictionary word", "dict", Accurate, "职业教育集团公司", []string{"职业教育集团", "公司"}},
		{"traditional and full-width fold", "dict", Accurate, "職業教育集團", []string{"职业教育集团"}},
		{"rare embedded word", "dict", Accurate, "职业院校", []string{"职业院校"}},
		{"extra stop words dropped", "dict", Accurate, "其他人以及其 Also its", []string{"其他人"}},
		{"extra stop words kept without dict", "default", Accurate, "其他人以及其 Also its", []string{"其他人", "以及", "其", "also", "it"}},
		{"other dictionary", "other", Accurate, "职业教育集团", []string{"职业", "教育集团"}},
		{"common parts still whole", "other", Accurate, "一个中国", []string{"一个中国"}},
		{"common parts split without", "default", Accurate, "一个中国", []string{"一个", "中国"}},
		{"explicit low frequency used as given", "other", Accurate, "学院集团", []string{"学院", "集团"}},
		{"other keeps built-in stop words only", "other", Accurate, "以及其", []string{"以及", "其"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := termsOf(t, segs[tt.seg], tt.mode, tt.input)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s Tokens(%d, %q) mismatch (-want +got):\n%s", tt.seg, tt.mode, tt.input, diff)
			}
		})
	}
}

// TestSegmenter_UserWordTokens pins the whole token contract of a user
// word in search mode: sub-words at their own unit positions.
func TestSegmenter_UserWordTokens(t *testing.T) {
	s := testSegmenter(t, dictOptions(t))
	input := "新的职业教育集团"
	got := toks(NewAnalyzerFor(s, Search).Analyze([]byte(input)))
	want := []tok{
		{"新", 0, 3, 1, id},
		{"职业教育集团", 6, 24, 3, id}, {"职业", 6, 12, 3, id}, {"教育", 12, 18, 5, id}, {"集团", 18, 24, 7, id},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Analyze(%q) mismatch (-want +got):\n%s", input, diff)
	}
	checkStream(t, []byte(input), NewAnalyzerFor(s, Search).Analyze([]byte(input)))
}

func TestSegmenter_WholeWordFreq(t *testing.T) {
	def := testGse(t, Options{})
	tests := []struct {
		word    string
		atLeast float64
	}{
		{"许昌职业技术学院", minUserFreq}, // rare parts: the floor
		{"一个中国", minUserFreq + 1}, // very common parts: more
		{"职业院校", minUserFreq},     // in the dictionary with 3
		{"chatgpt", minUserFreq},  // one unit: no split
	}
	for _, tt := range tests {
		if got := wholeWordFreq(def, tt.word); got < tt.atLeast {
			t.Errorf("wholeWordFreq(%q) = %v, want at least %v", tt.word, got, tt.atLeast)
		}
	}
	// A user word without a frequency raises an embedded word's.
	dict := testGse(t, dictOptions(t))
	for _, s := range []struct {
		seg  *gse.Segmenter
		want float64
	}{{def, 3}, {dict, minUserFreq}} {
		if f, _, _ := s.seg.Find("职业院校"); f != s.want {
			t.Errorf("Find(职业院校) = %v, want %v", f, s.want)
		}
	}
}

func TestLoadDir_DataDict(t *testing.T) {
	opts := dictOptions(t)
	for _, w := range []string{"职业教育集团 2000 nt\n", "\n许昌职业技术学院\n"} {
		if !strings.Contains(opts.UserWords, w) {
			t.Errorf("LoadDir(%q).UserWords lacks %q", dataDict, w)
		}
	}
	words, err := parseUserWords("user words", opts.UserWords)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(words); n < 15 || n > 40 {
		t.Errorf("LoadDir(%q) has %d user words, want about 20", dataDict, n)
	}
	for _, w := range opts.StopWords {
		if IsStopWord(Fold(w)) {
			t.Errorf("stop word %q is already built in", w)
		}
	}
	if len(opts.StopWords) == 0 {
		t.Errorf("LoadDir(%q) has no stop words", dataDict)
	}
}

// writeDir creates dir/name with content for every entry of files.
func writeDir(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadDir(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  Options
	}{
		{"empty", nil, Options{}},
		{"files in name order, READMEs, dot files and directories skipped", map[string]string{
			"b.dict":        "乙词 10\n",
			"a.dict":        "# comment\n甲词\n\n",
			"README.md":     "职业 1\n",
			".hidden.dict":  "丁词\n",
			".user.txt.swp": "丁词\n",
			"sub/x.dict":    "戊词\n",
			"sub/notes.txt": "戊词\n",
			"z.stop":        "# comment\n\n  亦  \nALSO\n",
			"y.stop":        "其\n",
		}, Options{UserWords: "# comment\n甲词\n\n乙词 10\n", StopWords: []string{"其", "亦", "ALSO"}}},
		{"synonyms allowed, not read", map[string]string{
			"a.stop":   "其\n",
			"news.syn": "北大 北京大学\n",
			"bad.syn":  "\xff not even a group\n",
		}, Options{StopWords: []string{"其"}}},
		{"README in any case and spelling", map[string]string{
			"README":     "甲词\n",
			"readme.txt": "甲词\n",
			"ReadMe.MD":  "甲词\n",
			"a.stop":     "其\n",
		}, Options{StopWords: []string{"其"}}},
		{"BOM, CRLF, missing final newline", map[string]string{
			"a.dict": "\ufeff甲词 5 n\r\n乙词",
			"b.dict": "丙词",
			"a.stop": "\ufeff其\r\n",
		}, Options{UserWords: "甲词 5 n\r\n乙词\n丙词\n", StopWords: []string{"其"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeDir(t, dir, tt.files)
			got, err := LoadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LoadDir mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadDir_Errors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		want    string // after "dir/file:"
	}{
		{"frequency not a number", "user.dict", "# c\n甲词 10\n乙词 abc\n", `3: bad frequency "abc" (want a positive number)`},
		{"zero frequency", "user.dict", "甲词 0\n", `1: bad frequency "0" (want a positive number)`},
		{"negative frequency", "user.dict", "甲词 -5 n\n", `1: bad frequency "-5" (want a positive number)`},
		{"NaN frequency", "user.dict", "甲词 NaN\n", `1: bad frequency "NaN" (want a positive number)`},
		{"infinite frequency", "user.dict", "甲词 +Inf\n", `1: bad frequency "+Inf" (want a positive number)`},
		{"part of speech without frequency", "user.dict", "甲词 n\n", `1: bad frequency "n" (want a positive number)`},
		{"too many fields", "user.dict", "\n\n甲词 10 n extra\n", "3: too many fields (want: word [frequency [part-of-speech]])"},
		{"invalid UTF-8", "user.dict", "甲词\n\xff\xfe 10\n", "2: invalid UTF-8"},
		{"invalid UTF-8 in a comment", "user.dict", "# \xff\n", "1: invalid UTF-8"},
		{"invisible space in a word", "user.dict", "甲\u200b词\n", "1: word \"甲\\u200b词\" contains a space"},
		{"two stop words on a line", "news.stop", "其\n并且 而且\n", "2: too many fields (want one stop word per line)"},
		{"invalid UTF-8 stop word", "news.stop", "\xc3\n", "1: invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeDir(t, dir, map[string]string{tt.file: tt.content})
			_, err := LoadDir(dir)
			want := filepath.Join(dir, tt.file) + ":" + tt.want
			if err == nil || err.Error() != want {
				t.Errorf("LoadDir = %v, want %s", err, want)
			}
		})
	}
}

func TestLoadDir_UnknownFiles(t *testing.T) {
	const want = ": not a dictionary file: want *.dict (user words: word [frequency [part-of-speech]] per line), *.stop (stop words, one per line) or *.syn (synonyms)"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // the files reported, in name order
	}{
		{"txt beside dict", map[string]string{"user.dict": "甲词\n", "user.txt": "乙词\n"}, []string{"user.txt"}},
		{"editor backup", map[string]string{"user.dict~": "甲词\n"}, []string{"user.dict~"}},
		{"extension in another case", map[string]string{"user.DICT": "甲词\n"}, []string{"user.DICT"}},
		{"no extension", map[string]string{"words": "甲词\n"}, []string{"words"}},
		{"other README", map[string]string{"README.rst": "甲词\n"}, []string{"README.rst"}},
		{"every unknown file, reported before a bad line", map[string]string{
			"stop.txt":  "其\n",
			"user.dict": "甲词 abc\n",
			"user.txt":  "乙词\n",
		}, []string{"stop.txt", "user.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeDir(t, dir, tt.files)
			_, err := LoadDir(dir)
			var lines []string
			for _, f := range tt.want {
				lines = append(lines, filepath.Join(dir, f)+want)
			}
			if err == nil || err.Error() != strings.Join(lines, "\n") {
				t.Errorf("LoadDir = %v, want %s", err, strings.Join(lines, "\n"))
			}
			if !errors.Is(err, ErrUnknownDictFile) {
				t.Errorf("LoadDir = %v, want an error wrapping ErrUnknownDictFile", err)
			}
		})
	}
}

// TestLoadDir_Links follows links: to a directory it is skipped, to a
// dictionary file it is read, and a broken one is reported.
func TestLoadDir_Links(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	writeDir(t, other, map[string]string{"words.dict": "甲词\n", "sub/x.dict": "乙词\n"})
	for target, link := range map[string]string{
		filepath.Join(other, "words.dict"): "a.dict",
		filepath.Join(other, "sub"):        "sub",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("no symbolic links: %v", err)
		}
	}
	got, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Options{UserWords: "甲词\n"}); !cmp.Equal(want, got) {
		t.Errorf("LoadDir = %+v, want %+v", got, want)
	}
	if err := os.Symlink(filepath.Join(other, "gone"), filepath.Join(dir, "gone")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir); !errors.Is(err, ErrUnknownDictFile) {
		t.Errorf("LoadDir with a broken link = %v, want an error wrapping ErrUnknownDictFile", err)
	}
}

func TestLoadDir_Missing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	_, err := LoadDir(dir)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadDir(%q) = %v, want an error wrapping fs.ErrNotExist", dir, err)
	}
}

func TestLoad_BadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"bad frequency", Options{UserWords: "甲词 10\n乙词 x\n"}, `user words:2: bad frequency "x" (want a positive number)`},
		{"stop word with a space", Options{StopWords: []string{"as well"}}, `stop word "as well": contains a space`},
		{"stop word with a full-width space", Options{StopWords: []string{"并且\u3000而且"}}, `stop word "并且\u3000而且": contains a space`},
		{"invalid UTF-8 stop word", Options{StopWords: []string{"\xff"}}, `stop word "\xff": invalid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Load validates before building or touching the current
			// segmenter.
			_, err := Load(tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Load(%+v) = %v, want %s", tt.opts, err, tt.want)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	base := Options{UserWords: "甲词 10 n\n乙词\n", StopWords: []string{"其", "亦"}}
	tests := []struct {
		name string
		opts Options
		same bool
	}{
		{"identical", Options{UserWords: "甲词 10 n\n乙词\n", StopWords: []string{"其", "亦"}}, true},
		{"comments, blank lines, spacing", Options{UserWords: "# words\n\n  甲词\t10  n \n乙词\n", StopWords: []string{" 其", "亦"}}, true},
		{"order of entries", Options{UserWords: "乙词\n甲词 10 n\n", StopWords: []string{"亦", "其"}}, true},
		{"spelling of a frequency", Options{UserWords: "甲词 10.0 n\n乙词\n", StopWords: []string{"其", "亦"}}, true},
		{"duplicate stop words", Options{UserWords: base.UserWords, StopWords: []string{"其", "亦", "其", ""}}, true},
		{"built-in stop words", Options{UserWords: base.UserWords, StopWords: []string{"其", "亦", "的", "THE"}}, true},
		{"folded words", Options{UserWords: "甲詞 10 n\n乙詞\n", StopWords: []string{"其", "亦"}}, true},
		{"later entry wins", Options{UserWords: "甲词 99\n甲词 10 n\n乙词\n", StopWords: []string{"其", "亦"}}, true},
		{"word added", Options{UserWords: base.UserWords + "丙词\n", StopWords: base.StopWords}, false},
		{"frequency changed", Options{UserWords: "甲词 11 n\n乙词\n", StopWords: base.StopWords}, false},
		{"frequency added", Options{UserWords: "甲词 10 n\n乙词 10\n", StopWords: base.StopWords}, false},
		{"part of speech changed", Options{UserWords: "甲词 10 v\n乙词\n", StopWords: base.StopWords}, false},
		{"stop word added", Options{UserWords: base.UserWords, StopWords: []string{"其", "亦", "之"}}, false},
		{"stop word removed", Options{UserWords: base.UserWords, StopWords: []string{"其"}}, false},
		{"stop word turned user word", Options{UserWords: base.UserWords + "其\n", StopWords: []string{"亦"}}, false},
	}
	want := mustFingerprint(t, base)
	if !strings.HasPrefix(want, Version+"-") {
		t.Errorf("fingerprint %q does not start with the version %q", want, Version)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustFingerprint(t, tt.opts)
			if (got == want) != tt.same {
				t.Errorf("fingerprint(%+v) = %s, base %s: want same = %v", tt.opts, got, want, tt.same)
			}
		})
	}
}

// TestFingerprint_Default pins the fingerprint of the zero Options:
// indexes built before user words and stop words existed recorded it.
func TestFingerprint_Default(t *testing.T) {
	const want = "2-abf2e6b08c65"
	for _, opts := range []Options{{}, {UserWords: "# nothing\n\n"}, {StopWords: []string{"的", "The"}}} {
		if got := mustFingerprint(t, opts); got != want {
			t.Errorf("fingerprint(%+v) = %s, want %s", opts, got, want)
		}
	}
}

func TestFingerprint_Dir(t *testing.T) {
	dir := t.TempDir()
	fp := func() string {
		t.Helper()
		opts, err := LoadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		return mustFingerprint(t, opts)
	}
	writeDir(t, dir, map[string]string{"user.dict": "# words\n甲词 10\n", "a.stop": "其\n"})
	first := fp()
	steps := []struct {
		name  string
		files map[string]string
		same  bool
	}{
		{"comment edited", map[string]string{"user.dict": "# our words\n甲词 10\n"}, true},
		{"other file added", map[string]string{"README.md": "乙词\n"}, true},
		{"word added", map[string]string{"user.dict": "# our words\n甲词 10\n乙词\n"}, false},
		{"frequency changed", map[string]string{"user.dict": "# our words\n甲词 20\n乙词\n"}, false},
		{"dict file added", map[string]string{"more.dict": "丙词\n"}, false},
		{"stop file added", map[string]string{"b.stop": "之\n"}, false},
		{"stop word moved to another file", map[string]string{"a.stop": "", "b.stop": "之\n其\n"}, true},
		{"synonym file added", map[string]string{"news.syn": "北大 北京大学\n"}, true},
	}
	prev := first
	for _, st := range steps {
		writeDir(t, dir, st.files)
		got := fp()
		if (got == prev) != st.same {
			t.Errorf("after %s: fingerprint %s, before %s: want same = %v", st.name, got, prev, st.same)
		}
		prev = got
	}
}
