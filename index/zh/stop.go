package zh

// indexStopWords are function words dropped at index and query time. The
// list is short on purpose: gse's own stop list holds content words
// (本, 比如, 别), and a dropped word can never be found. English words
// follow Lucene's classic list plus the "s" and "t" left by apostrophes.
var indexStopWords = []string{
	// English
	"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in",
	"into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the",
	"their", "then", "there", "these", "they", "this", "to", "was", "will",
	"with", "s", "t",
	// Chinese particles and conjunctions
	"的", "了", "着", "和", "与", "及", "是", "吗", "呢", "吧", "啊", "呀",
}

// builtinStops is the set of indexStopWords, shared by every [Segmenter]
// that adds no stop words of its own.
var builtinStops = newStopSet(indexStopWords, nil)

// stopSet is a set of folded stop words. It is immutable once built.
type stopSet struct {
	words  map[string]bool
	maxLen int // bytes of the longest word: longer terms skip the lookup
}

// newStopSet returns the union of two lists of folded words.
func newStopSet(base, extra []string) *stopSet {
	s := &stopSet{words: make(map[string]bool, len(base)+len(extra))}
	for _, l := range [][]string{base, extra} {
		for _, w := range l {
			s.words[w] = true
			s.maxLen = max(s.maxLen, len(w))
		}
	}
	return s
}

func (s *stopSet) has(term []byte) bool {
	return len(term) <= s.maxLen && s.words[string(term)]
}

// IsStopWord reports whether a folded term is on the built-in list of
// words the analyzers drop. A [Segmenter] may drop more ([Options.StopWords]).
func IsStopWord(term string) bool { return builtinStops.words[term] }

// queryStopWords are question words and particles that a query typed as a
// sentence carries but articles do not need to contain: 如何在Debian中配置LVM
// should look for Debian, 配置 and LVM. The search package drops them
// unless a query holds nothing else.
var queryStopWords = []string{
	// Chinese
	"如何", "怎么", "怎样", "怎么样", "怎么办", "什么", "什么样", "为什么", "为何",
	"哪", "哪里", "哪儿", "哪些", "哪个", "是否", "能否", "可否", "有没有", "是不是",
	"吗", "呢", "吧", "啊", "呀", "么", "请问", "请", "一下", "我", "我们", "你",
	"您", "想", "想要", "需要", "应该", "可以", "能", "会", "要", "在", "中", "里",
	"上", "把", "将", "对", "给", "用", "关于", "有关", "方法", "办法", "步骤",
	"教程", "一个", "有", "谁", "多少", "几",
	// English
	"how", "what", "why", "when", "where", "which", "who", "whom", "whose",
	"do", "does", "did", "done", "can", "could", "should", "would", "shall",
	"may", "might", "must", "i", "me", "my", "we", "our", "you", "your",
	"am", "were", "been", "being", "have", "has", "had", "please", "about",
	"any", "some", "get", "want", "need", "way", "best",
}

var queryStopSet = func() map[string]bool {
	m := make(map[string]bool, len(queryStopWords))
	for _, w := range queryStopWords {
		m[w] = true
	}
	return m
}()

// IsQueryStopWord reports whether a folded, unstemmed query term is a
// question word or particle.
func IsQueryStopWord(term string) bool { return queryStopSet[term] }
