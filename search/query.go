package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQueryLength is the longest query accepted, in characters.
const MaxQueryLength = 1000

// maxClauses bounds the number of clauses a query may hold.
const maxClauses = 64

// QueryError says why a query cannot be read. Its message is one line,
// meant for the person who typed the query.
type QueryError struct {
	Query  string
	Reason string
}

func (e *QueryError) Error() string { return e.Reason }

// Query is a parsed user query: clauses that must all hold (or, when no
// article holds them all, as many as possible).
type Query struct {
	Clauses []Clause
}

// Clause is one condition: any of its alternatives (joined with OR in the
// query), or, when Exclude is set, none of them.
type Clause struct {
	Exclude bool
	Alts    []Term
}

// Term is one searched item.
type Term struct {
	// Field restricts the term: "" (title, body and authors), "title",
	// "body", "author" or "tag".
	Field  string
	Text   string
	Phrase bool // quoted: the words in this order
	Prefix bool // word*: any word that starts with Text
}

// fieldNames maps the field prefixes a query may use to Term.Field.
var fieldNames = map[string]string{
	"title": "title", "标题": "title",
	"body": "body", "content": "body", "正文": "body",
	"author": "author", "authors": "author", "by": "author", "作者": "author",
	"tag": "tag", "tags": "tag", "标签": "tag",
}

// Parse reads a query. Words are separated by spaces (ASCII or
// full-width); "phrase" or “phrase” keeps words together; -word excludes;
// +word is accepted and means what a bare word means; OR between items
// makes them alternatives; title:, body:, author: and tag: (full-width
// colon too) restrict a word or a phrase to a field; word* matches words
// that start with word. Anything else is text: an unbalanced quote, ?, a
// colon in a URL. Parse fails only for a query that cannot be run: too
// long, a field with nothing after it, a prefix that is too short.
func Parse(s string) (*Query, error) {
	if n := utf8.RuneCountInString(s); n > MaxQueryLength {
		return nil, &QueryError{Query: s, Reason: fmt.Sprintf("query is %d characters long, the limit is %d", n, MaxQueryLength)}
	}
	p := parser{in: []rune(normalizeQuery(s)), raw: s}
	var items []queryItem
	for {
		it, ok, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		items = append(items, it)
	}
	q := &Query{}
	for i := 0; i < len(items); i++ {
		it := items[i]
		switch it.op {
		case opAnd:
			continue
		case opOr:
			// OR joins the clauses on either side; anywhere else it is
			// just a word.
			if i > 0 && i+1 < len(items) && items[i-1].op == opNone && items[i+1].op == opNone &&
				len(q.Clauses) > 0 && !q.Clauses[len(q.Clauses)-1].Exclude && !items[i+1].exclude {
				last := &q.Clauses[len(q.Clauses)-1]
				last.Alts = append(last.Alts, items[i+1].term)
				i++
				continue
			}
			it.term = Term{Text: "OR"}
		}
		q.Clauses = append(q.Clauses, Clause{Exclude: it.exclude, Alts: []Term{it.term}})
		if len(q.Clauses) > maxClauses {
			return nil, &QueryError{Query: s, Reason: fmt.Sprintf("query has more than %d words or phrases", maxClauses)}
		}
	}
	return q, nil
}

// normalizeQuery folds the full-width forms of the query syntax (space,
// quotes, colon, minus, plus, asterisk) and Chinese quotes to ASCII.
func normalizeQuery(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u3000', '\t', '\n', '\r', '\u00a0':
			return ' '
		case '“', '”', '＂', '「', '」', '『', '』':
			return '"'
		case '：':
			return ':'
		case '－', '—':
			return '-'
		case '＋':
			return '+'
		case '＊':
			return '*'
		}
		return r
	}, s)
}

type parser struct {
	in  []rune
	i   int
	raw string
}

type operator int

const (
	opNone operator = iota
	opOr
	opAnd
)

type queryItem struct {
	term    Term
	exclude bool
	op      operator
}

func (p *parser) skipSpace() {
	for p.i < len(p.in) && p.in[p.i] == ' ' {
		p.i++
	}
}

// next returns the next item of the query, or ok == false at the end.
func (p *parser) next() (queryItem, bool, error) {
	for {
		p.skipSpace()
		if p.i >= len(p.in) {
			return queryItem{}, false, nil
		}
		it, ok, err := p.item()
		if err != nil || ok {
			return it, ok, err
		}
	}
}

func (p *parser) item() (queryItem, bool, error) {
	var it queryItem
	start := p.i
	// A leading - or + directly followed by something is an operator, at
	// the start of a word; glued to a closing quote (a pasted title such
	// as “洛克菲勒”-搜狐财经) it is punctuation.
	if p.i+1 < len(p.in) && (p.in[p.i] == '-' || p.in[p.i] == '+') && !strings.ContainsRune(" -+", p.in[p.i+1]) {
		if start == 0 || p.in[start-1] == ' ' {
			it.exclude = p.in[p.i] == '-'
		}
		p.i++
		if !it.exclude && p.in[start] == '-' {
			start = p.i // not an operator: the word starts after it
		}
	}
	if p.in[p.i] == '"' {
		if text, ok := p.quoted(); ok {
			it.term = Term{Text: text, Phrase: true}
			return it, true, nil
		}
		// Unbalanced quote: read the rest as words.
		p.i++
		return it, false, nil
	}
	word := p.word()
	if word == "" {
		return it, false, nil
	}
	if p.i-start == len([]rune(word)) { // no operator before it
		switch word {
		case "OR", "|", "||": // see isOperator
			it.op = opOr
			return it, true, nil
		case "AND", "&&":
			it.op = opAnd
			return it, true, nil
		case "NOT":
			// NOT x is -x when x is a word or a phrase.
			save := p.i
			p.skipSpace()
			if p.i < len(p.in) {
				next, ok, err := p.item()
				if err != nil {
					return next, ok, err
				}
				if ok && next.op == opNone {
					next.exclude = true
					return next, true, nil
				}
			}
			p.i = save
		}
	}
	if field, value, ok := splitField(word); ok {
		it.term.Field = field
		if value == "" {
			if p.i < len(p.in) && p.in[p.i] == '"' {
				if text, ok := p.quoted(); ok {
					it.term.Text, it.term.Phrase = text, true
					return it, true, nil
				}
			}
			return it, false, &QueryError{Query: p.raw, Reason: fmt.Sprintf("%s: needs a word or a \"phrase\" after the colon", strings.TrimSuffix(word, ":"))}
		}
		word = value
	}
	if strings.HasSuffix(word, "*") {
		stem := strings.TrimRight(word, "*")
		if stem != "" && isPrefixable(stem) {
			if !longEnoughPrefix(stem) {
				return it, false, &QueryError{Query: p.raw, Reason: fmt.Sprintf("%s needs at least 2 letters or 1 Chinese character before the *", word)}
			}
			it.term.Text, it.term.Prefix = stem, true
			return it, true, nil
		}
	}
	it.term.Text = word
	return it, true, nil
}

// word reads up to the next space; a quote inside a word ends it only
// when it opens a balanced phrase.
func (p *parser) word() string {
	start := p.i
	for p.i < len(p.in) && p.in[p.i] != ' ' {
		if p.in[p.i] == '"' && p.i > start {
			break
		}
		p.i++
	}
	return string(p.in[start:p.i])
}

// quoted reads a "phrase" at p.i. It returns false, without moving, when
// the quote is not closed.
func (p *parser) quoted() (string, bool) {
	for j := p.i + 1; j < len(p.in); j++ {
		if p.in[j] == '"' {
			text := strings.TrimSpace(string(p.in[p.i+1 : j]))
			p.i = j + 1
			return text, true
		}
	}
	return "", false
}

// splitField splits field:value when field is a known field name.
func splitField(word string) (field, value string, ok bool) {
	name, value, found := strings.Cut(word, ":")
	if !found {
		return "", "", false
	}
	field, ok = fieldNames[strings.ToLower(name)]
	if !ok {
		return "", "", false
	}
	return field, value, true
}

// isPrefixable reports whether a word can take a trailing *: letters,
// digits and Han characters only.
func isPrefixable(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return true
}

func longEnoughPrefix(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
		n++
	}
	return n >= 2
}

// String formats the query so that Parse reads it back to the same query.
func (q *Query) String() string {
	var b strings.Builder
	for i, c := range q.Clauses {
		if i > 0 {
			b.WriteByte(' ')
		}
		if c.Exclude {
			b.WriteByte('-')
		}
		for j, t := range c.Alts {
			if j > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString(t.String())
		}
	}
	return b.String()
}

// String formats one term in query syntax.
func (t Term) String() string {
	var b strings.Builder
	if t.Field != "" {
		b.WriteString(t.Field)
		b.WriteByte(':')
	}
	switch {
	case t.Field == "" && !t.Phrase && !t.Prefix && isOperator(t.Text):
		// A word that reads as an operator: a leading + keeps it a word.
		b.WriteByte('+')
		b.WriteString(t.Text)
	case t.Phrase:
		b.WriteByte('"')
		b.WriteString(t.Text)
		b.WriteByte('"')
	case t.Prefix:
		b.WriteString(t.Text)
		b.WriteByte('*')
	default:
		b.WriteString(t.Text)
	}
	return b.String()
}

// isOperator reports whether a bare word would be read as an operator.
func isOperator(w string) bool {
	switch w {
	case "OR", "|", "||", "AND", "&&", "NOT":
		return true
	}
	return false
}
