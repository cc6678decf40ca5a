package search

import (
	"strings"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/wensou/wensou/index"
	"github.com/wensou/wensou/index/pinyin"
)

// Pinyin: a query of Latin words that read as pinyin (zhiye jiaoyu,
// zhiyejiaoyu, zhíyè, zyjy) also finds the articles whose titles (or, for
// full pinyin, authors' names) are those Chinese characters, when the query as typed finds few articles (so that
// long or change, English words that are pinyin too, keep their English
// hits). Articles found through pinyin only rank below every article
// holding the words typed.
const (
	// pinyinFew: a pinyin query that finds fewer articles than this as
	// typed also searches the pinyin fields.
	pinyinFew = 5
	// pinyinReadings bounds the ways a query is read (fang an, fan gan).
	pinyinReadings = 3
	// boostPinyin weighs full pinyin above initials, which match far
	// more titles by chance.
	boostPinyin   = 1.0
	boostInitials = 0.5
	// boostAuthorPinyin keeps a title read as typed above a name.
	boostAuthorPinyin = 0.3
)

// pinyinQuery returns the query of the pinyin fields for q, or nil when q
// is not only plain words that read as pinyin.
func pinyinQuery(q *Query) query.Query {
	var words []string
	for _, cl := range q.Clauses {
		t := cl.Alts[0]
		if cl.Exclude || len(cl.Alts) != 1 || t.Field != "" || t.Phrase || t.Prefix {
			return nil
		}
		words = append(words, t.Text)
	}
	var qs []query.Query
	for _, rd := range pinyin.Read(strings.Join(words, " "), pinyinReadings) {
		field, boost := index.FieldTitlePinyin, boostPinyin
		if rd.Initials {
			// Indexed as pairs of neighbours' initials: zyjy is zy yj jy.
			field, boost = index.FieldTitleInitials, boostInitials
			pairs := make([]string, len(rd.Syllables)-1)
			for i := range pairs {
				pairs[i] = rd.Syllables[i] + rd.Syllables[i+1]
			}
			rd.Syllables = pairs
		}
		qs = append(qs, syllableQuery(field, rd.Syllables, boost))
		if !rd.Initials {
			// Authors' names too: libai is 李白.
			qs = append(qs, syllableQuery(index.FieldAuthorPinyin, rd.Syllables, boostAuthorPinyin))
		}
	}
	if len(qs) == 0 {
		return nil
	}
	return disjunction(qs)
}

// syllableQuery finds the syllables in a row in field.
func syllableQuery(field string, syllables []string, boost float64) query.Query {
	if len(syllables) == 1 {
		return termQuery(field, syllables[0], boost)
	}
	slots := make([][]string, len(syllables))
	for i, s := range syllables {
		slots[i] = []string{s}
	}
	ph := query.NewMultiPhraseQuery(slots, field)
	ph.SetBoost(boost)
	return ph
}

// withPinyin returns the query of the articles that exact matches or
// pinyin finds: every exact match ranks above every pinyin-only one,
// each in its own order.
func withPinyin(exact, py query.Query) query.Query { return above(exact, py) }
