package index

import (
	"context"
	"fmt"

	bindex "github.com/blevesearch/bleve_index_api"
)

// TermCount is a term of a field's dictionary, how many documents hold it
// and how many edits away from the term asked for it is.
type TermCount struct {
	Term  string
	Docs  uint64
	Edits int
}

// Terms returns the terms of a field's dictionary within edits edits of
// term (an insertion, a deletion, a substitution, or a swap of two
// neighbouring letters counts one), the term itself among them when it is
// indexed, with the number of documents holding each. edits is 0, 1 or 2.
// The counts include documents deleted but not yet merged away: they rank
// candidates, they are not totals.
func (r *Reader) Terms(field, term string, edits int) ([]TermCount, error) {
	return r.TermsFrom(field, term, edits, "")
}

// TermsFrom is [Reader.Terms] among the terms that start with prefix: a
// prefix of a few letters spares reading most of a large dictionary.
func (r *Reader) TermsFrom(field, term string, edits int, prefix string) ([]TermCount, error) {
	if edits == 0 {
		n, err := r.docCount(field, term)
		if err != nil || n == 0 {
			return nil, err
		}
		return []TermCount{{Term: term, Docs: n}}, nil
	}
	if edits > 2 {
		return nil, fmt.Errorf("terms within %d edits: at most 2", edits)
	}
	fd, err := r.snap.FieldDictFuzzy(field, term, edits, prefix)
	if err != nil {
		return nil, fmt.Errorf("read the terms of %s: %w", field, err)
	}
	var out []TermCount
	err = each(fd, func(e *bindex.DictEntry) {
		d := int(e.EditDistance)
		if e.Term == term {
			d = 0
		}
		out = append(out, TermCount{Term: e.Term, Edits: d})
	})
	if err != nil {
		return nil, fmt.Errorf("read the terms of %s: %w", field, err)
	}
	// A fuzzy iterator gives no counts.
	for i := range out {
		if out[i].Docs, err = r.docCount(field, out[i].Term); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// docCount returns how many documents hold term in field.
func (r *Reader) docCount(field, term string) (uint64, error) {
	tfr, err := r.snap.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("read the postings of %s: %w", field, err)
	}
	n := tfr.Count()
	if err := tfr.Close(); err != nil {
		return 0, fmt.Errorf("read the postings of %s: %w", field, err)
	}
	return n, nil
}

// each calls fn with every entry of fd, then closes it.
func each(fd bindex.FieldDict, fn func(*bindex.DictEntry)) (err error) {
	defer func() {
		if cerr := fd.Close(); err == nil {
			err = cerr
		}
	}()
	for {
		e, err := fd.Next()
		if err != nil || e == nil {
			return err
		}
		fn(e)
	}
}

// Holding returns those of terms that documents hold in field, with how
// many documents hold each: a cheap check of many candidates at once.
func (r *Reader) Holding(field string, terms []string) (map[string]uint64, error) {
	fd, err := r.snap.FieldDictContains(field)
	if err != nil {
		return nil, fmt.Errorf("read the terms of %s: %w", field, err)
	}
	if c, ok := fd.(interface{ Close() error }); ok {
		defer c.Close()
	}
	out := map[string]uint64{}
	for _, t := range terms {
		found, err := fd.Contains([]byte(t))
		if err != nil {
			return nil, fmt.Errorf("read the terms of %s: %w", field, err)
		}
		if !found {
			continue
		}
		if out[t], err = r.docCount(field, t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TermsWithPrefix returns the terms of a field's dictionary that start
// with prefix, with how many documents hold each (deleted ones not yet
// merged away included), reading at most limit of them.
func (r *Reader) TermsWithPrefix(field, prefix string, limit int) ([]TermCount, error) {
	fd, err := r.snap.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil, fmt.Errorf("read the terms of %s: %w", field, err)
	}
	defer fd.Close()
	var out []TermCount
	for len(out) < limit {
		e, err := fd.Next()
		if err != nil {
			return nil, fmt.Errorf("read the terms of %s: %w", field, err)
		}
		if e == nil {
			break
		}
		out = append(out, TermCount{Term: e.Term, Docs: e.Count})
	}
	return out, nil
}
