package search

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/zh"
)

// Field weights: a word in the title counts more than one in the body.
const (
	boostTitle  = 3.0
	boostAuthor = 2.0
	boostBody   = 1.0
)

// plan is a compiled query: units that an article should hold (each one
// word, phrase or alternative group of the query), and exclusions.
type plan struct {
	units   []query.Query
	exclude []query.Query
	// runs are the query's plain words in the order typed, as phrase
	// slots (an empty slot for a word analysis dropped), one run per
	// stretch of the query without quotes, OR, prefixes or fields: an
	// article that holds a run's words next to each other ranks higher.
	runs [][][]string
	// typos are the words that typo tolerance may read otherwise.
	typos []typoWord
	// nothing is set when the query had text but no searchable word in
	// it (only punctuation, say): it matches no article.
	nothing bool
}

// typoWord is a word of the query that may hold a typo: one unit, one
// term of Latin letters.
type typoWord struct {
	unit    int    // its unit in the plan
	surface string // as typed
	term    string // as analysed (lower case, stemmed)
}

// compiler turns parsed queries into bleve queries with the query
// analyzer.
type compiler struct {
	an  analysis.Analyzer
	syn *synTable // nil for none
}

// compile builds the plan for q. Question words and particles are
// dropped unless the query holds nothing else.
func (c *compiler) compile(q *Query) plan {
	p := c.compileWith(q, true)
	if len(p.units) == 0 {
		if p2 := c.compileWith(q, false); len(p2.units) > 0 {
			return p2
		}
	}
	return p
}

func (c *compiler) compileWith(q *Query, dropQuestionWords bool) plan {
	var p plan
	hadText := false
	var run []string // the words of the current run, as typed
	endRun := func() {
		if r := c.runSlots(run, dropQuestionWords); wordSlots(r) >= 2 {
			p.runs = append(p.runs, r)
		}
		run = nil
	}
	spans := c.clauseSynonyms(q)
	for i := 0; i < len(q.Clauses); i++ {
		cl := q.Clauses[i]
		if sp, ok := spans[i]; ok {
			// Plain words that together have synonyms: one unit.
			var typed []query.Query
			for _, cl := range q.Clauses[i : sp.end+1] {
				run = append(run, cl.Alts[0].Text)
				typed = append(typed, c.words(cl.Alts[0], dropQuestionWords)...)
				hadText = true
			}
			if len(typed) > 0 {
				p.units = append(p.units, withSynonyms(conjunction(typed), sp.alts, fieldsFor("")))
			}
			i = sp.end
			continue
		}
		if t := cl.Alts[0]; len(cl.Alts) == 1 && !cl.Exclude && t.Field == "" && !t.Phrase && !t.Prefix {
			run = append(run, t.Text)
		} else if !cl.Exclude {
			endRun()
		}
		var alts [][]query.Query
		for _, t := range cl.Alts {
			if strings.TrimSpace(t.Text) != "" {
				hadText = true
			}
			if ws := c.words(t, dropQuestionWords); len(ws) > 0 {
				alts = append(alts, ws)
			}
		}
		if t := cl.Alts[0]; len(alts) == 1 && len(alts[0]) == 1 && len(cl.Alts) == 1 && !cl.Exclude && t.Field == "" && !t.Phrase && !t.Prefix {
			if w, ok := c.typoWord(t.Text); ok {
				w.unit = len(p.units)
				p.typos = append(p.typos, w)
			}
		}
		switch {
		case len(alts) == 0:
			continue
		case cl.Exclude:
			p.exclude = append(p.exclude, disjunction(conjunctions(alts)))
		case len(alts) == 1:
			// Each word of a single alternative is its own unit, so that
			// a sentence-like query can match partially.
			p.units = append(p.units, alts[0]...)
		default:
			p.units = append(p.units, disjunction(conjunctions(alts)))
		}
	}
	endRun()
	p.nothing = hadText && len(p.units) == 0 && len(p.exclude) == 0
	return p
}

// typoWord returns the word of text as typo tolerance sees it, when text
// is one word of Latin letters that analysis keeps as one term.
func (c *compiler) typoWord(text string) (typoWord, bool) {
	toks := c.an.Analyze([]byte(text))
	if len(toks) != 1 {
		return typoWord{}, false
	}
	surface := text[toks[0].Start:toks[0].End]
	for _, r := range surface {
		if !unicode.Is(unicode.Latin, r) {
			return typoWord{}, false
		}
	}
	return typoWord{surface: surface, term: string(toks[0].Term)}, true
}

// runSlots returns the phrase slots of a run of the query's words: their
// terms at the positions the analyzer gives them in the words joined by
// spaces, as it gives them in an article's text (a unit per Han
// character), with question words left as gaps.
func (c *compiler) runSlots(words []string, dropQuestionWords bool) [][]string {
	if len(words) == 0 {
		return nil
	}
	text := strings.Join(words, " ")
	var toks []*analysis.Token
	for _, tok := range c.an.Analyze([]byte(text)) {
		if dropQuestionWords && (zh.IsQueryStopWord(strings.ToLower(text[tok.Start:tok.End])) || zh.IsQueryStopWord(string(tok.Term))) {
			continue
		}
		toks = append(toks, tok)
	}
	if len(toks) < 2 {
		return nil
	}
	return trimSlots(tokensToPhrase(toks))
}

// trimSlots drops the empty slots at the ends of a run.
func trimSlots(run [][]string) [][]string {
	for len(run) > 0 && len(run[0]) == 0 {
		run = run[1:]
	}
	for len(run) > 0 && len(run[len(run)-1]) == 0 {
		run = run[:len(run)-1]
	}
	return run
}

func wordSlots(run [][]string) int {
	n := 0
	for _, s := range run {
		if len(s) > 0 {
			n++
		}
	}
	return n
}

// words returns one query per word of a term.
func (c *compiler) words(t Term, dropQuestionWords bool) []query.Query {
	text := strings.TrimSpace(t.Text)
	if text == "" {
		return nil
	}
	switch {
	case t.Field == "tag":
		return []query.Query{termQuery(index.FieldTags, strings.ToLower(text), 1)}
	case t.Field == "author":
		// An exact name, or the name's words in order.
		alts := []query.Query{termQuery(index.FieldAuthor, text, boostAuthor)}
		if ph := c.phrase(text, fieldsFor("author")); ph != nil {
			alts = append(alts, ph)
		}
		return []query.Query{disjunction(alts)}
	case t.Prefix:
		// Indexed English words are stemmed (iphone is iphon, happy is
		// happi): look for the stemmed prefix too.
		p := zh.Fold(text)
		qs := []query.Query{prefixQuery(p, fieldsFor(t.Field))}
		if st := zh.Stem(p); st != p {
			qs = append(qs, prefixQuery(st, fieldsFor(t.Field)))
		}
		return []query.Query{disjunction(qs)}
	case t.Phrase:
		if ph := c.phrase(text, fieldsFor(t.Field)); ph != nil {
			return []query.Query{ph}
		}
		return nil
	}
	fields := fieldsFor(t.Field)
	var out []query.Query
	gs := c.groups(text, dropQuestionWords)
	for i := 0; i < len(gs); {
		// The longest run of words from here that has synonyms is one
		// unit, with them.
		n, alts := c.groupSynonyms(gs[i:])
		if n == 0 {
			out = append(out, groupQuery(gs[i], fields))
			i++
			continue
		}
		var typed []query.Query
		for _, g := range gs[i : i+n] {
			typed = append(typed, groupQuery(g, fields))
		}
		out = append(out, withSynonyms(conjunction(typed), alts, fields))
		i += n
	}
	return out
}

// groupQuery is the query of one group of words.
func groupQuery(g []*analysis.Token, fields []weighted) query.Query {
	if len(g) == 1 {
		return termsQuery(string(g[0].Term), fields)
	}
	return phraseQuery(tokensToPhrase(g), fields)
}

// groupSynonyms returns how many of the first groups make the longest
// entry with synonyms, and the synonyms; 0 for none.
func (c *compiler) groupSynonyms(gs [][]*analysis.Token) (int, []synAlt) {
	if c.syn == nil {
		return 0, nil
	}
	for n := min(len(gs), maxSynonymWords); n >= 1; n-- {
		var toks analysis.TokenStream
		for _, g := range gs[:n] {
			toks = append(toks, g...)
		}
		if alts := c.syn.lookup(termKey(toks)); len(alts) > 0 {
			return n, alts
		}
	}
	return 0, nil
}

// synSpan is a run of the query's clauses, from the one it is keyed by
// to end, whose words together have synonyms.
type synSpan struct {
	end  int
	alts []synAlt
}

// clauseSynonyms finds the runs of two or more plain words (each its own
// clause: united states) that together have synonyms, longest first.
func (c *compiler) clauseSynonyms(q *Query) map[int]synSpan {
	if c.syn == nil {
		return nil
	}
	plain := func(cl Clause) bool {
		t := cl.Alts[0]
		return len(cl.Alts) == 1 && !cl.Exclude && t.Field == "" && !t.Phrase && !t.Prefix
	}
	var out map[int]synSpan
	for i := 0; i < len(q.Clauses); i++ {
		for end := min(len(q.Clauses), i+maxSynonymWords) - 1; end > i; end-- {
			words := make([]string, 0, end-i+1)
			ok := true
			for _, cl := range q.Clauses[i : end+1] {
				if !plain(cl) {
					ok = false
					break
				}
				words = append(words, cl.Alts[0].Text)
			}
			if !ok {
				continue
			}
			if alts := c.syn.lookup(termKey(c.an.Analyze([]byte(strings.Join(words, " "))))); len(alts) > 0 {
				if out == nil {
					out = map[int]synSpan{}
				}
				out[i] = synSpan{end: end, alts: alts}
				i = end
				break
			}
		}
	}
	return out
}

// groups analyzes text into the words of a query. Adjacent single Han
// characters (an unknown name, a word of classical Chinese such as 风吹)
// form one group, searched as a phrase rather than as scattered
// characters.
func (c *compiler) groups(text string, dropQuestionWords bool) [][]*analysis.Token {
	toks := c.an.Analyze([]byte(text))
	var out [][]*analysis.Token
	for _, tok := range toks {
		if dropQuestionWords && (zh.IsQueryStopWord(strings.ToLower(text[tok.Start:tok.End])) || zh.IsQueryStopWord(string(tok.Term))) {
			continue
		}
		if n := len(out); n > 0 && singleHan(tok) {
			last := out[n-1]
			prev := last[len(last)-1]
			if singleHan(prev) && tok.Position == prev.Position+1 {
				out[n-1] = append(last, tok)
				continue
			}
		}
		out = append(out, []*analysis.Token{tok})
	}
	return out
}

func singleHan(t *analysis.Token) bool {
	r, n := utf8.DecodeRune(t.Term)
	return n == len(t.Term) && unicode.Is(unicode.Han, r)
}

// phrase builds a phrase query over fields for text, or a term query when
// text is a single word; nil when text has no words.
func (c *compiler) phrase(text string, fields []weighted) query.Query {
	toks := c.an.Analyze([]byte(text))
	switch len(toks) {
	case 0:
		return nil
	case 1:
		return termsQuery(string(toks[0].Term), fields)
	}
	return phraseQuery(tokensToPhrase(toks), fields)
}

// tokensToPhrase lays tokens out by position; a position with no token
// (a stop word or punctuation) stays empty and matches anything.
func tokensToPhrase(toks []*analysis.Token) [][]string {
	first, last := toks[0].Position, toks[0].Position
	for _, t := range toks {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	out := make([][]string, last-first+1)
	for _, t := range toks {
		i := t.Position - first
		out[i] = append(out[i], string(t.Term))
	}
	return out
}

type weighted struct {
	field string
	boost float64
}

func fieldsFor(field string) []weighted {
	switch field {
	case "title":
		return []weighted{{index.FieldTitle, boostTitle}}
	case "body":
		return []weighted{{index.FieldBody, boostBody}}
	case "author":
		return []weighted{{index.FieldAuthorText, boostAuthor}}
	}
	return []weighted{{index.FieldTitle, boostTitle}, {index.FieldBody, boostBody}, {index.FieldAuthorText, boostAuthor}}
}

func termQuery(field, term string, boost float64) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func termsQuery(term string, fields []weighted) query.Query {
	qs := make([]query.Query, len(fields))
	for i, f := range fields {
		qs[i] = termQuery(f.field, term, f.boost)
	}
	return disjunction(qs)
}

func phraseQuery(terms [][]string, fields []weighted) query.Query {
	qs := make([]query.Query, len(fields))
	for i, f := range fields {
		q := query.NewMultiPhraseQuery(terms, f.field)
		q.SetBoost(f.boost)
		qs[i] = q
	}
	return disjunction(qs)
}

func prefixQuery(prefix string, fields []weighted) query.Query {
	qs := make([]query.Query, len(fields))
	for i, f := range fields {
		q := query.NewPrefixQuery(prefix)
		q.SetField(f.field)
		q.SetBoost(f.boost)
		qs[i] = q
	}
	return disjunction(qs)
}

func disjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

func conjunction(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

func conjunctions(alts [][]query.Query) []query.Query {
	out := make([]query.Query, len(alts))
	for i, a := range alts {
		out[i] = conjunction(a)
	}
	return out
}

// counted wraps a unit so that its score lies in [1, 1+countSpread): a
// disjunction of counted units then ranks an article holding more units
// above any holding fewer (for up to about 40 units), and by relevance
// among those holding as many.
func counted(q query.Query) query.Query {
	return query.NewCustomScoreQueryWithScorer(q, func(_ context.Context, d *search.DocumentMatch) (float64, error) {
		return 1 + countSpread*d.Score/(d.Score+countScale), nil
	}, nil, nil)
}

const (
	countSpread = 0.05
	countScale  = 4.0
)

// above scores the matches of first in [1, 1+countSpread) (as counted
// does) and those of only second in [0, 0.9), keeping each one's order:
// every article first matches ranks above every one only second matches
// (bleve's coordination halves both alike), however BM25 weighs them.
func above(first, second query.Query) query.Query {
	below := query.NewCustomScoreQueryWithScorer(second, func(_ context.Context, d *search.DocumentMatch) (float64, error) {
		return 0.9 * d.Score / (d.Score + countScale), nil
	}, nil, nil)
	return query.NewDisjunctionQuery([]query.Query{counted(first), below})
}
